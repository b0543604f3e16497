package dev.descent.cpu;

import dev.descent.core.DType;
import dev.descent.core.spi.StridedView;

/**
 * Batch normalisation and its gradients, one channel at a time: a channel's planes
 * ({@code x[n, c, ...]} for every n) are read once into an array (a {@link Channel}, held in cache),
 * measured and normalised there; a channel larger than {@link #CHANNEL_ELEMENTS} is read again,
 * plane by plane, for each pass. Sums are in double, in four interleaved lanes added in a fixed
 * order, plane after plane, one channel per thread: the same bits on any thread count. The
 * variance is measured about the channel's first value (a shifted sum of squares: no
 * cancellation when the mean is large against the deviation). The elementwise steps compute in
 * the tensors' precision: {@code out = fma(x − μ, γ/√(σ² + ε), β)} and
 * {@code dx = fma(A, g, fma(B, x − μ, C))} with per-channel A, B, C computed in double.
 */
final class BatchNorm {
    private BatchNorm() {
    }

    /** A view [N, C, ...] as N·C planes of L consecutive elements: where each plane starts. */
    private record Planes(int n, int c, int l, long offset, long strideN, long strideC) {
        static Planes of(StridedView v) {
            int[] d = v.shape();
            int l = 1;
            for (int i = 2; i < d.length; i++) {
                l *= d[i];
            }
            return new Planes(d[0], d[1], l, v.offset(), v.strides()[0], v.strides()[1]);
        }

        long at(int n, int c) {
            return offset + n * strideN + c * strideC;
        }

        long grain() {
            return Math.max(1, CpuThreads.GRAIN / ((long) n * l));
        }
    }

    /** The most elements of a channel held whole (16 MiB of float32 per array and thread). */
    static final int CHANNEL_ELEMENTS = 1 << 22;
    private static volatile int channelElements = CHANNEL_ELEMENTS;

    /** Lowers the limit on a channel held whole: tests compare both ways of reading a channel. */
    static void setChannelElements(int limit) {
        channelElements = limit;
    }

    /**
     * One channel's planes as a pass sees them: read whole into an array once ({@link #load}) when
     * the channel holds at most {@link #CHANNEL_ELEMENTS} elements, so that the passes after the
     * first read the array instead of memory (each bulk copy from the tensor cost as much as the
     * arithmetic on it); otherwise each plane is read again on every pass.
     */
    private static final class Channel {
        private final Access access;
        private final Planes planes;
        private final boolean whole;
        final Object values;
        private int c;

        Channel(Access access, Planes planes, boolean single) {
            this.access = access;
            this.planes = planes;
            whole = (long) planes.n() * planes.l() <= channelElements;
            int length = whole ? planes.n() * planes.l() : planes.l();
            values = single ? new float[length] : new double[length];
        }

        void load(int channel) {
            c = channel;
            if (whole) {
                for (int n = 0; n < planes.n(); n++) {
                    access.readOwn(planes.at(n, c), 1, values, n * planes.l(), planes.l());
                }
            }
        }

        /** Plane n of the loaded channel: where it starts in {@link #values}. */
        int plane(int n) {
            if (whole) {
                return n * planes.l();
            }
            access.readOwn(planes.at(n, c), 1, values, 0, planes.l());
            return 0;
        }
    }

    /** Whether each plane of v [N, C, ...] is L consecutive elements. */
    private static boolean planesContiguous(StridedView v) {
        int[] d = v.shape();
        long expected = 1;
        for (int i = d.length - 1; i >= 2; i--) {
            if (d[i] != 1 && v.strides()[i] != expected) {
                return false;
            }
            expected *= d[i];
        }
        return true;
    }

    private static StridedView readable(CpuBackend backend, StridedView v) {
        return planesContiguous(v) ? v : Gemm.contiguousCopy(backend, v);
    }

    private static void freeCopy(StridedView used, StridedView original) {
        if (used != original) {
            used.storage().free();
        }
    }

    /** The values of a [C] view (or {@code fallback} everywhere when it is null). */
    private static double[] perChannel(StridedView v, int c, double fallback) {
        double[] d = new double[c];
        if (v == null) {
            java.util.Arrays.fill(d, fallback);
        } else {
            ((CpuStorage) v.storage()).access().read(v.offset(), v.strides()[0], d, 0, c);
        }
        return d;
    }

    static void forward(CpuBackend backend, StridedView x, StridedView weight, StridedView bias, StridedView mean,
            StridedView var, double eps, boolean batchStats, StridedView out) {
        StridedView xc = readable(backend, x);
        try {
            Planes p = Planes.of(xc);
            Planes o = Planes.of(out);
            double[] gamma = perChannel(weight, p.c(), 1);
            double[] beta = perChannel(bias, p.c(), 0);
            // normalise with the statistics as stored (what the backward pass will read)
            double[] mu = batchStats ? new double[p.c()] : perChannel(mean, p.c(), 0);
            double[] sigma2 = batchStats ? new double[p.c()] : perChannel(var, p.c(), 0);
            Access ax = ((CpuStorage) xc.storage()).access();
            Access ao = ((CpuStorage) out.storage()).access();
            boolean single = x.dtype() == DType.FLOAT32;
            CpuThreads.parallelFor(p.c(), p.grain(), 1, (from, to) -> {
                Channel channel = new Channel(ax, p, single);
                for (int c = (int) from; c < to; c++) {
                    channel.load(c);
                    if (batchStats) {
                        double[] mv = moments(channel, p);
                        mu[c] = stored(mv[0], mean);
                        sigma2[c] = stored(mv[1], var);
                    }
                    double scale = gamma[c] / Math.sqrt(sigma2[c] + eps);
                    for (int n = 0; n < p.n(); n++) {
                        int at = channel.plane(n);
                        if (channel.values instanceof float[] f) {
                            normalise(f, at, p.l(), (float) mu[c], (float) scale, (float) beta[c]);
                        } else {
                            normalise((double[]) channel.values, at, p.l(), mu[c], scale, beta[c]);
                        }
                        ao.writeOwn(o.at(n, c), 1, channel.values, at, p.l());
                    }
                }
            });
            if (batchStats) {
                ((CpuStorage) mean.storage()).access().write(mean.offset(), 1, mu, 0, p.c());
                ((CpuStorage) var.storage()).access().write(var.offset(), 1, sigma2, 0, p.c());
            }
        } finally {
            freeCopy(xc, x);
        }
    }

    /** {@code v} as a tensor of {@code where}'s dtype holds it. */
    private static double stored(double v, StridedView where) {
        return where.dtype() == DType.FLOAT32 ? (float) v : v;
    }

    /** Mean and biased variance of the loaded channel, about its first value, in double. */
    private static double[] moments(Channel channel, Planes p) {
        double shift = Double.NaN;
        double[] s = new double[2 * LANES];
        for (int n = 0; n < p.n(); n++) {
            int at = channel.plane(n);
            if (channel.values instanceof float[] f) {
                shift = n == 0 ? f[at] : shift;
                shiftedSums(f, at, p.l(), shift, s);
            } else {
                double[] d = (double[]) channel.values;
                shift = n == 0 ? d[at] : shift;
                shiftedSums(d, at, p.l(), shift, s);
            }
        }
        double s1 = 0;
        double s2 = 0;
        for (int k = 0; k < LANES; k++) {
            s1 += s[k];
            s2 += s[LANES + k];
        }
        double m = (double) p.n() * p.l();
        double meanShift = s1 / m;
        return new double[] {shift + meanShift, Math.max(0, s2 / m - meanShift * meanShift)};
    }

    /*
     * The channel sums run in LANES independent double sums, element i into sum i mod LANES, added
     * in lane order at the end: one chain of dependent additions waits 4 cycles an element, LANES
     * of them keep the adder busy (the backward pass of a CNN's batch norms took 3 times as long).
     */
    private static final int LANES = 4;

    /**
     * {@code s[k] += Σ (v − shift)} and {@code s[LANES + k] += Σ (v − shift)²} over the elements
     * {@code v[from + i]}, i &lt; length, i ≡ k mod LANES.
     */
    private static void shiftedSums(float[] v, int from, int length, double shift, double[] s) {
        double a0 = s[0], a1 = s[1], a2 = s[2], a3 = s[3];
        double b0 = s[4], b1 = s[5], b2 = s[6], b3 = s[7];
        int n = from + length;
        int i = from;
        for (; i + LANES <= n; i += LANES) {
            double d0 = v[i] - shift;
            double d1 = v[i + 1] - shift;
            double d2 = v[i + 2] - shift;
            double d3 = v[i + 3] - shift;
            a0 += d0;
            a1 += d1;
            a2 += d2;
            a3 += d3;
            b0 += d0 * d0;
            b1 += d1 * d1;
            b2 += d2 * d2;
            b3 += d3 * d3;
        }
        for (; i < n; i++) {
            double d = v[i] - shift;
            a0 += d;
            b0 += d * d;
        }
        s[0] = a0;
        s[1] = a1;
        s[2] = a2;
        s[3] = a3;
        s[4] = b0;
        s[5] = b1;
        s[6] = b2;
        s[7] = b3;
    }

    private static void shiftedSums(double[] v, int from, int length, double shift, double[] s) {
        double a0 = s[0], a1 = s[1], a2 = s[2], a3 = s[3];
        double b0 = s[4], b1 = s[5], b2 = s[6], b3 = s[7];
        int n = from + length;
        int i = from;
        for (; i + LANES <= n; i += LANES) {
            double d0 = v[i] - shift;
            double d1 = v[i + 1] - shift;
            double d2 = v[i + 2] - shift;
            double d3 = v[i + 3] - shift;
            a0 += d0;
            a1 += d1;
            a2 += d2;
            a3 += d3;
            b0 += d0 * d0;
            b1 += d1 * d1;
            b2 += d2 * d2;
            b3 += d3 * d3;
        }
        for (; i < n; i++) {
            double d = v[i] - shift;
            a0 += d;
            b0 += d * d;
        }
        s[0] = a0;
        s[1] = a1;
        s[2] = a2;
        s[3] = a3;
        s[4] = b0;
        s[5] = b1;
        s[6] = b2;
        s[7] = b3;
    }

    private static void normalise(float[] v, int from, int length, float mu, float scale, float beta) {
        for (int i = from; i < from + length; i++) {
            v[i] = Math.fma(v[i] - mu, scale, beta);
        }
    }

    private static void normalise(double[] v, int from, int length, double mu, double scale, double beta) {
        for (int i = from; i < from + length; i++) {
            v[i] = Math.fma(v[i] - mu, scale, beta);
        }
    }

    static void backward(CpuBackend backend, StridedView gradOut, StridedView x, StridedView weight, StridedView mean,
            StridedView var, double eps, boolean batchStats, StridedView gradIn, StridedView gradWeight,
            StridedView gradBias) {
        StridedView xc = readable(backend, x);
        StridedView gc = readable(backend, gradOut);
        try {
            Planes px = Planes.of(xc);
            Planes pg = Planes.of(gc);
            Planes pi = gradIn == null ? null : Planes.of(gradIn);
            int channels = px.c();
            double[] gamma = perChannel(weight, channels, 1);
            double[] mu = perChannel(mean, channels, 0);
            double[] sigma2 = perChannel(var, channels, 0);
            double[] sumG = new double[channels];
            double[] sumGX = new double[channels];
            Access ax = ((CpuStorage) xc.storage()).access();
            Access ag = ((CpuStorage) gc.storage()).access();
            Access ai = gradIn == null ? null : ((CpuStorage) gradIn.storage()).access();
            double m = (double) px.n() * px.l();
            boolean single = x.dtype() == DType.FLOAT32;
            CpuThreads.parallelFor(channels, px.grain(), 1, (from, to) -> {
                Channel xs = new Channel(ax, px, single);
                Channel gs = new Channel(ag, pg, single);
                for (int c = (int) from; c < to; c++) {
                    xs.load(c);
                    gs.load(c);
                    double invStd = 1 / Math.sqrt(sigma2[c] + eps);
                    boolean reduce = gradWeight != null || gradBias != null || (gradIn != null && batchStats);
                    if (reduce) {
                        double[] s = new double[2 * LANES];
                        for (int n = 0; n < px.n(); n++) {
                            int xAt = xs.plane(n);
                            int gAt = gs.plane(n);
                            if (single) {
                                gradientSums((float[]) gs.values, gAt, (float[]) xs.values, xAt, px.l(), (float) mu[c], s);
                            } else {
                                gradientSums((double[]) gs.values, gAt, (double[]) xs.values, xAt, px.l(), mu[c], s);
                            }
                        }
                        double s0 = 0;
                        double s1 = 0;
                        for (int k = 0; k < LANES; k++) {
                            s0 += s[k];
                            s1 += s[LANES + k];
                        }
                        sumG[c] = s0;
                        sumGX[c] = s1 * invStd;
                    }
                    if (gradIn == null) {
                        continue;
                    }
                    double a = gamma[c] * invStd;
                    double b = batchStats ? -a * invStd * sumGX[c] / m : 0;
                    double k = batchStats ? -a * sumG[c] / m : 0;
                    for (int n = 0; n < px.n(); n++) {
                        int xAt = xs.plane(n);
                        int gAt = gs.plane(n);
                        if (single) {
                            inputGrad((float[]) gs.values, gAt, (float[]) xs.values, xAt, px.l(), (float) mu[c],
                                    (float) a, (float) b, (float) k);
                        } else {
                            inputGrad((double[]) gs.values, gAt, (double[]) xs.values, xAt, px.l(), mu[c], a, b, k);
                        }
                        ai.writeOwn(pi.at(n, c), 1, gs.values, gAt, px.l());
                    }
                }
            });
            if (gradWeight != null) {
                ((CpuStorage) gradWeight.storage()).access().write(gradWeight.offset(), 1, sumGX, 0, channels);
            }
            if (gradBias != null) {
                ((CpuStorage) gradBias.storage()).access().write(gradBias.offset(), 1, sumG, 0, channels);
            }
        } finally {
            freeCopy(xc, x);
            freeCopy(gc, gradOut);
        }
    }

    /**
     * {@code s[k] += Σ g} and {@code s[LANES + k] += Σ g·(x − μ)} over the elements
     * {@code g[gFrom + i]}, {@code x[xFrom + i]}, i &lt; length, i ≡ k mod LANES, in double.
     */
    private static void gradientSums(float[] g, int gFrom, float[] x, int xFrom, int length, float mu, double[] s) {
        double a0 = s[0], a1 = s[1], a2 = s[2], a3 = s[3];
        double b0 = s[4], b1 = s[5], b2 = s[6], b3 = s[7];
        int n = length;
        int i = 0;
        for (; i + LANES <= n; i += LANES) {
            a0 += g[gFrom + i];
            a1 += g[gFrom + i + 1];
            a2 += g[gFrom + i + 2];
            a3 += g[gFrom + i + 3];
            b0 += (double) g[gFrom + i] * (x[xFrom + i] - mu);
            b1 += (double) g[gFrom + i + 1] * (x[xFrom + i + 1] - mu);
            b2 += (double) g[gFrom + i + 2] * (x[xFrom + i + 2] - mu);
            b3 += (double) g[gFrom + i + 3] * (x[xFrom + i + 3] - mu);
        }
        for (; i < n; i++) {
            a0 += g[gFrom + i];
            b0 += (double) g[gFrom + i] * (x[xFrom + i] - mu);
        }
        s[0] = a0;
        s[1] = a1;
        s[2] = a2;
        s[3] = a3;
        s[4] = b0;
        s[5] = b1;
        s[6] = b2;
        s[7] = b3;
    }

    private static void gradientSums(double[] g, int gFrom, double[] x, int xFrom, int length, double mu, double[] s) {
        double a0 = s[0], a1 = s[1], a2 = s[2], a3 = s[3];
        double b0 = s[4], b1 = s[5], b2 = s[6], b3 = s[7];
        int n = length;
        int i = 0;
        for (; i + LANES <= n; i += LANES) {
            a0 += g[gFrom + i];
            a1 += g[gFrom + i + 1];
            a2 += g[gFrom + i + 2];
            a3 += g[gFrom + i + 3];
            b0 += g[gFrom + i] * (x[xFrom + i] - mu);
            b1 += g[gFrom + i + 1] * (x[xFrom + i + 1] - mu);
            b2 += g[gFrom + i + 2] * (x[xFrom + i + 2] - mu);
            b3 += g[gFrom + i + 3] * (x[xFrom + i + 3] - mu);
        }
        for (; i < n; i++) {
            a0 += g[gFrom + i];
            b0 += g[gFrom + i] * (x[xFrom + i] - mu);
        }
        s[0] = a0;
        s[1] = a1;
        s[2] = a2;
        s[3] = a3;
        s[4] = b0;
        s[5] = b1;
        s[6] = b2;
        s[7] = b3;
    }

    /** {@code g ← a·g + b·(x − μ) + k} over {@code g[gFrom + i]}, {@code x[xFrom + i]}, i &lt; length, in place. */
    private static void inputGrad(float[] g, int gFrom, float[] x, int xFrom, int length, float mu, float a, float b,
            float k) {
        for (int i = 0; i < length; i++) {
            g[gFrom + i] = Math.fma(a, g[gFrom + i], Math.fma(b, x[xFrom + i] - mu, k));
        }
    }

    private static void inputGrad(double[] g, int gFrom, double[] x, int xFrom, int length, double mu, double a,
            double b, double k) {
        for (int i = 0; i < length; i++) {
            g[gFrom + i] = Math.fma(a, g[gFrom + i], Math.fma(b, x[xFrom + i] - mu, k));
        }
    }
}
