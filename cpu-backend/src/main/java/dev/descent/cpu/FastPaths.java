package dev.descent.cpu;

import dev.descent.core.DType;
import dev.descent.core.spi.BinaryOp;
import dev.descent.core.spi.StridedView;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;

/**
 * Direct loops over the NIO buffers for the hot case: the arithmetic a training step runs
 * most (+ - * / and their scalar forms, and comparisons with a scalar, which ReLU's gradient
 * makes at every step) on contiguous floating tensors of one dtype. They skip
 * the chunk copies of {@link Elementwise}, which matters where the op is memory-bound. The
 * general path stays the reference; the conformance suite checks both.
 */
final class FastPaths {
    private FastPaths() {
    }

    private static boolean handles(BinaryOp op) {
        return op == BinaryOp.ADD || op == BinaryOp.SUB || op == BinaryOp.MUL || op == BinaryOp.DIV;
    }

    private static boolean compares(BinaryOp op) {
        return switch (op) {
            case EQ, NE, LT, LE, GT, GE -> true;
            default -> false;
        };
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
        if (!(handles(op) || compares(op)) || !sameFloating(a, out)) {
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
            case DIV -> div(x, s, z, n);
            default -> compare(op, x, s, z, n);
        }
    }

    /** 1 where {@code x op s} holds, else 0 (NaN compares false, and unequal). */
    private static void compare(BinaryOp op, FloatBuffer x, float s, FloatBuffer z, int n) {
        switch (op) {
            case GT -> {
                for (int i = 0; i < n; i++) {
                    z.put(i, x.get(i) > s ? 1f : 0f);
                }
            }
            case GE -> {
                for (int i = 0; i < n; i++) {
                    z.put(i, x.get(i) >= s ? 1f : 0f);
                }
            }
            case LT -> {
                for (int i = 0; i < n; i++) {
                    z.put(i, x.get(i) < s ? 1f : 0f);
                }
            }
            case LE -> {
                for (int i = 0; i < n; i++) {
                    z.put(i, x.get(i) <= s ? 1f : 0f);
                }
            }
            case EQ -> {
                for (int i = 0; i < n; i++) {
                    z.put(i, x.get(i) == s ? 1f : 0f);
                }
            }
            default -> {
                for (int i = 0; i < n; i++) {
                    z.put(i, x.get(i) != s ? 1f : 0f);
                }
            }
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
            case DIV -> div(x, s, z, n);
            default -> {
                for (int i = 0; i < n; i++) {
                    double v = x.get(i);
                    boolean holds = switch (op) {
                        case GT -> v > s;
                        case GE -> v >= s;
                        case LT -> v < s;
                        case LE -> v <= s;
                        case EQ -> v == s;
                        default -> v != s;
                    };
                    z.put(i, holds ? 1 : 0);
                }
            }
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
