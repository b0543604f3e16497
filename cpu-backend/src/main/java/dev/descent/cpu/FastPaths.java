package dev.descent.cpu;

import dev.descent.core.DType;
import dev.descent.core.spi.BinaryOp;
import dev.descent.core.spi.StridedView;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;

/**
 * Direct loops over the NIO buffers for the hot case: the arithmetic a training step runs
 * most (+ - * / and their scalar forms) on contiguous floating tensors of one dtype. They skip
 * the chunk copies of {@link Elementwise}, which matters where the op is memory-bound. The
 * general path stays the reference; the conformance suite checks both.
 */
final class FastPaths {
    private FastPaths() {
    }

    private static boolean handles(BinaryOp op) {
        return op == BinaryOp.ADD || op == BinaryOp.SUB || op == BinaryOp.MUL || op == BinaryOp.DIV;
    }

    private static boolean sameFloating(StridedView... views) {
        DType t = views[0].dtype();
        if (!t.isFloating()) {
            return false;
        }
        for (StridedView v : views) {
            if (v.dtype() != t || !v.isContiguous()) {
                return false;
            }
        }
        return true;
    }

    /** {@code out = a op b} if this path handles it; false leaves the work to the general path. */
    static boolean binary(BinaryOp op, StridedView a, StridedView b, StridedView out) {
        if (handles(op) && out.dtype() == DType.FLOAT32 && a.dtype() == DType.FLOAT32 && b.dtype() == DType.FLOAT32
                && out.isContiguous() && (a.isContiguous() != b.isContiguous())) {
            return broadcast(op, a, b, out);
        }
        if (!handles(op) || !sameFloating(a, b, out)) {
            return false;
        }
        int oa = (int) a.offset();
        int ob = (int) b.offset();
        int oo = (int) out.offset();
        if (out.dtype() == DType.FLOAT32) {
            FloatBuffer fa = ((Access.F32) access(a)).b;
            FloatBuffer fb = ((Access.F32) access(b)).b;
            FloatBuffer fo = ((Access.F32) access(out)).b;
            CpuThreads.parallelFor(out.numel(), CpuThreads.GRAIN, 16,
                    (from, to) -> f32(op, fa, oa, fb, ob, fo, oo, (int) from, (int) to));
        } else {
            DoubleBuffer da = ((Access.F64) access(a)).b;
            DoubleBuffer db = ((Access.F64) access(b)).b;
            DoubleBuffer dout = ((Access.F64) access(out)).b;
            CpuThreads.parallelFor(out.numel(), CpuThreads.GRAIN, 8,
                    (from, to) -> f64(op, da, oa, db, ob, dout, oo, (int) from, (int) to));
        }
        return true;
    }

    /** {@code out = a op s} if this path handles it. */
    static boolean binaryScalar(BinaryOp op, StridedView a, double s, StridedView out) {
        if (op.isComparison() && out.dtype() == DType.FLOAT32 && sameFloating(a, out)) {
            FloatBuffer fa = ((Access.F32) access(a)).b;
            FloatBuffer fo = ((Access.F32) access(out)).b;
            int oa = (int) a.offset();
            int oo = (int) out.offset();
            float x = (float) s;
            CpuThreads.parallelFor(out.numel(), CpuThreads.GRAIN, 16, (from, to) -> {
                int n = (int) (to - from);
                compare(op, fa.slice(oa + (int) from, n), x, fo.slice(oo + (int) from, n), n);
            });
            return true;
        }
        if (!handles(op) || !sameFloating(a, out)) {
            return false;
        }
        int oa = (int) a.offset();
        int oo = (int) out.offset();
        if (out.dtype() == DType.FLOAT32) {
            FloatBuffer fa = ((Access.F32) access(a)).b;
            FloatBuffer fo = ((Access.F32) access(out)).b;
            float x = (float) s;
            CpuThreads.parallelFor(out.numel(), CpuThreads.GRAIN, 16,
                    (from, to) -> f32(op, fa, oa, x, fo, oo, (int) from, (int) to));
        } else {
            DoubleBuffer da = ((Access.F64) access(a)).b;
            DoubleBuffer dout = ((Access.F64) access(out)).b;
            CpuThreads.parallelFor(out.numel(), CpuThreads.GRAIN, 8,
                    (from, to) -> f64(op, da, oa, s, dout, oo, (int) from, (int) to));
        }
        return true;
    }

    // ---------------------------------------------------------------- one operand broadcast (float32)

    /**
     * {@code out = a op b} where one operand is contiguous and the other broadcast in one of the
     * two shapes a layer makes: repeated whole along the leading axes (a bias, position
     * embeddings: a block of {@code period} values) or constant along the last axis (a row's sum
     * or maximum, kept as [..., 1]). False for any other layout.
     */
    private static boolean broadcast(BinaryOp op, StridedView a, StridedView b, StridedView out) {
        boolean bBroadcast = a.isContiguous();
        StridedView x = bBroadcast ? a : b;
        StridedView y = bBroadcast ? b : a;
        FloatBuffer fx = ((Access.F32) access(x)).b;
        FloatBuffer fy = ((Access.F32) access(y)).b;
        FloatBuffer fo = ((Access.F32) access(out)).b;
        int ox = (int) x.offset();
        int oy = (int) y.offset();
        int oo = (int) out.offset();
        long n = out.numel();
        long period = period(y);
        if (period >= MIN_RUN && n % period == 0) {
            int p = (int) period;
            CpuThreads.parallelFor(n / p, Math.max(1, CpuThreads.GRAIN / p), 1, (from, to) -> {
                FloatBuffer yy = fy.slice(oy, p);
                for (long q = from; q < to; q++) {
                    int at = (int) (q * p);
                    periodic(op, fx.slice(ox + at, p), yy, fo.slice(oo + at, p), p, !bBroadcast);
                }
            });
            return true;
        }
        long row = rowLength(y);
        if (row >= MIN_RUN && n % row == 0) {
            int len = (int) row;
            long step = rowStep(y);
            CpuThreads.parallelFor(n / len, Math.max(1, CpuThreads.GRAIN / len), 1, (from, to) -> {
                for (long r = from; r < to; r++) {
                    int at = (int) (r * len);
                    float v = fy.get((int) (oy + r * step));
                    constantRow(op, fx.slice(ox + at, len), v, fo.slice(oo + at, len), len, !bBroadcast);
                }
            });
            return true;
        }
        return false;
    }

    /** The shortest block or row worth a loop of its own (shorter ones go the general way). */
    private static final int MIN_RUN = 16;

    /** P when {@code v} repeats one contiguous block of P elements along its leading axes (stride 0), else -1. */
    static long period(StridedView v) {
        int[] shape = v.shape();
        long[] strides = v.strides();
        long expected = 1;
        int d = shape.length - 1;
        for (; d >= 0; d--) {
            if (shape[d] == 1) {
                continue;
            }
            if (strides[d] != expected) {
                break;
            }
            expected *= shape[d];
        }
        for (int k = d; k >= 0; k--) {
            if (shape[k] != 1 && strides[k] != 0) {
                return -1;
            }
        }
        return expected;
    }

    /** L when {@code v} is constant along its last axis (size L, stride 0) and its rows' values evenly spaced, else -1. */
    static long rowLength(StridedView v) {
        int last = v.rank() - 1;
        if (last < 0 || v.shape()[last] < 2 || v.strides()[last] != 0) {
            return -1;
        }
        long step = rowStep(v);
        if (step <= 0) {
            return -1;
        }
        long expected = step;
        for (int d = last - 1; d >= 0; d--) {
            if (v.shape()[d] == 1) {
                continue;
            }
            if (v.strides()[d] != expected) {
                return -1;
            }
            expected *= v.shape()[d];
        }
        return v.shape()[last];
    }

    /** The stride from one row's value to the next: that of the innermost axis before the last that is not of size 1. */
    private static long rowStep(StridedView v) {
        for (int d = v.rank() - 2; d >= 0; d--) {
            if (v.shape()[d] != 1) {
                return v.strides()[d] == 0 ? -1 : v.strides()[d];
            }
        }
        return 1;
    }

    private static void periodic(BinaryOp op, FloatBuffer x, FloatBuffer y, FloatBuffer z, int n, boolean yFirst) {
        switch (op) {
            case ADD -> add(x, y, z, n);
            case MUL -> mul(x, y, z, n);
            case SUB -> {
                if (yFirst) {
                    sub(y, x, z, n);
                } else {
                    sub(x, y, z, n);
                }
            }
            default -> {
                if (yFirst) {
                    div(y, x, z, n);
                } else {
                    div(x, y, z, n);
                }
            }
        }
    }

    private static void constantRow(BinaryOp op, FloatBuffer x, float v, FloatBuffer z, int n, boolean vFirst) {
        switch (op) {
            case ADD -> add(x, v, z, n);
            case MUL -> mul(x, v, z, n);
            case SUB -> {
                if (vFirst) {
                    rsub(x, v, z, n);
                } else {
                    add(x, -v, z, n);
                }
            }
            default -> {
                if (vFirst) {
                    rdiv(x, v, z, n);
                } else {
                    div(x, v, z, n);
                }
            }
        }
    }

    /** The comparison as a 0/1 mask; NaN compares false (so 0, and 1 for NE), as {@code ChunkMath}. */
    // "(float) (c ? 1 : 0)" selects an int, which C2 compiles to a conditional move, then converts it.
    // "c ? 1f : 0f" (and "c ? 1 : 0" passed as a float, which javac turns into it) selects a float,
    // which C2 compiles to a branch, mispredicted half the time on a ReLU's mask: 4.9 ns an element
    // against 0.5.
    private static void compare(BinaryOp op, FloatBuffer x, float s, FloatBuffer z, int n) {
        switch (op) {
            case EQ -> eq(x, s, z, n);
            case NE -> ne(x, s, z, n);
            case LT -> lt(x, s, z, n);
            case LE -> le(x, s, z, n);
            case GT -> gt(x, s, z, n);
            default -> ge(x, s, z, n);
        }
    }

    private static void eq(FloatBuffer x, float s, FloatBuffer z, int n) {
        for (int i = 0; i < n; i++) {
            z.put(i, (float) (x.get(i) == s ? 1 : 0));
        }
    }

    private static void ne(FloatBuffer x, float s, FloatBuffer z, int n) {
        for (int i = 0; i < n; i++) {
            z.put(i, (float) (x.get(i) != s ? 1 : 0));
        }
    }

    private static void lt(FloatBuffer x, float s, FloatBuffer z, int n) {
        for (int i = 0; i < n; i++) {
            z.put(i, (float) (x.get(i) < s ? 1 : 0));
        }
    }

    private static void le(FloatBuffer x, float s, FloatBuffer z, int n) {
        for (int i = 0; i < n; i++) {
            z.put(i, (float) (x.get(i) <= s ? 1 : 0));
        }
    }

    private static void gt(FloatBuffer x, float s, FloatBuffer z, int n) {
        for (int i = 0; i < n; i++) {
            z.put(i, (float) (x.get(i) > s ? 1 : 0));
        }
    }

    private static void ge(FloatBuffer x, float s, FloatBuffer z, int n) {
        for (int i = 0; i < n; i++) {
            z.put(i, (float) (x.get(i) >= s ? 1 : 0));
        }
    }

    private static void rsub(FloatBuffer x, float s, FloatBuffer z, int n) {
        for (int i = 0; i < n; i++) {
            z.put(i, s - x.get(i));
        }
    }

    private static void rdiv(FloatBuffer x, float s, FloatBuffer z, int n) {
        for (int i = 0; i < n; i++) {
            z.put(i, s / x.get(i));
        }
    }

    // ---------------------------------------------------------------- copies (float32)

    /**
     * {@code dst = src} for float32 views with {@code dst} contiguous (a permuted view made
     * contiguous: attention's heads): the source's runs copied in bulk where they are contiguous.
     */
    static boolean copy(StridedView src, StridedView dst) {
        if (src.dtype() != DType.FLOAT32 || dst.dtype() != DType.FLOAT32 || !dst.isContiguous()) {
            return false;
        }
        Layout layout = Layout.of(src.shape(), src.strides());
        if (layout.numel == 0) {
            return true;
        }
        FloatBuffer in = ((Access.F32) access(src)).b;
        FloatBuffer out = ((Access.F32) access(dst)).b;
        int oo = (int) dst.offset();
        CpuThreads.parallelFor(layout.numel, CpuThreads.GRAIN, 16, (from, to) -> {
            Layout.Cursor c = layout.cursor(0, src.offset(), from);
            c.forEachRun((int) (to - from), (off, stride, at, k) -> {
                int o = oo + (int) from + at;
                if (stride == 1) {
                    out.put(o, in, (int) off, k);
                } else {
                    for (int i = 0; i < k; i++) {
                        out.put(o + i, in.get((int) (off + i * stride)));
                    }
                }
            });
        });
        return true;
    }

    private static Access access(StridedView v) {
        return ((CpuStorage) v.storage()).access();
    }

    private static void f32(BinaryOp op, FloatBuffer a, int oa, FloatBuffer b, int ob, FloatBuffer o, int oo, int from, int to) {
        int n = to - from;
        // Zero-based slices: the JIT removes the index checks of a loop from 0, not of one from an offset.
        FloatBuffer x = a.slice(oa + from, n);
        FloatBuffer y = b.slice(ob + from, n);
        FloatBuffer z = o.slice(oo + from, n);
        switch (op) {
            case ADD -> add(x, y, z, n);
            case SUB -> sub(x, y, z, n);
            case MUL -> mul(x, y, z, n);
            default -> div(x, y, z, n);
        }
    }

    private static void f32(BinaryOp op, FloatBuffer a, int oa, float s, FloatBuffer o, int oo, int from, int to) {
        int n = to - from;
        FloatBuffer x = a.slice(oa + from, n);
        FloatBuffer z = o.slice(oo + from, n);
        switch (op) {
            case ADD -> add(x, s, z, n);
            case SUB -> add(x, -s, z, n);
            case MUL -> mul(x, s, z, n);
            default -> div(x, s, z, n);
        }
    }

    private static void add(FloatBuffer x, FloatBuffer y, FloatBuffer z, int n) {
        for (int i = 0; i < n; i++) {
            z.put(i, x.get(i) + y.get(i));
        }
    }

    private static void sub(FloatBuffer x, FloatBuffer y, FloatBuffer z, int n) {
        for (int i = 0; i < n; i++) {
            z.put(i, x.get(i) - y.get(i));
        }
    }

    private static void mul(FloatBuffer x, FloatBuffer y, FloatBuffer z, int n) {
        for (int i = 0; i < n; i++) {
            z.put(i, x.get(i) * y.get(i));
        }
    }

    private static void div(FloatBuffer x, FloatBuffer y, FloatBuffer z, int n) {
        for (int i = 0; i < n; i++) {
            z.put(i, x.get(i) / y.get(i));
        }
    }

    private static void add(FloatBuffer x, float s, FloatBuffer z, int n) {
        for (int i = 0; i < n; i++) {
            z.put(i, x.get(i) + s);
        }
    }

    private static void mul(FloatBuffer x, float s, FloatBuffer z, int n) {
        for (int i = 0; i < n; i++) {
            z.put(i, x.get(i) * s);
        }
    }

    private static void div(FloatBuffer x, float s, FloatBuffer z, int n) {
        for (int i = 0; i < n; i++) {
            z.put(i, x.get(i) / s);
        }
    }

    private static void f64(BinaryOp op, DoubleBuffer a, int oa, DoubleBuffer b, int ob, DoubleBuffer o, int oo, int from, int to) {
        int n = to - from;
        // Zero-based slices: the JIT removes the index checks of a loop from 0, not of one from an offset.
        DoubleBuffer x = a.slice(oa + from, n);
        DoubleBuffer y = b.slice(ob + from, n);
        DoubleBuffer z = o.slice(oo + from, n);
        switch (op) {
            case ADD -> add(x, y, z, n);
            case SUB -> sub(x, y, z, n);
            case MUL -> mul(x, y, z, n);
            default -> div(x, y, z, n);
        }
    }

    private static void f64(BinaryOp op, DoubleBuffer a, int oa, double s, DoubleBuffer o, int oo, int from, int to) {
        int n = to - from;
        DoubleBuffer x = a.slice(oa + from, n);
        DoubleBuffer z = o.slice(oo + from, n);
        switch (op) {
            case ADD -> add(x, s, z, n);
            case SUB -> add(x, -s, z, n);
            case MUL -> mul(x, s, z, n);
            default -> div(x, s, z, n);
        }
    }

    private static void add(DoubleBuffer x, DoubleBuffer y, DoubleBuffer z, int n) {
        for (int i = 0; i < n; i++) {
            z.put(i, x.get(i) + y.get(i));
        }
    }

    private static void sub(DoubleBuffer x, DoubleBuffer y, DoubleBuffer z, int n) {
        for (int i = 0; i < n; i++) {
            z.put(i, x.get(i) - y.get(i));
        }
    }

    private static void mul(DoubleBuffer x, DoubleBuffer y, DoubleBuffer z, int n) {
        for (int i = 0; i < n; i++) {
            z.put(i, x.get(i) * y.get(i));
        }
    }

    private static void div(DoubleBuffer x, DoubleBuffer y, DoubleBuffer z, int n) {
        for (int i = 0; i < n; i++) {
            z.put(i, x.get(i) / y.get(i));
        }
    }

    private static void add(DoubleBuffer x, double s, DoubleBuffer z, int n) {
        for (int i = 0; i < n; i++) {
            z.put(i, x.get(i) + s);
        }
    }

    private static void mul(DoubleBuffer x, double s, DoubleBuffer z, int n) {
        for (int i = 0; i < n; i++) {
            z.put(i, x.get(i) * s);
        }
    }

    private static void div(DoubleBuffer x, double s, DoubleBuffer z, int n) {
        for (int i = 0; i < n; i++) {
            z.put(i, x.get(i) / s);
        }
    }
}
