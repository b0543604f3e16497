package dev.descent.cpu;

import dev.descent.core.spi.StridedView;
import dev.descent.core.spi.UnaryOp;
import java.nio.FloatBuffer;
import java.util.Arrays;

/**
 * The float32 {@code pow(x, y)}, as {@code 2^(y log2 x)} computed in double without a branch or a
 * table, so that C2 vectorises its loops, and rounded once to float. Both approximations are far
 * finer than the half ulp of float (3e-8) that the final rounding adds, so a result differs from
 * the correctly rounded one only where the exact power lies within about 1e-13 of a rounding
 * boundary:
 * <ul>
 * <li>{@code log2 x = e + log2 m}, x = 2^e m with m in [√½, √2) split from x's bits (in
 *     double), {@code log2 m = (2/ln2) atanh s}, {@code s = (m-1)/(m+1)},
 *     by its series to s^17 (|s| <= 0.172: truncation 3e-14 relative);</li>
 * <li>{@code 2^t}, t = y log2 x clamped to [-160, 160] (beyond, the float result is 0 or inf):
 *     {@code t = k + r}, k an integer and |r| <= 1/2, {@code 2^r} by its Taylor series to degree
 *     11 in {@code r ln2} (6e-15), and 2^k made from its bits: exact in double, so that the one
 *     rounding to float also reaches the subnormals.</li>
 * </ul>
 * Where x is zero, subnormal, infinite, NaN or negative (a negative base is taken for a scalar
 * integer exponent: the power of |x|, negated for an odd exponent), or y is not finite, the
 * element is {@link Math#pow} in double, rounded once (IEEE's special cases); a chunk without
 * such an element never looks. {@code pow(x, 2)} is {@code x·x}, the same bits as the reference.
 */
final class FloatPow {
    private static final int CHUNK = FloatKernels.CHUNK;
    /** 1.5·2^52: adding and subtracting it rounds a double below 2^51 to an integer; k + ROUND holds k in its low bits. */
    private static final double ROUND = 0x1.8p52;
    private static final long ROUND_BITS = 0x4338000000000000L;
    /** The bits of √½ (rounded down): x's bits less these, shifted, give the exponent e of x = 2^e m, m in [√½, √2). */
    private static final long SQRT_HALF_BITS = 0x3fe6a09e667f3bcdL;
    private static final long DOUBLE_BIAS = 1023;
    /** Beyond ±160, 2^t is 0 or inf in float; inside, 2^k is a normal double. */
    private static final double T_CLAMP = 160;
    // (2/ln2)/(2j + 1): log2 m = s Σ L_j s^2j
    private static final double L0 = 2.8853900817779268;
    private static final double L1 = 0.9617966939259756;
    private static final double L2 = 0.5770780163555853;
    private static final double L3 = 0.4121985831111324;
    private static final double L4 = 0.3205988979753252;
    private static final double L5 = 0.2623081892525388;
    private static final double L6 = 0.22195308321368667;
    private static final double L7 = 0.19235933878519512;
    private static final double L8 = 0.16972882833987804;
    private static final double LN2 = 0.6931471805599453;
    // 1/j!: 2^r = Σ (r ln2)^j / j!
    private static final double E2 = 0.5;
    private static final double E3 = 1.0 / 6;
    private static final double E4 = 1.0 / 24;
    private static final double E5 = 1.0 / 120;
    private static final double E6 = 1.0 / 720;
    private static final double E7 = 1.0 / 5040;
    private static final double E8 = 1.0 / 40320;
    private static final double E9 = 1.0 / 362880;
    private static final double E10 = 1.0 / 3628800;
    private static final double E11 = 1.0 / 39916800;

    private FloatPow() {
    }

    /** {@code out = x^y}, element by element (broadcast by the views' strides), all float32. */
    static void run(StridedView x, StridedView y, StridedView out) {
        Layout layout = Layout.of(out.shape(), out.strides(), x.strides(), y.strides());
        forEachChunk(layout, x, y, out, null);
    }

    /** {@code out = x^exponent}, the exponent already rounded to float. */
    static void run(StridedView x, float exponent, StridedView out) {
        Layout layout = Layout.of(out.shape(), out.strides(), x.strides());
        forEachChunk(layout, x, null, out, Scalar.of(exponent));
    }

    /** Over x (and y, or the scalar exponent where y is null) a chunk at a time, in parallel. */
    private static void forEachChunk(Layout layout, StridedView x, StridedView y, StridedView out, Scalar scalar) {
        if (layout.numel == 0) {
            return;
        }
        FloatBuffer xb = buffer(x);
        FloatBuffer yb = y == null ? null : buffer(y);
        FloatBuffer ob = buffer(out);
        CpuThreads.parallelFor(layout.numel, CpuThreads.GRAIN, CHUNK, (from, to) -> {
            FloatKernels.Scratch s = FloatKernels.scratch();
            Layout.Cursor readX = layout.cursor(1, x.offset(), from);
            Layout.Cursor readY = y == null ? null : layout.cursor(2, y.offset(), from);
            Layout.Cursor write = layout.cursor(0, out.offset(), from);
            if (y == null) {
                Arrays.fill(s.f5, scalar.value);
            }
            for (long pos = from; pos < to; pos += CHUNK) {
                int n = (int) Math.min(CHUNK, to - pos);
                readX.forEachRun(n, (off, stride, at, k) -> FloatUnary.read(xb, off, stride, s.x, at, k));
                if (readY != null) {
                    readY.forEachRun(n, (off, stride, at, k) -> FloatUnary.read(yb, off, stride, s.f5, at, k));
                    pow(s.x, s.f5, s.out, n, s, null);
                } else {
                    scalarPow(s.x, scalar, s.out, n, s);
                }
                write.forEachRun(n, (off, stride, at, k) -> FloatUnary.write(ob, off, stride, s.out, at, k));
            }
        });
    }

    private static FloatBuffer buffer(StridedView v) {
        return ((Access.F32) ((CpuStorage) v.storage()).access()).b;
    }

    /** {@code out = x^y} with y the scalar (s.f5 holds it n times): x·x for 2, Math.pow's for inf and NaN. */
    private static void scalarPow(float[] x, Scalar y, float[] out, int n, FloatKernels.Scratch s) {
        if (y.value == 2) {
            FloatKernels.unary(UnaryOp.SQUARE, x, out, n, s);
        } else if (!Float.isFinite(y.value)) {
            fallback(x, s.f5, out, n, false);
        } else {
            pow(x, s.f5, out, n, s, y);
        }
    }

    /** A scalar exponent, classified once a call; the kernel takes a negative base where it is an integer. */
    private record Scalar(float value, boolean integer, boolean odd) {
        static Scalar of(float y) {
            boolean integer = y == Math.rint(y);
            return new Scalar(y, integer, integer && Math.abs(y) < 0x1p24f && ((long) y & 1) == 1);
        }
    }

    /**
     * {@code out = x^y} over a chunk (x, y and out the scratch's x, f5 and out); {@code scalar}
     * is null for a tensor exponent. For an integer scalar, a negative x is raised as |x| and the
     * result takes x's sign where the exponent is odd; otherwise a negative x is Math.pow's.
     */
    private static void pow(float[] x, float[] y, float[] out, int n, FloatKernels.Scratch s, Scalar scalar) {
        boolean negativeBases = scalar != null && scalar.integer;
        float[] base = x;
        if (negativeBases) {
            FloatKernels.unary(UnaryOp.ABS, x, s.f3, n, s);
            base = s.f3;
        }
        HeapBits.copyBits(base, s.bits, n);
        boolean special = FloatKernels.positiveNormalFlag(s.bits, n) < 0;
        if (scalar == null) {
            // a tensor exponent: its infinities and NaN too
            HeapBits.copyBits(y, s.bits, n);
            special |= SimdLoop.call(infiniteFlag, s.bits, n) < 0;
        }
        double[] p = s.doubles;
        double[] k = s.doubles2;
        double[] w = s.doubles3;
        FloatErf.widen(base, p, n);
        split(p, k, n);
        if (scalar == null) {
            FloatErf.widen(y, w, n);
        } else {
            Arrays.fill(w, 0, n, scalar.value);
        }
        log2Times(p, k, w, n);
        exp2(w, p, k, n);
        scale(p, k, n);
        FloatErf.narrow(p, out, n);
        if (negativeBases && scalar.odd) {
            FloatKernels.unitSigns(x, s.f1, n);
            SimdLoop.call(multiply, out, s.f1, n);
        }
        if (special) {
            fallback(x, y, out, n, negativeBases);
        }
    }

    /** The elements the polynomial path does not take, through Math.pow. */
    private static void fallback(float[] x, float[] y, float[] out, int n, boolean negativeBases) {
        for (int i = 0; i < n; i++) {
            float b = negativeBases ? Math.abs(x[i]) : x[i];
            if (!(b >= Float.MIN_NORMAL && b <= Float.MAX_VALUE) || !Float.isFinite(y[i])) {
                out[i] = (float) Math.pow(x[i], y[i]);
            }
        }
    }

    private static final SimdLoop infiniteFlag = (a, b, c, d, i, k, n) -> infiniteFlag(i, n);
    private static final SimdLoop multiply = (a, b, c, d, i, k, n) -> {
        multiply(a, b, n);
        return 0f;
    };

    /** Negative where some bits are those of an infinity or NaN. */
    private static int infiniteFlag(int[] b, int n) {
        int flag = 0;
        for (int i = 0; i < n; i++) {
            flag |= ~((b[i] & 0x7fffffff) - 0x7f800000);
        }
        return flag;
    }

    /**
     * x = 2^e m with m in [√½, √2), for x positive normal (in float, so in double too): m in place
     * of x, and {@code e + ROUND} into e (bits that hold e in their low bits, as a double).
     */
    private static void split(double[] x, double[] e, int n) {
        for (int i = 0; i < n; i++) {
            long b = HeapBits.bits(x, i);
            long k = (b - SQRT_HALF_BITS) >> 52;
            HeapBits.setBits(x, i, b - (k << 52));
            HeapBits.setBits(e, i, k + ROUND_BITS);
        }
    }

    /**
     * From m (in p), e + ROUND (in k) and y (in w): t = y (e + log2 m), clamped, into w. Two loops
     * with {@link #exp2}: as one loop, C2 17 compiled them to 1.8 ns an element, as two to 1.4.
     */
    private static void log2Times(double[] p, double[] k, double[] w, int n) {
        for (int i = 0; i < n; i++) {
            double m = p[i];
            double s = (m - 1) / (m + 1);
            double z = s * s;
            double q = Math.fma(Math.fma(Math.fma(Math.fma(Math.fma(Math.fma(Math.fma(Math.fma(L8, z, L7), z, L6), z, L5),
                    z, L4), z, L3), z, L2), z, L1), z, L0);
            w[i] = Math.min(Math.max(w[i] * Math.fma(s, q, k[i] - ROUND), -T_CLAMP), T_CLAMP);
        }
    }

    /** From t (in w): its integer part plus ROUND into k (as {@link #split} leaves e), 2^(t - integer part) into p. */
    private static void exp2(double[] w, double[] p, double[] k, int n) {
        for (int i = 0; i < n; i++) {
            double t = w[i];
            double rounded = t + ROUND;
            double u = (t - (rounded - ROUND)) * LN2;
            double e = Math.fma(Math.fma(Math.fma(Math.fma(Math.fma(Math.fma(Math.fma(Math.fma(Math.fma(E11, u, E10), u, E9),
                    u, E8), u, E7), u, E6), u, E5), u, E4), u, E3), u, E2);
            p[i] = Math.fma(Math.fma(e, u, 1), u, 1);
            k[i] = rounded;
        }
    }

    /** {@code p·2^k}, k (in [-160, 160]) held as {@code k + ROUND}: exact, 2^k being a normal double. */
    private static void scale(double[] p, double[] k, int n) {
        for (int i = 0; i < n; i++) {
            HeapBits.setBits(k, i, (HeapBits.bits(k, i) - ROUND_BITS + DOUBLE_BIAS) << 52);
        }
        for (int i = 0; i < n; i++) {
            p[i] *= k[i];
        }
    }

    private static void multiply(float[] a, float[] b, int n) {
        for (int i = 0; i < n; i++) {
            a[i] *= b[i];
        }
    }
}
