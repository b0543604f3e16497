package dev.descent.cpu;

import dev.descent.core.DType;
import dev.descent.core.spi.SoftmaxOp;
import dev.descent.core.spi.StridedView;
import java.nio.FloatBuffer;

/**
 * The softmax family ({@link SoftmaxOp}) one row at a time, rows in parallel. A float32 row with
 * unit stride in both tensors runs in float on chunks of the row: the maximum by pairwise
 * {@code max} (SIMD loops), the first index of it by a scan, {@code e^(x - m)} by
 * {@link FloatKernels#exp} written straight into the output, the sum S' without the maximum's
 * term by pairwise halving within a chunk (error log2(512) u) and in double across chunks, then
 * one pass that scales (softmax) or shifts (log-softmax) the row. Every other row (float64, or a
 * strided axis) is read into a double array and computed in double with {@link Math#exp} and
 * Neumaier's compensated sum, then rounded once on store.
 */
final class RowSoftmax {
    private static final int CHUNK = FloatKernels.CHUNK;

    private RowSoftmax() {
    }

    static void run(SoftmaxOp op, StridedView x, int axis, StridedView out) {
        int rank = x.rank();
        int len = x.shape()[axis];
        long xStride = x.strides()[axis];
        long outStride = out.strides()[axis];
        int[] keptShape = new int[rank - 1];
        long[] keptX = new long[rank - 1];
        long[] keptOut = new long[rank - 1];
        for (int d = 0, k = 0; d < rank; d++) {
            if (d != axis) {
                keptShape[k] = x.shape()[d];
                keptX[k] = x.strides()[d];
                keptOut[k++] = out.strides()[d];
            }
        }
        Layout rows = Layout.of(keptShape, keptX, keptOut);
        if (rows.numel == 0 || len == 0) {
            return;
        }
        Access in = ((CpuStorage) x.storage()).access();
        Access dst = ((CpuStorage) out.storage()).access();
        boolean fast = x.dtype() == DType.FLOAT32 && xStride == 1 && (outStride == 1 || op == SoftmaxOp.LOGSUMEXP);
        long grain = Math.max(1, CpuThreads.GRAIN / len);
        CpuThreads.parallelFor(rows.numel, grain, 1, (from, to) -> {
            Layout.Cursor xc = rows.cursor(0, x.offset(), from);
            Layout.Cursor oc = rows.cursor(1, out.offset(), from);
            double[] row = fast ? null : new double[len];
            for (long r = from; r < to; r++) {
                if (fast) {
                    floatRow(op, ((Access.F32) in).b, (int) xc.offset, ((Access.F32) dst).b, (int) oc.offset, len);
                } else {
                    in.read(xc.offset, xStride, row, 0, len);
                    doubleRow(op, row, len);
                    dst.write(oc.offset, outStride, row, 0, op == SoftmaxOp.LOGSUMEXP ? 1 : len);
                }
                xc.advance(1);
                oc.advance(1);
            }
        });
    }

    // ---------------------------------------------------------------- float64 (and strided) rows

    /** The row op in double, in place; for LOGSUMEXP the result lands in {@code v[0]}. */
    static void doubleRow(SoftmaxOp op, double[] v, int len) {
        double m = Double.NEGATIVE_INFINITY;
        int at = 0;
        for (int i = 0; i < len; i++) {
            if (v[i] > m || Double.isNaN(v[i])) {
                m = v[i];
                at = i;
                if (Double.isNaN(m)) {
                    break;
                }
            }
        }
        if (!Double.isFinite(m)) {
            nonFinite(op, v, len, m);
            return;
        }
        double sum = 0;
        double lost = 0;
        for (int i = 0; i < len; i++) {
            double e = i == at ? 0 : Math.exp(v[i] - m);
            double t = sum + e;
            lost += Math.abs(sum) >= e ? (sum - t) + e : (e - t) + sum;
            sum = t;
        }
        double rest = sum + lost;
        switch (op) {
            case LOGSUMEXP -> v[0] = m + Math.log1p(rest);
            case LOG_SOFTMAX -> {
                double l = Math.log1p(rest);
                for (int i = 0; i < len; i++) {
                    v[i] = (v[i] - m) - l;
                }
            }
            case SOFTMAX -> {
                double total = 1 + rest;
                for (int i = 0; i < len; i++) {
                    v[i] = Math.exp(v[i] - m) / total;
                }
            }
        }
    }

    /** A row whose maximum is NaN or infinite ({@link SoftmaxOp}'s rules). */
    private static void nonFinite(SoftmaxOp op, double[] v, int len, double m) {
        switch (op) {
            case LOGSUMEXP -> v[0] = m;
            case SOFTMAX -> java.util.Arrays.fill(v, 0, len, Double.NaN);
            case LOG_SOFTMAX -> {
                for (int i = 0; i < len; i++) {
                    v[i] = v[i] - m;
                }
            }
        }
    }

    // ---------------------------------------------------------------- float32 rows with unit stride

    private static void floatRow(SoftmaxOp op, FloatBuffer x, int xo, FloatBuffer out, int oo, int len) {
        FloatKernels.Scratch s = FloatKernels.scratch();
        float m = Float.NEGATIVE_INFINITY;
        for (int c = 0; c < len; c += CHUNK) {
            int n = Math.min(CHUNK, len - c);
            x.get(xo + c, s.x, 0, n);
            m = Math.max(m, SimdLoop.call(max, s.x, s.f5, null, null, null, null, 0, n));
        }
        if (Float.isNaN(m) || Float.isInfinite(m)) {
            double[] v = new double[len];
            for (int i = 0; i < len; i++) {
                v[i] = x.get(xo + i);
            }
            nonFinite(op, v, len, m);
            for (int i = 0; i < (op == SoftmaxOp.LOGSUMEXP ? 1 : len); i++) {
                out.put(oo + i, (float) v[i]);
            }
            return;
        }
        int at = -1;
        double rest = 0;
        for (int c = 0; c < len; c += CHUNK) {
            int n = Math.min(CHUNK, len - c);
            x.get(xo + c, s.x, 0, n);
            SimdLoop.call(subtract, s.x, null, null, null, null, null, m, n);
            FloatKernels.exp(s.x, s.out, n, s);
            if (op == SoftmaxOp.SOFTMAX) {
                out.put(oo + c, s.out, 0, n);
            }
            if (at < 0) {
                // The maximum's term is exactly 1 (x - m = 0); leave the first one out of S'.
                for (int i = 0; i < n; i++) {
                    if (s.x[i] == 0f) {
                        at = c + i;
                        s.out[i] = 0f;
                        break;
                    }
                }
            }
            rest += SimdLoop.call(sum, s.out, s.f5, null, null, null, null, 0, n);
        }
        switch (op) {
            case LOGSUMEXP -> out.put(oo, (float) (m + Math.log1p(rest)));
            case LOG_SOFTMAX -> {
                float l = (float) Math.log1p(rest);
                for (int c = 0; c < len; c += CHUNK) {
                    int n = Math.min(CHUNK, len - c);
                    x.get(xo + c, s.x, 0, n);
                    SimdLoop.call(subtract, s.x, null, null, null, null, null, m, n);
                    SimdLoop.call(subtract, s.x, null, null, null, null, null, l, n);
                    out.put(oo + c, s.x, 0, n);
                }
            }
            case SOFTMAX -> {
                float inverse = (float) (1 / (1 + rest));
                for (int c = 0; c < len; c += CHUNK) {
                    int n = Math.min(CHUNK, len - c);
                    out.get(oo + c, s.out, 0, n);
                    SimdLoop.call(multiply, s.out, null, null, null, null, null, inverse, n);
                    out.put(oo + c, s.out, 0, n);
                }
            }
        }
    }

    // The row's loops, run through SimdLoop.call (see SimdLoop for why).
    private static SimdLoop max = (a, b, c, d, i, j, k, n) -> max(a, n, b);
    private static SimdLoop sum = (a, b, c, d, i, j, k, n) -> sum(a, n, b);
    private static SimdLoop subtract = (a, b, c, d, i, j, k, n) -> {
        subtract(a, k, n);
        return 0f;
    };
    private static SimdLoop multiply = (a, b, c, d, i, j, k, n) -> {
        multiply(a, k, n);
        return 0f;
    };

    private static void subtract(float[] v, float k, int n) {
        for (int i = 0; i < n; i++) {
            v[i] -= k;
        }
    }

    private static void multiply(float[] v, float k, int n) {
        for (int i = 0; i < n; i++) {
            v[i] *= k;
        }
    }

    /** The largest of {@code v[0..n)} (NaN if any is NaN), by pairwise halving in {@code work}. */
    static float max(float[] v, int n, float[] work) {
        if (n == 1) {
            return v[0];
        }
        // The first level reads v itself: pairs (i, i + h) below n - h, the unpaired rest copied.
        int h = Integer.highestOneBit(n - 1);
        for (int i = 0; i < n - h; i++) {
            work[i] = Math.max(v[i], v[i + h]);
        }
        System.arraycopy(v, n - h, work, n - h, 2 * h - n);
        for (h >>= 1; h >= 1; h >>= 1) {
            for (int i = 0; i < h; i++) {
                work[i] = Math.max(work[i], work[i + h]);
            }
        }
        return work[0];
    }

    /** The sum of {@code v[0..n)} by pairwise halving in {@code work}: error at most log2(n) roundings per term. */
    static float sum(float[] v, int n, float[] work) {
        if (n == 1) {
            return v[0];
        }
        int h = Integer.highestOneBit(n - 1);
        for (int i = 0; i < n - h; i++) {
            work[i] = v[i] + v[i + h];
        }
        System.arraycopy(v, n - h, work, n - h, 2 * h - n);
        for (h >>= 1; h >= 1; h >>= 1) {
            for (int i = 0; i < h; i++) {
                work[i] += work[i + h];
            }
        }
        return work[0];
    }
}
