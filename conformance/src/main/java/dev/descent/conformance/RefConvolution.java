package dev.descent.conformance;

/**
 * float64 references for convolution and pooling, written from PyTorch's definitions as plain
 * loops over every (sample, output, window element): no unfolding, no matrix product. Each
 * accumulating op also returns its error scale, {@code (L + 4)·Σ|term|} over its L terms (see
 * {@link Tolerance}).
 */
public final class RefConvolution {
    private RefConvolution() {
    }

    /**
     * A convolution's geometry: strides, padding before the first row and column, dilations,
     * groups, and the output size. {@code same} pads {@code d·(k − 1)} in all, the smaller half
     * first (PyTorch's {@code padding="same"}).
     */
    public record Geometry(int sh, int sw, int top, int left, int dh, int dw, int groups, int oh, int ow) {
        public static Geometry of(int[] x, int[] w, int sh, int sw, int ph, int pw, boolean same, int dh, int dw,
                int groups) {
            int totalH = same ? dh * (w[2] - 1) : 2 * ph;
            int totalW = same ? dw * (w[3] - 1) : 2 * pw;
            int top = same ? totalH / 2 : ph;
            int left = same ? totalW / 2 : pw;
            int oh = (x[2] + totalH - dh * (w[2] - 1) - 1) / sh + 1;
            int ow = (x[3] + totalW - dw * (w[3] - 1) - 1) / sw + 1;
            return new Geometry(sh, sw, top, left, dh, dw, groups, oh, ow);
        }
    }

    /** A value and its error scale. */
    public record Result(RefArray value, RefArray scale) {
    }

    /** Visits every term {@code x[n, c, ih, iw] · w[o, cw, p, q]} of output {@code (n, o, i, j)} that lies inside the input. */
    private interface Term {
        void at(int n, int o, int i, int j, int c, int ih, int iw, int cw, int p, int q);
    }

    private static void terms(int[] x, int[] w, Geometry g, Term t) {
        int og = w[0] / g.groups();
        for (int n = 0; n < x[0]; n++) {
            for (int o = 0; o < w[0]; o++) {
                for (int i = 0; i < g.oh(); i++) {
                    for (int j = 0; j < g.ow(); j++) {
                        for (int cw = 0; cw < w[1]; cw++) {
                            int c = (o / og) * w[1] + cw;
                            for (int p = 0; p < w[2]; p++) {
                                for (int q = 0; q < w[3]; q++) {
                                    int ih = i * g.sh() - g.top() + p * g.dh();
                                    int iw = j * g.sw() - g.left() + q * g.dw();
                                    if (ih >= 0 && ih < x[2] && iw >= 0 && iw < x[3]) {
                                        t.at(n, o, i, j, c, ih, iw, cw, p, q);
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /** {@code out[n, o, i, j] = bias[o] + Σ x · w} (bias may be null). */
    public static Result conv2d(RefArray x, RefArray w, RefArray bias, Geometry g) {
        int[] xs = x.shape();
        int[] ws = w.shape();
        int[] os = {xs[0], ws[0], g.oh(), g.ow()};
        double[] out = new double[RefArray.numel(os)];
        double[] abs = new double[out.length];
        double f = Tolerance.accumulation(ws[1] * ws[2] * ws[3] + 1);
        terms(xs, ws, g, (n, o, i, j, c, ih, iw, cw, p, q) -> {
            double term = x.get(n, c, ih, iw) * w.get(o, cw, p, q);
            int at = RefArray.ravel(new int[] {n, o, i, j}, os);
            out[at] += term;
            abs[at] += Math.abs(term);
        });
        for (int k = 0; k < out.length; k++) {
            if (bias != null) {
                double b = bias.flat(k / (g.oh() * g.ow()) % ws[0]);
                out[k] += b;
                abs[k] += Math.abs(b);
            }
            abs[k] *= f;
        }
        return new Result(RefArray.of(os, out), RefArray.of(os, abs));
    }

    /** The gradient of {@link #conv2d} with respect to x, of shape {@code inputShape}. */
    public static Result inputGrad(RefArray gradOut, RefArray w, int[] inputShape, Geometry g) {
        double[] out = new double[RefArray.numel(inputShape)];
        double[] abs = new double[out.length];
        int[] ws = w.shape();
        double f = Tolerance.accumulation(ws[0] / g.groups() * ws[2] * ws[3]);
        terms(inputShape, ws, g, (n, o, i, j, c, ih, iw, cw, p, q) -> {
            double term = gradOut.get(n, o, i, j) * w.get(o, cw, p, q);
            int at = RefArray.ravel(new int[] {n, c, ih, iw}, inputShape);
            out[at] += term;
            abs[at] += Math.abs(term);
        });
        return scaled(inputShape, out, abs, f);
    }

    /** The gradient of {@link #conv2d} with respect to w, of shape {@code weightShape}. */
    public static Result weightGrad(RefArray x, RefArray gradOut, int[] weightShape, Geometry g) {
        double[] out = new double[RefArray.numel(weightShape)];
        double[] abs = new double[out.length];
        int[] xs = x.shape();
        double f = Tolerance.accumulation(xs[0] * g.oh() * g.ow());
        terms(xs, weightShape, g, (n, o, i, j, c, ih, iw, cw, p, q) -> {
            double term = gradOut.get(n, o, i, j) * x.get(n, c, ih, iw);
            int at = RefArray.ravel(new int[] {o, cw, p, q}, weightShape);
            out[at] += term;
            abs[at] += Math.abs(term);
        });
        return scaled(weightShape, out, abs, f);
    }

    private static Result scaled(int[] shape, double[] out, double[] abs, double f) {
        for (int k = 0; k < abs.length; k++) {
            abs[k] *= f;
        }
        return new Result(RefArray.of(shape, out), RefArray.of(shape, abs));
    }

    // ---------------------------------------------------------------- pooling

    /** A pooling window: kernel, stride and padding per axis, and the output size (no ceil mode). */
    public record Window(int kh, int kw, int sh, int sw, int ph, int pw, int oh, int ow) {
        public static Window of(int[] x, int kh, int kw, int sh, int sw, int ph, int pw) {
            return new Window(kh, kw, sh, sw, ph, pw, (x[2] + 2 * ph - kh) / sh + 1, (x[3] + 2 * pw - kw) / sw + 1);
        }
    }

    /**
     * Max pooling as PyTorch's CPU kernel scans: start at the window's first input element with
     * −∞, take a value when it is greater or NaN. Returns the values and the indices {@code h·W + w}.
     */
    public static RefArray[] maxPool(RefArray x, Window win) {
        int[] xs = x.shape();
        int[] os = {xs[0], xs[1], win.oh(), win.ow()};
        double[] values = new double[RefArray.numel(os)];
        double[] index = new double[values.length];
        int k = 0;
        for (int n = 0; n < xs[0]; n++) {
            for (int c = 0; c < xs[1]; c++) {
                for (int i = 0; i < win.oh(); i++) {
                    for (int j = 0; j < win.ow(); j++) {
                        int h0 = i * win.sh() - win.ph();
                        int w0 = j * win.sw() - win.pw();
                        double best = Double.NEGATIVE_INFINITY;
                        int at = Math.max(h0, 0) * xs[3] + Math.max(w0, 0);
                        for (int h = Math.max(h0, 0); h < Math.min(h0 + win.kh(), xs[2]); h++) {
                            for (int w = Math.max(w0, 0); w < Math.min(w0 + win.kw(), xs[3]); w++) {
                                double v = x.get(n, c, h, w);
                                if (v > best || Double.isNaN(v)) {
                                    best = v;
                                    at = h * xs[3] + w;
                                }
                            }
                        }
                        values[k] = best;
                        index[k++] = at;
                    }
                }
            }
        }
        return new RefArray[] {RefArray.of(os, values), RefArray.of(os, index)};
    }

    /** Each gradient added at its index: exact sums of at most a few terms, scaled as sums. */
    public static Result maxPoolGrad(RefArray gradOut, RefArray indices, int[] inputShape) {
        double[] out = new double[RefArray.numel(inputShape)];
        double[] abs = new double[out.length];
        int[] os = gradOut.shape();
        int plane = inputShape[2] * inputShape[3];
        for (int k = 0; k < gradOut.numel(); k++) {
            int p = k / (os[2] * os[3]);
            int at = p * plane + (int) indices.flat(k);
            out[at] += gradOut.flat(k);
            abs[at] += Math.abs(gradOut.flat(k));
        }
        return scaled(inputShape, out, abs, Tolerance.accumulation(os[2] * os[3]));
    }

    /** PyTorch's divisor: the window clipped to the padded input, or to the input alone. */
    private static int divisor(int[] xs, Window win, int i, int j, boolean countIncludePad) {
        int h0 = i * win.sh() - win.ph();
        int w0 = j * win.sw() - win.pw();
        int h1 = Math.min(h0 + win.kh(), xs[2] + win.ph());
        int w1 = Math.min(w0 + win.kw(), xs[3] + win.pw());
        if (countIncludePad) {
            return (h1 - h0) * (w1 - w0);
        }
        return (Math.min(h1, xs[2]) - Math.max(h0, 0)) * (Math.min(w1, xs[3]) - Math.max(w0, 0));
    }

    public static Result avgPool(RefArray x, Window win, boolean countIncludePad) {
        int[] xs = x.shape();
        int[] os = {xs[0], xs[1], win.oh(), win.ow()};
        double[] out = new double[RefArray.numel(os)];
        double[] abs = new double[out.length];
        double f = Tolerance.accumulation(win.kh() * win.kw() + 1);
        int k = 0;
        for (int n = 0; n < xs[0]; n++) {
            for (int c = 0; c < xs[1]; c++) {
                for (int i = 0; i < win.oh(); i++) {
                    for (int j = 0; j < win.ow(); j++) {
                        int h0 = i * win.sh() - win.ph();
                        int w0 = j * win.sw() - win.pw();
                        double sum = 0;
                        double mag = 0;
                        for (int h = Math.max(h0, 0); h < Math.min(h0 + win.kh(), xs[2]); h++) {
                            for (int w = Math.max(w0, 0); w < Math.min(w0 + win.kw(), xs[3]); w++) {
                                sum += x.get(n, c, h, w);
                                mag += Math.abs(x.get(n, c, h, w));
                            }
                        }
                        int d = divisor(xs, win, i, j, countIncludePad);
                        out[k] = sum / d;
                        abs[k++] = f * mag / d;
                    }
                }
            }
        }
        return new Result(RefArray.of(os, out), RefArray.of(os, abs));
    }

    public static Result avgPoolGrad(RefArray gradOut, Window win, boolean countIncludePad, int[] inputShape) {
        double[] out = new double[RefArray.numel(inputShape)];
        double[] abs = new double[out.length];
        int[] os = gradOut.shape();
        for (int n = 0; n < os[0]; n++) {
            for (int c = 0; c < os[1]; c++) {
                for (int i = 0; i < win.oh(); i++) {
                    for (int j = 0; j < win.ow(); j++) {
                        double share = gradOut.get(n, c, i, j) / divisor(inputShape, win, i, j, countIncludePad);
                        int h0 = i * win.sh() - win.ph();
                        int w0 = j * win.sw() - win.pw();
                        for (int h = Math.max(h0, 0); h < Math.min(h0 + win.kh(), inputShape[2]); h++) {
                            for (int w = Math.max(w0, 0); w < Math.min(w0 + win.kw(), inputShape[3]); w++) {
                                int at = RefArray.ravel(new int[] {n, c, h, w}, inputShape);
                                out[at] += share;
                                abs[at] += Math.abs(share);
                            }
                        }
                    }
                }
            }
        }
        int overlap = (win.kh() + win.sh() - 1) / win.sh() * ((win.kw() + win.sw() - 1) / win.sw());
        return scaled(inputShape, out, abs, Tolerance.accumulation(overlap + 2));
    }

    /** Output row i averages input rows [⌊i·H/oh⌋, ⌈(i+1)·H/oh⌉), likewise columns. */
    public static Result adaptiveAvgPool(RefArray x, int oh, int ow) {
        int[] xs = x.shape();
        int[] os = {xs[0], xs[1], oh, ow};
        double[] out = new double[RefArray.numel(os)];
        double[] abs = new double[out.length];
        int k = 0;
        for (int n = 0; n < xs[0]; n++) {
            for (int c = 0; c < xs[1]; c++) {
                for (int i = 0; i < oh; i++) {
                    int h0 = i * xs[2] / oh;
                    int h1 = ((i + 1) * xs[2] + oh - 1) / oh;
                    for (int j = 0; j < ow; j++) {
                        int w0 = j * xs[3] / ow;
                        int w1 = ((j + 1) * xs[3] + ow - 1) / ow;
                        double sum = 0;
                        double mag = 0;
                        for (int h = h0; h < h1; h++) {
                            for (int w = w0; w < w1; w++) {
                                sum += x.get(n, c, h, w);
                                mag += Math.abs(x.get(n, c, h, w));
                            }
                        }
                        int count = (h1 - h0) * (w1 - w0);
                        out[k] = sum / count;
                        abs[k++] = Tolerance.accumulation(2 * (h1 - h0 + w1 - w0)) * mag / count;
                    }
                }
            }
        }
        return new Result(RefArray.of(os, out), RefArray.of(os, abs));
    }

    /** The gradient of {@link #adaptiveAvgPool}: each output's gradient shared equally over its window. */
    public static Result adaptiveAvgPoolGrad(RefArray gradOut, int[] inputShape) {
        int[] os = gradOut.shape();
        double[] out = new double[RefArray.numel(inputShape)];
        double[] abs = new double[out.length];
        for (int n = 0; n < os[0]; n++) {
            for (int c = 0; c < os[1]; c++) {
                for (int i = 0; i < os[2]; i++) {
                    int h0 = i * inputShape[2] / os[2];
                    int h1 = ((i + 1) * inputShape[2] + os[2] - 1) / os[2];
                    for (int j = 0; j < os[3]; j++) {
                        int w0 = j * inputShape[3] / os[3];
                        int w1 = ((j + 1) * inputShape[3] + os[3] - 1) / os[3];
                        double share = gradOut.get(n, c, i, j) / ((h1 - h0) * (w1 - w0));
                        for (int h = h0; h < h1; h++) {
                            for (int w = w0; w < w1; w++) {
                                int at = RefArray.ravel(new int[] {n, c, h, w}, inputShape);
                                out[at] += share;
                                abs[at] += Math.abs(share);
                            }
                        }
                    }
                }
            }
        }
        return scaled(inputShape, out, abs, Tolerance.accumulation(2 * (os[2] + os[3]) + 4));
    }
}
