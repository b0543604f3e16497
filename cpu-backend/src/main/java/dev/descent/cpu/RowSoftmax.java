package dev.descent.cpu;

import dev.descent.core.DType;
import dev.descent.core.spi.SoftmaxOp;
import dev.descent.core.spi.StridedView;
import java.nio.FloatBuffer;

/**
 * The softmax family ({@link SoftmaxOp}) one row at a time, rows in parallel. A float32 row with
 * unit stride in both tensors runs in float on chunks of the row, in three passes: the maximum m
 * (a running elementwise {@code max}, then pairwise halving); {@code e^(x - m)} by
 * {@link FloatKernels#shiftedExpParts}, with the terms equal to 1 (the maximum's) counted apart
 * and the rest summed by pairwise halving within a chunk (error log2(512) u) and in double across
 * chunks; then one pass that scales (softmax) or shifts (log-softmax) the row. A row of up to 64
 * chunks is read from the tensor once and kept in the scratch between the passes. All SIMD loops:
 * no scalar scan, no select. Every other row (float64, or a strided axis) is read into a double
 * array and computed in double with {@link Math#exp} and Neumaier's compensated sum, then rounded
 * once on store. A causal row ({@code CAUSAL_SOFTMAX}) is a softmax over its first {@code kept}
 * entries, the others written as 0 (none kept: all 0).
 *
 * <p>Where {@link NativeSoftmaxRows} is available, the float32 rows with unit stride run in its C form of the same computation, which gives the same bits in about half the
 * time; it hands back to {@link #floatRow} the rows it cannot promise to round alike.
 */
final class RowSoftmax {
    /** A power of two of at least 2·{@link #SHORT}: the reductions below halve it five times with constant offsets. */
    private static final int CHUNK = FloatKernels.CHUNK;

    private RowSoftmax() {
    }

    static void run(SoftmaxOp op, StridedView x, int axis, StridedView out) {
        run(op, x, axis, out, true);
    }

    /** {@link #run}, with the native rows allowed where they are available (or not: the tests' Java path). */
    static void run(SoftmaxOp op, StridedView x, int axis, StridedView out, boolean nativeAllowed) {
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
        boolean causal = op == SoftmaxOp.CAUSAL_SOFTMAX;
        SoftmaxOp rowOp = causal ? SoftmaxOp.SOFTMAX : op;
        int queries = causal ? x.shape()[axis - 1] : 1;
        boolean nativeRows = nativeAllowed && fast && len <= NATIVE_MAX_LEN
                && NativeSoftmaxRows.availability().available();
        long grain = Math.max(1, CpuThreads.GRAIN / len);
        CpuThreads.parallelFor(rows.numel, grain, 1, (from, to) -> {
            Layout.Cursor xc = rows.cursor(0, x.offset(), from);
            Layout.Cursor oc = rows.cursor(1, out.offset(), from);
            if (nativeRows) {
                nativeRows(rowOp, (CpuStorage) x.storage(), xc, (CpuStorage) out.storage(), oc, from, to, len,
                        causal ? queries : 0);
                return;
            }
            double[] row = fast ? null : new double[len];
            for (long r = from; r < to; r++) {
                int kept = causal ? kept(r, queries, len) : len;
                if (fast) {
                    maskedFloatRow(rowOp, ((Access.F32) in).b, (int) xc.offset, ((Access.F32) dst).b, (int) oc.offset,
                            kept, len);
                } else {
                    in.read(xc.offset, xStride, row, 0, len);
                    if (kept > 0) {
                        doubleRow(rowOp, row, kept);
                    }
                    java.util.Arrays.fill(row, kept, len, 0.0);
                    dst.write(oc.offset, outStride, row, 0, op == SoftmaxOp.LOGSUMEXP ? 1 : len);
                }
                xc.advance(1);
                oc.advance(1);
            }
        });
    }

    /** The entries a causal row keeps: j <= i + len - queries, for the row at query index i = r % queries. */
    private static int kept(long r, int queries, int len) {
        return (int) Math.max(0, Math.min(len, r % queries + 1 + len - queries));
    }

    /** {@link #floatRow} over a row's first {@code kept} entries (none: no call), the rest written as 0. */
    private static void maskedFloatRow(SoftmaxOp op, FloatBuffer x, int xo, FloatBuffer out, int oo, int kept, int len) {
        if (kept > 0) {
            floatRow(op, x, xo, out, oo, kept);
        }
        for (int j = kept; j < len; j++) {
            out.put(oo + j, 0f);
        }
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
            case CAUSAL_SOFTMAX -> throw new IllegalArgumentException("causal rows run as SOFTMAX over their kept part");
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
            case CAUSAL_SOFTMAX -> throw new IllegalArgumentException("causal rows run as SOFTMAX over their kept part");
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
        // a row of at most ROW_CHUNKS chunks (32K floats, 128 KB a thread) is read once, into the
        // scratch's row chunks; a longer one is read again, chunk by chunk into s.x, by each pass
        boolean resident = len <= FloatKernels.Scratch.ROW_CHUNKS * CHUNK;
        float m = rowMax(x, xo, len, s, resident);
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
        // S = Σ e^(x - m) = ties + rest: the terms equal to 1 (the maximum's) are counted apart, so
        // that a confident row's small rest keeps its precision through log1p. The ties accumulate
        // elementwise in the scratch's ties (exact: counts; the first chunk's loop keeps none of
        // what was there), the rest by pairwise halving within a chunk and in double across chunks.
        double rest = 0;
        for (int c = 0; c < len; c += CHUNK) {
            int n = Math.min(CHUNK, len - c);
            float[] v = chunk(x, xo, c, n, s, resident);
            FloatKernels.shiftedExpParts(v, m, s.out, n, s);
            float keep = c == 0 ? 0f : 1f;
            if (op == SoftmaxOp.SOFTMAX) {
                // e replaces x in the chunk (x is not read again): kept if resident, else to out
                SimdLoop.call(expRestTies, v, s.out, s.f2, s.ties, keep, n);
                if (!resident) {
                    out.put(oo + c, v, 0, n);
                }
            } else {
                SimdLoop.call(restTies, v, s.out, s.f2, s.ties, keep, n);
            }
            rest += SimdLoop.call(sum, s.out, s.f4, null, null, 0, n);
        }
        double ties = SimdLoop.call(sum, s.ties, s.f4, null, null, 0, Math.min(CHUNK, len));
        switch (op) {
            case CAUSAL_SOFTMAX -> throw new IllegalArgumentException("causal rows run as SOFTMAX over their kept part");
            case LOGSUMEXP -> out.put(oo, (float) (m + logSum(ties, rest)));
            case LOG_SOFTMAX -> {
                s.scalar[0] = (float) logSum(ties, rest);
                for (int c = 0; c < len; c += CHUNK) {
                    int n = Math.min(CHUNK, len - c);
                    float[] v = chunk(x, xo, c, n, s, resident);
                    SimdLoop.call(shiftTwice, v, s.scalar, null, null, m, n);
                    out.put(oo + c, v, 0, n);
                }
            }
            case SOFTMAX -> {
                float inverse = inverse(ties, rest);
                for (int c = 0; c < len; c += CHUNK) {
                    int n = Math.min(CHUNK, len - c);
                    float[] e = resident ? s.row(c / CHUNK) : s.out;
                    if (!resident) {
                        out.get(oo + c, e, 0, n);
                    }
                    SimdLoop.call(multiply, e, null, null, null, inverse, n);
                    out.put(oo + c, e, 0, n);
                }
            }
        }
    }

    /** log Σ e^(x - m) from the sum's two parts: the count of terms equal to 1, and the rest. */
    private static double logSum(double ties, double rest) {
        return Math.log1p((ties - 1) + rest);
    }

    /** 1 / Σ e^(x - m), rounded to float, from the sum's two parts. */
    private static float inverse(double ties, double rest) {
        return (float) (1 / (ties + rest));
    }

    // ---------------------------------------------------------------- the same rows in C

    /** The longest row the native kernels take: their tie counts stay exact in float below 2^24. */
    private static final int NATIVE_MAX_LEN = 1 << 24;
    /** Rows a native call takes at most (the offsets it is given are copied in and out by JNA). */
    private static final int NATIVE_BLOCK = 256;

    /**
     * Rows {@code from} to {@code to}, from the cursors' positions, through {@link NativeSoftmaxRows}
     * ({@code op} a row op: causal rows are SOFTMAX over their kept entries, given {@code queries};
     * 0 for rows kept whole), then the rows it leaves (see softmax_rows.c) through the Java path.
     */
    private static void nativeRows(SoftmaxOp op, CpuStorage x, Layout.Cursor xc, CpuStorage out, Layout.Cursor oc,
            long from, long to, int len, int queries) {
        int code = switch (op) {
            case LOG_SOFTMAX -> NativeSoftmaxRows.LOG_SOFTMAX;
            case SOFTMAX -> NativeSoftmaxRows.SOFTMAX;
            case LOGSUMEXP -> NativeSoftmaxRows.LOGSUMEXP;
            case CAUSAL_SOFTMAX -> throw new IllegalArgumentException("causal rows run as SOFTMAX over their kept part");
        };
        int block = (int) Math.min(to - from, NATIVE_BLOCK);
        long[] xOffsets = new long[block];
        long[] outOffsets = new long[block];
        int[] kept = new int[block];
        int[] javaRows = new int[block];
        for (long first = from; first < to; first += block) {
            int n = (int) Math.min(block, to - first);
            for (int r = 0; r < n; r++) {
                xOffsets[r] = xc.offset;
                outOffsets[r] = oc.offset;
                kept[r] = queries > 0 ? kept(first + r, queries, len) : len;
                xc.advance(1);
                oc.advance(1);
            }
            int left = NativeSoftmaxRows.descent_softmax_rows(code, x.address(0), xOffsets, out.address(0), outOffsets,
                    n, len, kept, javaRows);
            for (int i = 0; i < left; i++) {
                int r = javaRows[i];
                maskedFloatRow(op, ((Access.F32) x.access()).b, (int) xOffsets[r], ((Access.F32) out.access()).b,
                        (int) outOffsets[r], kept[r], len);
            }
        }
    }

    /** The row's chunk at c: the resident one, or read again into s.x. */
    private static float[] chunk(FloatBuffer x, int xo, int c, int n, FloatKernels.Scratch s, boolean resident) {
        if (resident) {
            return s.row(c / CHUNK);
        }
        x.get(xo + c, s.x, 0, n);
        return s.x;
    }

    /**
     * The row's maximum (NaN if any is NaN): an elementwise running maximum over its chunks in f5,
     * then one reduction (in f4). A resident row's chunks are read into the scratch's row chunks.
     */
    private static float rowMax(FloatBuffer x, int xo, int len, FloatKernels.Scratch s, boolean resident) {
        int first = Math.min(CHUNK, len);
        x.get(xo, s.f5, 0, first);
        if (resident) {
            System.arraycopy(s.f5, 0, s.row(0), 0, first);
        }
        for (int c = CHUNK; c < len; c += CHUNK) {
            int n = Math.min(CHUNK, len - c);
            float[] v = resident ? s.row(c / CHUNK) : s.x;
            x.get(xo + c, v, 0, n);
            SimdLoop.call(maxInto, v, s.f5, n);
        }
        return SimdLoop.call(max, s.f5, s.f4, null, null, 0, first);
    }

    // The row's loops, run through SimdLoop.call (see SimdLoop for why).
    private static SimdLoop max = (a, b, c, d, i, k, n) -> max(a, n, b);
    private static SimdLoop maxInto = (a, b, c, d, i, k, n) -> {
        maxInto(a, b, n);
        return 0f;
    };
    private static SimdLoop sum = (a, b, c, d, i, k, n) -> sum(a, n, b);
    private static SimdLoop restTies = (a, b, c, d, i, k, n) -> {
        restTies(b, c, d, k, n);
        return 0f;
    };
    private static SimdLoop expRestTies = (a, b, c, d, i, k, n) -> {
        expRestTies(a, b, c, d, k, n);
        return 0f;
    };
    private static SimdLoop shiftTwice = (a, b, c, d, i, k, n) -> {
        shiftTwice(a, k, b[0], n);
        return 0f;
    };
    private static SimdLoop multiply = (a, b, c, d, i, k, n) -> {
        multiply(a, k, n);
        return 0f;
    };

    private static void maxInto(float[] v, float[] acc, int n) {
        for (int i = 0; i < n; i++) {
            acc[i] = Math.max(acc[i], v[i]);
        }
    }

    /**
     * From p and the biased scale of {@link FloatKernels#shiftedExpParts}: e = e^(x - m) (at most
     * 1), its indicator t = [e == 1] added to {@code ties} (times {@code keep}: 0 for a row's
     * first chunk, 1 after), and e - t in place of p. The maximum's
     * terms are exactly 1, so they are among the ties (as is any term x - m too small to move
     * e^(x - m) off 1: moving an exact 1 from one part to the other changes neither). t is
     * {@code e - (1/2 - 2^-24)} rounded to an integer: 1/2 + 2^-24 (exact) for e = 1 rounds to
     * 1, while the float below 1, 1 - 2^-24, gives exactly 1/2, which rounds to the even 0, and
     * every smaller e less; three operations where a min costs five.
     */
    private static void restTies(float[] p, float[] scale, float[] ties, float keep, int n) {
        for (int i = 0; i < n; i++) {
            float e = p[i] * scale[i] * FloatKernels.UNBIAS;
            float t = ((e - TIE_THRESHOLD) + MAGIC) - MAGIC;
            p[i] = e - t;
            ties[i] = ties[i] * keep + t;
        }
    }

    /** {@link #restTies}, and e in place of x (softmax's numerators). */
    private static void expRestTies(float[] x, float[] p, float[] scale, float[] ties, float keep, int n) {
        for (int i = 0; i < n; i++) {
            float e = p[i] * scale[i] * FloatKernels.UNBIAS;
            float t = ((e - TIE_THRESHOLD) + MAGIC) - MAGIC;
            x[i] = e;
            p[i] = e - t;
            ties[i] = ties[i] * keep + t;
        }
    }

    /** 1/2 - 2^-24: e less it rounds to 1 only for e = 1. */
    private static final float TIE_THRESHOLD = 0.5f - 0x1p-24f;
    /** 1.5·2^23: adding and subtracting it rounds a float of magnitude below 2^22 to an integer. */
    private static final float MAGIC = 0x1.8p23f;

    /** {@code (v - m) - l} in place: log-softmax from the row's maximum m and l = log Σ e^(x - m). */
    private static void shiftTwice(float[] v, float m, float l, int n) {
        for (int i = 0; i < n; i++) {
            v[i] = (v[i] - m) - l;
        }
    }

    private static void multiply(float[] v, float k, int n) {
        for (int i = 0; i < n; i++) {
            v[i] *= k;
        }
    }

    /*
     * The two pairwise reductions of up to a chunk: the first level pairs (i, i + h) below n - h, h
     * the largest power of two below n, the unpaired rest carried; each next level halves what is
     * left. C2 17 vectorises a[i] + a[i + h] only for a constant h (a loop-invariant h stays scalar:
     * 200 ns for 512 floats), so a chunk of more than 64 is padded to CHUNK with the operation's
     * identity (0, or -inf for max: the same sums and maxima as the uneven first level) and
     * reduced by levels with constant offsets; a short one takes the plain loops.
     */

    private static final int SHORT = 64;

    /** The largest of {@code v[0..n)} (NaN if any is NaN), {@code n <= CHUNK}, in {@code w}. */
    static float max(float[] v, int n, float[] w) {
        if (n <= SHORT) {
            float m = v[0];
            for (int i = 1; i < n; i++) {
                m = Math.max(m, v[i]);
            }
            return m;
        }
        float[] src = padded(v, n, w, Float.NEGATIVE_INFINITY);
        for (int i = 0; i < CHUNK / 2; i++) {
            w[i] = Math.max(src[i], src[i + CHUNK / 2]);
        }
        for (int i = 0; i < CHUNK / 4; i++) {
            w[i] = Math.max(w[i], w[i + CHUNK / 4]);
        }
        for (int i = 0; i < CHUNK / 8; i++) {
            w[i] = Math.max(w[i], w[i + CHUNK / 8]);
        }
        for (int i = 0; i < CHUNK / 16; i++) {
            w[i] = Math.max(w[i], w[i + CHUNK / 16]);
        }
        for (int i = 0; i < CHUNK / 32; i++) {
            w[i] = Math.max(w[i], w[i + CHUNK / 32]);
        }
        float m = w[0];
        for (int i = 1; i < CHUNK / 32; i++) {
            m = Math.max(m, w[i]);
        }
        return m;
    }

    /** The sum of {@code v[0..n)}, {@code n <= CHUNK}, in {@code w}: error at most log2(n) roundings per term. */
    static float sum(float[] v, int n, float[] w) {
        if (n == 1) {
            return v[0];
        }
        if (n <= SHORT) {
            int h = Integer.highestOneBit(n - 1);
            for (int i = 0; i < n - h; i++) {
                w[i] = v[i] + v[i + h];
            }
            System.arraycopy(v, n - h, w, n - h, 2 * h - n);
            return halves(w, h);
        }
        float[] src = padded(v, n, w, 0f);
        for (int i = 0; i < CHUNK / 2; i++) {
            w[i] = src[i] + src[i + CHUNK / 2];
        }
        for (int i = 0; i < CHUNK / 4; i++) {
            w[i] += w[i + CHUNK / 4];
        }
        for (int i = 0; i < CHUNK / 8; i++) {
            w[i] += w[i + CHUNK / 8];
        }
        for (int i = 0; i < CHUNK / 16; i++) {
            w[i] += w[i + CHUNK / 16];
        }
        for (int i = 0; i < CHUNK / 32; i++) {
            w[i] += w[i + CHUNK / 32];
        }
        return halves(w, CHUNK / 32);
    }

    /** The pairwise sum of {@code w[0..len)}, len a power of two, by halving in place. */
    private static float halves(float[] w, int len) {
        for (int h = len >> 1; h >= 1; h >>= 1) {
            for (int i = 0; i < h; i++) {
                w[i] += w[i + h];
            }
        }
        return w[0];
    }

    /** v itself if it fills a chunk, else its n values copied into w and the rest of w set to {@code identity}. */
    private static float[] padded(float[] v, int n, float[] w, float identity) {
        if (n == CHUNK) {
            return v;
        }
        System.arraycopy(v, 0, w, 0, n);
        java.util.Arrays.fill(w, n, CHUNK, identity);
        return w;
    }
}
