package dev.descent.conformance;

import dev.descent.core.BatchNormGradients;
import dev.descent.core.DType;
import dev.descent.core.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;

/**
 * {@code Tensor.batchNorm} and {@code Tensor.batchNormBackward} against float64 loops: [N, C],
 * [N, C, L] and [N, C, H, W] inputs, batch 1, a large mean against a small deviation (where a
 * one-pass E[x²] − E[x]² loses every digit), running statistics instead of the batch's, no γ and
 * β, and non-contiguous inputs (NHWC permuted to NCHW).
 */
final class BatchNormCases {
    private static final String CATEGORY = "normalisation";
    private static final double EPS = 1e-5;

    private static final int[][] SHAPES = {{6, 3}, {4, 2, 5}, {3, 4, 5, 3}, {1, 3, 7, 5}, {2, 5, 1, 1}};

    private BatchNormCases() {
    }

    static Stream<DynamicNode> batchNorm(Harness h) {
        List<DynamicNode> forward = new ArrayList<>();
        List<DynamicNode> backward = new ArrayList<>();
        for (DType dt : h.floats()) {
            for (int[] shape : SHAPES) {
                for (boolean batchStats : new boolean[] {true, false}) {
                    for (boolean affine : new boolean[] {true, false}) {
                        forward.add(forward(h, dt, shape, batchStats, affine, false, 0));
                        backward.add(backward(h, dt, shape, batchStats, affine, false));
                    }
                }
            }
            forward.add(forward(h, dt, new int[] {2, 3, 4, 5}, true, true, true, 0));
            backward.add(backward(h, dt, new int[] {2, 3, 4, 5}, true, true, true));
            forward.add(forward(h, dt, new int[] {8, 2, 6, 6}, true, true, false, 1000));
        }
        return Stream.of(DynamicContainer.dynamicContainer("batchNorm", forward),
                DynamicContainer.dynamicContainer("batchNormBackward", backward));
    }

    private static String label(DType dt, int[] shape, boolean batchStats, boolean affine, boolean nhwc, double offset) {
        return String.format("%s x%s, %s statistics%s%s%s", dt, Harness.dims(shape), batchStats ? "batch" : "running",
                affine ? "" : ", no weight or bias", nhwc ? ", NHWC permuted to NCHW" : "",
                offset != 0 ? ", mean " + offset + " against deviation 2" : "");
    }

    private static Tensor input(CaseContext c, DType dt, RefArray v, boolean nhwc) {
        return nhwc ? ConvolutionCases.nhwc(c, dt, v) : c.tensor(dt, v);
    }

    private static DynamicNode forward(Harness h, DType dt, int[] shape, boolean batchStats, boolean affine,
            boolean nhwc, double offset) {
        String name = "batchNorm " + label(dt, shape, batchStats, affine, nhwc, offset) + " matches the reference";
        return h.test(CATEGORY, "batchNorm", name, c -> {
            int ch = shape[1];
            RefArray x = c.draw(dt, Domain.NORMAL, shape).map(v -> RefArray.castValue(v + offset, dt));
            RefArray gamma = affine ? c.draw(dt, Domain.NORMAL, ch) : null;
            RefArray beta = affine ? c.draw(dt, Domain.NORMAL, ch) : null;
            RefArray[] stats = batchStats ? moments(x) : new RefArray[] {c.draw(dt, Domain.NORMAL, ch),
                c.draw(dt, Domain.POSITIVE, ch)};
            Tensor mean = batchStats ? Tensor.zeros(c.device(), dt, ch) : c.tensor(dt, stats[0]);
            Tensor var = batchStats ? Tensor.zeros(c.device(), dt, ch) : c.tensor(dt, stats[1]);
            Tensor out = Tensor.batchNorm(input(c, dt, x, nhwc), affine ? c.tensor(dt, gamma) : null,
                    affine ? c.tensor(dt, beta) : null, mean, var, EPS, batchStats);
            if (batchStats) {
                // the statistics are sums of the channel's m values (scaled as such)
                int m = x.numel() / ch;
                RefArray absMean = moments(x.map(Math::abs))[0];
                c.expect(mean, dt, stats[0], absMean.map(v -> v * Tolerance.accumulation(m)), Tolerance.sum(dt));
                RefArray squares = moments(centred(x, stats[0]).map(v -> v * v))[0];
                c.expect(var, dt, stats[1], squares.map(v -> v * Tolerance.accumulation(m) * 4), Tolerance.sum(dt));
            }
            // normalised with the statistics as stored
            RefArray[] used = {hostValues(mean, ch), hostValues(var, ch)};
            RefArray[] expected = normalise(x, used[0], used[1], gamma, beta);
            c.expect(out, dt, expected[0], expected[1], Tolerance.sum(dt));
        });
    }

    private static DynamicNode backward(Harness h, DType dt, int[] shape, boolean batchStats, boolean affine,
            boolean nhwc) {
        String name = "batchNormBackward " + label(dt, shape, batchStats, affine, nhwc, 0) + " matches the reference";
        return h.test(CATEGORY, "batchNormBackward", name, c -> {
            int ch = shape[1];
            RefArray x = c.draw(dt, Domain.NORMAL, shape);
            RefArray g = c.draw(dt, Domain.NORMAL, shape);
            RefArray gamma = affine ? c.draw(dt, Domain.NORMAL, ch) : null;
            RefArray[] stats = batchStats ? moments(x) : new RefArray[] {c.draw(dt, Domain.NORMAL, ch),
                c.draw(dt, Domain.POSITIVE, ch)};
            RefArray mean = stats[0].cast(dt);
            RefArray var = stats[1].cast(dt);
            try (BatchNormGradients got = Tensor.batchNormBackward(input(c, dt, g, nhwc), input(c, dt, x, nhwc),
                    affine ? c.tensor(dt, gamma) : null, c.tensor(dt, mean), c.tensor(dt, var), EPS, batchStats, true,
                    true, true)) {
                RefArray[][] expected = gradients(g, x, gamma, mean, var, batchStats);
                c.expect(got.input(), dt, expected[0][0], expected[0][1], Tolerance.sum(dt));
                c.expect(got.weight(), dt, expected[1][0], expected[1][1], Tolerance.sum(dt));
                c.expect(got.bias(), dt, expected[2][0], expected[2][1], Tolerance.sum(dt));
            }
        });
    }

    private static RefArray hostValues(Tensor t, int ch) {
        return RefArray.of(new int[] {ch}, CaseContext.hostValues(t));
    }

    /** Channel (axis 1) of element k of an array of {@code shape}. */
    private static int channel(int k, int[] shape) {
        int inner = 1;
        for (int d = 2; d < shape.length; d++) {
            inner *= shape[d];
        }
        return k / inner % shape[1];
    }

    /** The mean and the biased variance of each channel, by two passes in double. */
    private static RefArray[] moments(RefArray x) {
        int[] s = x.shape();
        double[] mean = new double[s[1]];
        double[] var = new double[s[1]];
        double m = x.numel() / (double) s[1];
        for (int k = 0; k < x.numel(); k++) {
            mean[channel(k, s)] += x.flat(k) / m;
        }
        for (int k = 0; k < x.numel(); k++) {
            double d = x.flat(k) - mean[channel(k, s)];
            var[channel(k, s)] += d * d / m;
        }
        return new RefArray[] {RefArray.of(new int[] {s[1]}, mean), RefArray.of(new int[] {s[1]}, var)};
    }

    private static RefArray centred(RefArray x, RefArray mean) {
        int[] s = x.shape();
        double[] d = new double[x.numel()];
        for (int k = 0; k < d.length; k++) {
            d[k] = x.flat(k) - mean.flat(channel(k, s));
        }
        return RefArray.of(s, d);
    }

    /** {@code (x − μ)/√(σ² + ε)·γ + β} and its error scale: a few roundings of each term's size. */
    private static RefArray[] normalise(RefArray x, RefArray mean, RefArray var, RefArray gamma, RefArray beta) {
        int[] s = x.shape();
        double[] out = new double[x.numel()];
        double[] scale = new double[out.length];
        for (int k = 0; k < out.length; k++) {
            int ch = channel(k, s);
            double g = gamma == null ? 1 : gamma.flat(ch);
            double b = beta == null ? 0 : beta.flat(ch);
            double a = g / Math.sqrt(var.flat(ch) + EPS);
            out[k] = (x.flat(k) - mean.flat(ch)) * a + b;
            scale[k] = 8 * ((Math.abs(x.flat(k)) + Math.abs(mean.flat(ch))) * Math.abs(a) + Math.abs(b));
        }
        return new RefArray[] {RefArray.of(s, out), RefArray.of(s, scale)};
    }

    /** {dx, dγ, dβ}, each with its error scale ((m + 4)·Σ|term| for the sums). */
    private static RefArray[][] gradients(RefArray g, RefArray x, RefArray gamma, RefArray mean, RefArray var,
            boolean batchStats) {
        int[] s = x.shape();
        int ch = s[1];
        double m = x.numel() / (double) ch;
        double f = Tolerance.accumulation((int) m);
        double[] sumG = new double[ch];
        double[] sumGX = new double[ch];
        double[] absG = new double[ch];
        double[] absGX = new double[ch];
        for (int k = 0; k < x.numel(); k++) {
            int c = channel(k, s);
            double xhat = (x.flat(k) - mean.flat(c)) / Math.sqrt(var.flat(c) + EPS);
            sumG[c] += g.flat(k);
            sumGX[c] += g.flat(k) * xhat;
            absG[c] += Math.abs(g.flat(k));
            absGX[c] += Math.abs(g.flat(k) * xhat);
        }
        double[] dx = new double[x.numel()];
        double[] dxScale = new double[dx.length];
        for (int k = 0; k < dx.length; k++) {
            int c = channel(k, s);
            double invStd = 1 / Math.sqrt(var.flat(c) + EPS);
            double a = (gamma == null ? 1 : gamma.flat(c)) * invStd;
            double xhat = (x.flat(k) - mean.flat(c)) * invStd;
            dx[k] = a * (batchStats ? g.flat(k) - sumG[c] / m - xhat * sumGX[c] / m : g.flat(k));
            dxScale[k] = 8 * Math.abs(a) * (Math.abs(g.flat(k))
                    + (batchStats ? f * (absG[c] + (Math.abs(xhat) + 1) * absGX[c]) / m : 0));
        }
        double[] sGScale = new double[ch];
        double[] sGXScale = new double[ch];
        for (int c = 0; c < ch; c++) {
            sGScale[c] = f * absG[c];
            sGXScale[c] = 4 * f * absGX[c];
        }
        int[] cs = {ch};
        return new RefArray[][] {{RefArray.of(s, dx), RefArray.of(s, dxScale)},
            {RefArray.of(cs, sumGX), RefArray.of(cs, sGXScale)}, {RefArray.of(cs, sumG), RefArray.of(cs, sGScale)}};
    }
}
