package dev.descent.cpu;

import dev.descent.core.spi.Pool2dGeometry;
import dev.descent.core.spi.StridedView;

/**
 * Max and average pooling and their gradients, one [H, W] plane at a time: each plane is read
 * into a {@code double[]} (any strides), pooled in double and written to the contiguous result,
 * so that float32 and float64 share one loop (an average is summed in double and rounded once).
 * Planes are spread over the backend's threads; each plane's result does not depend on them.
 */
final class Pooling {
    private Pooling() {
    }

    /** The planes of an [N, C, H, W] view and the window over them. */
    private record Planes(int n, int c, int h, int w, int oh, int ow, Pool2dGeometry g) {
        static Planes of(int[] in, int[] out, Pool2dGeometry g) {
            return new Planes(in[0], in[1], in[2], in[3], out[2], out[3], g);
        }

        int count() {
            return n * c;
        }

        /** Planes per thread's part: at least {@link CpuThreads#GRAIN} elements of work. */
        long grain() {
            return Math.max(1, CpuThreads.GRAIN / ((long) h * w));
        }

        /** 2×2 windows with stride 2 and no padding: each inside the plane, none overlapping. */
        boolean pairs() {
            return g.kernelH() == 2 && g.kernelW() == 2 && g.strideH() == 2 && g.strideW() == 2 && g.padH() == 0
                    && g.padW() == 0;
        }

        int rowStart(int i) {
            return i * g.strideH() - g.padH();
        }

        int colStart(int j) {
            return j * g.strideW() - g.padW();
        }

        /** PyTorch's divisor: the window clipped to the padded input, or to the input alone. */
        int divisor(int i, int j, boolean countIncludePad) {
            int h0 = rowStart(i);
            int w0 = colStart(j);
            int h1 = Math.min(h0 + g.kernelH(), h + g.padH());
            int w1 = Math.min(w0 + g.kernelW(), w + g.padW());
            if (countIncludePad) {
                return (h1 - h0) * (w1 - w0);
            }
            return (Math.min(h1, h) - Math.max(h0, 0)) * (Math.min(w1, w) - Math.max(w0, 0));
        }
    }

    static void maxPool(StridedView x, Pool2dGeometry g, StridedView out, StridedView indices) {
        Planes s = Planes.of(x.shape(), out.shape(), g);
        Access ax = ((CpuStorage) x.storage()).access();
        Access ao = ((CpuStorage) out.storage()).access();
        Access ai = indices == null ? null : ((CpuStorage) indices.storage()).access();
        boolean single = x.dtype() == dev.descent.core.DType.FLOAT32;
        CpuThreads.parallelFor(s.count(), s.grain(), 1, (from, to) -> {
            Object plane = single ? new float[s.h() * s.w()] : new double[s.h() * s.w()];
            Object values = single ? new float[s.oh() * s.ow()] : new double[s.oh() * s.ow()];
            long[] where = new long[s.oh() * s.ow()];
            for (int p = (int) from; p < to; p++) {
                readOwnPlane(ax, x, p, s, plane);
                if (single && s.pairs()) {
                    maxPairs(s, (float[]) plane, (float[]) values, where);
                } else if (single) {
                    maxPlane(s, (float[]) plane, (float[]) values, where);
                } else {
                    maxPlane(s, (double[]) plane, (double[]) values, where);
                }
                long at = (long) p * s.oh() * s.ow();
                ao.writeOwn(out.offset() + at, 1, values, 0, where.length);
                if (ai != null) {
                    ai.fromArray(where, 0, indices.offset() + at, where.length);
                }
            }
        });
    }

    // PyTorch's scan in both: the window's first element with −∞, then a greater value or any NaN takes over.
    private static void maxPlane(Planes s, float[] plane, float[] values, long[] where) {
        Pool2dGeometry g = s.g();
        for (int i = 0; i < s.oh(); i++) {
            int h0 = Math.max(s.rowStart(i), 0);
            int h1 = Math.min(s.rowStart(i) + g.kernelH(), s.h());
            for (int j = 0; j < s.ow(); j++) {
                int w0 = Math.max(s.colStart(j), 0);
                int w1 = Math.min(s.colStart(j) + g.kernelW(), s.w());
                int best = h0 * s.w() + w0;
                float max = Float.NEGATIVE_INFINITY;
                for (int hh = h0; hh < h1; hh++) {
                    for (int k = hh * s.w() + w0; k < hh * s.w() + w1; k++) {
                        float v = plane[k];
                        if (v > max || v != v) {
                            max = v;
                            best = k;
                        }
                    }
                }
                values[i * s.ow() + j] = max;
                where[i * s.ow() + j] = best;
            }
        }
    }

    /**
     * {@link #maxPlane} for 2×2 windows, stride 2, with no unpredictable branch (the scan's
     * branches, mispredicted on noisy images, made max pooling a sixth of a CNN's step): the
     * scan's winner as a tournament, top pair, bottom pair, then the two winners, each choice
     * an int computed from a comparison (set, not jumped to). The same winner as the scan: a later element wins when greater or NaN, so
     * ties keep the first and NaN the last.
     */
    private static void maxPairs(Planes s, float[] p, float[] values, long[] where) {
        int w = s.w();
        for (int i = 0; i < s.oh(); i++) {
            int top = 2 * i * w;
            int bottom = top + w;
            for (int j = 0; j < s.ow(); j++) {
                int a = top + 2 * j;
                int c = bottom + 2 * j;
                float b = p[a + 1];
                float d = p[c + 1];
                int k1 = a + (b > p[a] | b != b ? 1 : 0);
                int k2 = c + (d > p[c] | d != d ? 1 : 0);
                float w2 = p[k2];
                int second = w2 > p[k1] | w2 != w2 ? 1 : 0;
                int k = k1 + ((k2 - k1) & -second);   // C2 compiles 'c ? k2 : k1' to a branch: 12 ns a window, 4.4 so
                values[i * s.ow() + j] = p[k];
                where[i * s.ow() + j] = k;
            }
        }
    }

    private static void maxPlane(Planes s, double[] plane, double[] values, long[] where) {
        Pool2dGeometry g = s.g();
        for (int i = 0; i < s.oh(); i++) {
            int h0 = Math.max(s.rowStart(i), 0);
            int h1 = Math.min(s.rowStart(i) + g.kernelH(), s.h());
            for (int j = 0; j < s.ow(); j++) {
                int w0 = Math.max(s.colStart(j), 0);
                int w1 = Math.min(s.colStart(j) + g.kernelW(), s.w());
                int best = h0 * s.w() + w0;
                double max = Double.NEGATIVE_INFINITY;
                for (int hh = h0; hh < h1; hh++) {
                    for (int k = hh * s.w() + w0; k < hh * s.w() + w1; k++) {
                        double v = plane[k];
                        if (v > max || v != v) {
                            max = v;
                            best = k;
                        }
                    }
                }
                values[i * s.ow() + j] = max;
                where[i * s.ow() + j] = best;
            }
        }
    }

    /** Plane {@code p} of {@code x} into an array of its own dtype, row by row (any strides). */
    private static void readOwnPlane(Access a, StridedView x, int p, Planes s, Object dst) {
        long[] st = x.strides();
        long at = planeAt(x, p);
        if (st[3] == 1 && st[2] == s.w()) {
            a.readOwn(at, 1, dst, 0, s.h() * s.w());
            return;
        }
        for (int h = 0; h < s.h(); h++) {
            a.readOwn(at + h * st[2], st[3], dst, h * s.w(), s.w());
        }
    }

    static void maxPoolInputGrad(StridedView gradOut, StridedView indices, StridedView gradIn) {
        int[] in = gradIn.shape();
        int[] out = gradOut.shape();
        int planeSize = in[2] * in[3];
        int outPlane = out[2] * out[3];
        Access ag = ((CpuStorage) gradOut.storage()).access();
        Access ai = ((CpuStorage) indices.storage()).access();
        Access ar = ((CpuStorage) gradIn.storage()).access();
        long grain = Math.max(1, CpuThreads.GRAIN / planeSize);
        if (gradIn.dtype() == dev.descent.core.DType.FLOAT32 && indices.dtype() == dev.descent.core.DType.INT64
                && planeContiguous(gradOut) && planeContiguous(indices)) {
            maxPoolInputGradFloats(gradOut, indices, gradIn, grain);
            return;
        }
        CpuThreads.parallelFor((long) in[0] * in[1], grain, 1, (from, to) -> {
            double[] plane = new double[planeSize];
            double[] g = new double[outPlane];
            long[] where = new long[outPlane];
            for (int p = (int) from; p < to; p++) {
                readRows(ag, gradOut, p, g);
                readRows(ai, indices, p, where);
                java.util.Arrays.fill(plane, 0);
                for (int k = 0; k < outPlane; k++) {
                    plane[(int) where[k]] += g[k];
                }
                ar.write(gradIn.offset() + (long) p * planeSize, 1, plane, 0, planeSize);
            }
        });
    }

    /**
     * {@link #maxPoolInputGrad} for float32 with whole planes in memory: each plane read and
     * written in bulk (the generic path converts element by element through the buffer), summed
     * in double all the same, so windows that share an element give the same bits.
     */
    private static void maxPoolInputGradFloats(StridedView gradOut, StridedView indices, StridedView gradIn,
            long grain) {
        int planeSize = gradIn.shape()[2] * gradIn.shape()[3];
        int outPlane = gradOut.shape()[2] * gradOut.shape()[3];
        Access ag = ((CpuStorage) gradOut.storage()).access();
        Access ai = ((CpuStorage) indices.storage()).access();
        Access ar = ((CpuStorage) gradIn.storage()).access();
        CpuThreads.parallelFor((long) gradIn.shape()[0] * gradIn.shape()[1], grain, 1, (from, to) -> {
            float[] g = new float[outPlane];
            long[] where = new long[outPlane];
            double[] sums = new double[planeSize];
            float[] plane = new float[planeSize];
            for (int p = (int) from; p < to; p++) {
                ag.toArray(planeAt(gradOut, p), g, 0, outPlane);
                ai.toArray(planeAt(indices, p), where, 0, outPlane);
                java.util.Arrays.fill(sums, 0);
                for (int k = 0; k < outPlane; k++) {
                    sums[(int) where[k]] += g[k];
                }
                for (int k = 0; k < planeSize; k++) {
                    plane[k] = (float) sums[k];
                }
                ar.fromArray(plane, 0, gradIn.offset() + (long) p * planeSize, planeSize);
            }
        });
    }

    static void avgPool(StridedView x, Pool2dGeometry g, boolean countIncludePad, StridedView out) {
        Planes s = Planes.of(x.shape(), out.shape(), g);
        Access ao = ((CpuStorage) out.storage()).access();
        CpuThreads.parallelFor(s.count(), s.grain(), 1, (from, to) -> {
            double[] plane = new double[s.h() * s.w()];
            double[] values = new double[s.ow()];
            for (int p = (int) from; p < to; p++) {
                readPlane(x, p, s, plane);
                for (int i = 0; i < s.oh(); i++) {
                    int h0 = Math.max(s.rowStart(i), 0);
                    int h1 = Math.min(s.rowStart(i) + g.kernelH(), s.h());
                    for (int j = 0; j < s.ow(); j++) {
                        int w0 = Math.max(s.colStart(j), 0);
                        int w1 = Math.min(s.colStart(j) + g.kernelW(), s.w());
                        double sum = 0;
                        for (int hh = h0; hh < h1; hh++) {
                            for (int ww = w0; ww < w1; ww++) {
                                sum += plane[hh * s.w() + ww];
                            }
                        }
                        values[j] = sum / s.divisor(i, j, countIncludePad);
                    }
                    ao.write(out.offset() + ((long) p * s.oh() + i) * s.ow(), 1, values, 0, s.ow());
                }
            }
        });
    }

    static void avgPoolInputGrad(StridedView gradOut, Pool2dGeometry g, boolean countIncludePad, StridedView gradIn) {
        Planes s = Planes.of(gradIn.shape(), gradOut.shape(), g);
        Access ag = ((CpuStorage) gradOut.storage()).access();
        Access ar = ((CpuStorage) gradIn.storage()).access();
        CpuThreads.parallelFor(s.count(), s.grain(), 1, (from, to) -> {
            double[] plane = new double[s.h() * s.w()];
            double[] grads = new double[s.oh() * s.ow()];
            for (int p = (int) from; p < to; p++) {
                readRows(ag, gradOut, p, grads);
                java.util.Arrays.fill(plane, 0);
                for (int i = 0; i < s.oh(); i++) {
                    int h0 = Math.max(s.rowStart(i), 0);
                    int h1 = Math.min(s.rowStart(i) + g.kernelH(), s.h());
                    for (int j = 0; j < s.ow(); j++) {
                        int w0 = Math.max(s.colStart(j), 0);
                        int w1 = Math.min(s.colStart(j) + g.kernelW(), s.w());
                        double share = grads[i * s.ow() + j] / s.divisor(i, j, countIncludePad);
                        for (int hh = h0; hh < h1; hh++) {
                            for (int ww = w0; ww < w1; ww++) {
                                plane[hh * s.w() + ww] += share;
                            }
                        }
                    }
                }
                ar.write(gradIn.offset() + (long) p * s.h() * s.w(), 1, plane, 0, plane.length);
            }
        });
    }

    /** Whether each [H, W] plane of v [N, C, H, W] is H·W consecutive elements. */
    private static boolean planeContiguous(StridedView v) {
        int[] d = v.shape();
        long[] st = v.strides();
        return (d[3] == 1 || st[3] == 1) && (d[2] == 1 || st[2] == d[3]);
    }

    /** Where plane {@code p} (= n·C + c) of v [N, C, H, W] starts. */
    private static long planeAt(StridedView v, int p) {
        int c = v.shape()[1];
        return v.offset() + (p / c) * v.strides()[0] + (p % c) * v.strides()[1];
    }

    /** Plane {@code p} (= n·C + c) of {@code x} [N, C, H, W], any strides, into {@code dst} in row-major order. */
    private static void readPlane(StridedView x, int p, Planes s, double[] dst) {
        Access a = ((CpuStorage) x.storage()).access();
        long[] st = x.strides();
        long at = planeAt(x, p);
        for (int h = 0; h < s.h(); h++) {
            a.read(at + h * st[2], st[3], dst, h * s.w(), s.w());
        }
    }

    /** Plane {@code p} of a view [N, C, R, K] (any strides) into {@code dst} in row-major order. */
    private static void readRows(Access a, StridedView v, int p, double[] dst) {
        long[] st = v.strides();
        int[] d = v.shape();
        long at = planeAt(v, p);
        for (int r = 0; r < d[2]; r++) {
            a.read(at + r * st[2], st[3], dst, r * d[3], d[3]);
        }
    }

    private static void readRows(Access a, StridedView v, int p, long[] dst) {
        long[] st = v.strides();
        int[] d = v.shape();
        long at = planeAt(v, p);
        for (int r = 0; r < d[2]; r++) {
            a.read(at + r * st[2], st[3], dst, r * d[3], d[3]);
        }
    }
}
