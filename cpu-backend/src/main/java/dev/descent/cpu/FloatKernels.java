package dev.descent.cpu;

import dev.descent.core.spi.UnaryOp;

/**
 * float32 kernels of the transcendental functions, computed in float over a chunk held in
 * {@code float[]}, written so that C2 (JDK 17) compiles each loop to SIMD code with no flags:
 * straight-line {@code Math.fma}, {@code Math.min/max}, {@code +-*}{@code /} and int shifts
 * over arrays. What C2 17 does not vectorise — reinterpreting bits ({@code floatToRawIntBits},
 * {@code intBitsToFloat}), float/int conversion, selects — is avoided: the loops that turn an
 * exponent into a power of two read and write a float array's bits in place ({@link HeapBits}),
 * those that only reduce bits to a flag read a copy in an {@code int[]}, integer exponents are
 * read with the magic number 1.5·2^23, and selects become {@code min/max}, int masks, or a product
 * with a ±1 or 0/1 made by clamping x·2^200. Each {@code Math.min/max} costs about five
 * arithmetic operations (NaN and signed zeros), so the exp reductions run unclamped and redo a
 * chunk clamped only when its flag says so. Each loop is a method of its own, run through
 * {@link SimdLoop} so that C2 compiles it alone (inlined into the kernel it often came out
 * scalar), and a kernel makes as few passes as it can. Measured on an AMD EPYC (Zen 4), per
 * element and thread on a cached chunk: the exp reduction and polynomial 0.24 ns, a whole exp
 * 0.45–0.47, log 0.68–0.71, tanh 0.82–0.85, sigmoid 0.88–0.91 (0.81, 0.91, 0.95 and 1.04 through a
 * direct buffer and clamped); {@code Math.exp} on a float, 5–14 ns.
 *
 * <p>The functions, each over the whole float range (the ulp bounds are in the README of
 * cpu-backend, measured over all 2^32 inputs):
 * <ul>
 * <li>{@code exp}: Cody–Waite reduction {@code x = n ln2 + r}, |r| <= ln2/2 (ln2 split in two so
 *     that {@code n ln2_hi} is exact), {@code e^r = 1 + r + r²P(r)} with Cephes' degree-5
 *     {@code expf} polynomial, and the scale 2^n as one power of two where n is a normal exponent;
 *     a chunk with some n outside [-126, 127] applies it as two powers {@code 2^(n/2)}, so that
 *     results reach the subnormals and overflow to infinity with one rounding. Where n <= 0 is
 *     known (softmax's rows, e^-|x|) the scale is 2^(n+64) then 2^-64: one rounding, no check.
 *     A chunk with an input the unclamped reduction cannot take (|x| > 89, ±inf, NaN) is
 *     reduced again with inputs clamped to [-104, 89] (NaN passes through), beyond which the
 *     result is 0 or inf.
 * <li>{@code expm1}: the same reduction, {@code e^r - 1 = r + r²P(r)} and
 *     {@code e^x - 1 = 2^n (e^r - 1) + (2^n - 1)}, which is exact where n = 0 and loses nothing
 *     elsewhere since |e^x - 1| > 0.29 there; inputs above 88 take the float64 path.
 * <li>{@code log}: x = 2^e m with m in [√½, √2), {@code f = m - 1}, {@code s = f/(2+f)} and
 *     fdlibm's {@code logf} polynomial: {@code ln m = f - (f²/2 - s(f²/2 + R(s²)))}, with
 *     {@code e ln2} added in two parts. Zero, negative, subnormal, infinite and NaN inputs take
 *     the float64 path (a chunk without them never looks at it).
 * <li>{@code log1p}: {@code w = 1 + x} rounded, then {@code ln w + (x - (w - 1))/w}: the
 *     second term restores what rounding 1 + x lost (exact by Sterbenz, so no branch for small x).
 * <li>{@code tanh}: {@code q/(q + 2)} with {@code q = expm1(2|x|)}, |x| clamped to 9.5 (where
 *     tanh rounds to 1), and x's sign put back as a factor ±1: no cancellation for small x, no
 *     overflow for large.
 * <li>{@code sigmoid}: {@code e = exp(-|x|)}, then {@code 1/(1 + e)} for x >= 0 and
 *     {@code e/(1 + e)} below, as {@code (h + (1 - h) e)/(1 + e)} with h = [x >= 0] from the
 *     sign bit; the division's roundings are corrected as in tanh.
 * <li>{@code softplus}: {@code max(x, 0) + log1p(exp(-|x|))}, the log1p as above.
 * <li>sqrt, rsqrt ({@code 1/sqrt} in float, two roundings), reciprocal, square, neg, abs, relu:
 *     plain float arithmetic.
 * <li>{@code gelu}, {@code erf}: in double, branch-free ({@link FloatErf}), rounded once.
 * </ul>
 * Other ops (sign, sin, cos) have no float kernel: {@link #has} is false and the backend
 * computes them in double through {@link ChunkMath}, rounding once. pow, a binary op, has its
 * own ({@link FloatPow}).
 */
final class FloatKernels {
    /** The largest chunk a kernel is called with. */
    static final int CHUNK = Elementwise.CHUNK;

    private static final float MAGIC = 0x1.8p23f;
    private static final int MAGIC_BITS = 0x4B400000;
    private static final float LOG2E = 1.44269504f;
    private static final float LN2_HI = 0.693145752f;
    private static final float LN2_LO = 1.42860677e-6f;
    private static final float LN2_HI_LOG = 6.9313812256e-01f;
    private static final float LN2_LO_LOG = 9.0580006145e-06f;
    // Constants, not an array: C2 cannot hoist a load from an array out of a loop that stores into
    // another float[] (they might alias), and the load keeps the loop scalar (measured 4x slower).
    private static final float P0 = 1.9875691500E-4f;
    private static final float P1 = 1.3981999507E-3f;
    private static final float P2 = 8.3334519073E-3f;
    private static final float P3 = 4.1665795894E-2f;
    private static final float P4 = 1.6666665459E-1f;
    private static final float P5 = 5.0000001201E-1f;
    private static final float LG1 = 6.6666668653e-01f;
    private static final float LG2 = 4.0000000596e-01f;
    private static final float LG3 = 2.8571429849e-01f;
    private static final float LG4 = 2.2222198546e-01f;
    private static final float LG5 = 1.8183572590e-01f;
    private static final float LG6 = 1.5313838422e-01f;
    private static final float LG7 = 1.4798198640e-01f;
    /** Bits of 88.0f: expm1 above it takes the float64 path. */
    /** The exponent bias of {@link #biasedScale}, and the factor that takes it off. */
    private static final int EXP_BIAS = 64;
    static final float UNBIAS = 0x1p-64f;
    /** The bits of 1f. */
    static final int ONE_BITS = 0x3f800000;
    private static final int SIGN_BIT = 0x80000000;
    private static final int EXPM1_LIMIT_BITS = Float.floatToRawIntBits(88f);

    private FloatKernels() {
    }

    /**
     * Per-thread arrays: {@code x} and {@code out} for the caller's chunk, the others for the
     * stages of a kernel (which never touches {@code x} or {@code out} of the scratch unless they
     * are its arguments), and a softmax row's chunks.
     */
    static final class Scratch {
        final float[] x = new float[CHUNK];
        final float[] out = new float[CHUNK];
        final float[] f1 = new float[CHUNK];
        final float[] f2 = new float[CHUNK];
        final float[] f3 = new float[CHUNK];
        final float[] f4 = new float[CHUNK];
        final float[] f5 = new float[CHUNK];
        /** Bits of a chunk, for the loops that reduce them to a flag ({@link HeapBits#copyBits}). */
        final int[] bits = new int[CHUNK];
        /** A chunk in double, for the kernels that compute in double ({@link FloatErf}). */
        final double[] doubles = new double[CHUNK];
        /** A second chunk in double ({@link FloatErf#erf}, {@link FloatPow}). */
        final double[] doubles2 = new double[CHUNK];
        /** A third chunk in double ({@link FloatPow}). */
        final double[] doubles3 = new double[CHUNK];
        /** A chunk of one, for {@link #element}. */
        final float[] one = new float[1];
        /** The second scalar of a loop that takes two (SimdLoop passes one). */
        final float[] scalar = new float[1];
        /** A softmax row's counts of terms equal to 1 ({@link RowSoftmax}): finite whatever it last held. */
        final float[] ties = new float[CHUNK];
        /** How many chunks of a softmax row the scratch keeps between the row's passes. */
        static final int ROW_CHUNKS = 64;
        /** A softmax row's chunks ({@link RowSoftmax}); made on first use. */
        private final float[][] row = new float[ROW_CHUNKS][];
        /** The row chunk at {@code index} (below {@link #ROW_CHUNKS}). */
        float[] row(int index) {
            float[] r = row[index];
            return r != null ? r : (row[index] = new float[CHUNK]);
        }

        /** Made only by {@link #scratch}. */
        private Scratch() {
        }
    }

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    /** This thread's scratch. */
    static Scratch scratch() {
        return SCRATCH.get();
    }

    // ---------------------------------------------------------------- the SIMD loops, called, not inlined

    // Each SIMD loop below is a method of its own, run through SimdLoop.call (see SimdLoop for why).
    private static SimdLoop neg = (a, b, c, d, i, k, n) -> { neg(a, b, n); return 0f; };
    private static SimdLoop abs = (a, b, c, d, i, k, n) -> { abs(a, b, n); return 0f; };
    private static SimdLoop square = (a, b, c, d, i, k, n) -> { square(a, b, n); return 0f; };
    private static SimdLoop relu = (a, b, c, d, i, k, n) -> { relu(a, b, n); return 0f; };
    private static SimdLoop sqrt = (a, b, c, d, i, k, n) -> { sqrt(a, b, n); return 0f; };
    private static SimdLoop rsqrt = (a, b, c, d, i, k, n) -> { rsqrt(a, b, n); return 0f; };
    private static SimdLoop reciprocal = (a, b, c, d, i, k, n) -> { reciprocal(a, b, n); return 0f; };
    private static SimdLoop expReduce = (a, b, c, d, i, k, n) -> { expReduce(a, k, b, c, n); return 0f; };
    private static SimdLoop clampedExpReduce = (a, b, c, d, i, k, n) -> { clampedExpReduce(a, k, b, c, n); return 0f; };
    private static SimdLoop negAbs = (a, b, c, d, i, k, n) -> { negAbs(a, b, n); return 0f; };
    private static SimdLoop negAbsExpReduce = (a, b, c, d, i, k, n) -> { negAbsExpReduce(a, b, c, n); return 0f; };
    private static SimdLoop expScale = (a, b, c, d, i, k, n) -> expScale(a, b, n);
    private static SimdLoop expScales = (a, b, c, d, i, k, n) -> { expScales(a, b, n); return 0f; };
    private static SimdLoop biasedScale = (a, b, c, d, i, k, n) -> biasedScale(a, b, n);
    private static SimdLoop scale = (a, b, c, d, i, k, n) -> { scale(a, b, c, n); return 0f; };
    private static SimdLoop scaleTwice = (a, b, c, d, i, k, n) -> { scaleTwice(a, b, c, d, n); return 0f; };
    private static SimdLoop expm1Flag = (a, b, c, d, i, k, n) -> expm1Flag(i, n);
    private static SimdLoop expm1Reduce = (a, b, c, d, i, k, n) -> { expm1Reduce(a, b, c, n); return 0f; };
    private static SimdLoop expm1Scale = (a, b, c, d, i, k, n) -> { expm1Scale(a, b, n); return 0f; };
    private static SimdLoop expm1Combine = (a, b, c, d, i, k, n) -> { expm1Combine(a, b, c, n); return 0f; };
    private static SimdLoop logFlag = (a, b, c, d, i, k, n) -> logFlag(i, n);
    private static SimdLoop logSplit = (a, b, c, d, i, k, n) -> { logSplit(a, b, c, n); return 0f; };
    private static SimdLoop logReduced = (a, b, c, d, i, k, n) -> { logReduced(a, b, c, n); return 0f; };
    private static SimdLoop onePlus = (a, b, c, d, i, k, n) -> { onePlus(a, b, n); return 0f; };
    private static SimdLoop log1pCorrect = (a, b, c, d, i, k, n) -> { log1pCorrect(a, b, c, n); return 0f; };
    private static SimdLoop tanhReduce = (a, b, c, d, i, k, n) -> { tanhReduce(a, b, c, n); return 0f; };
    private static SimdLoop tanhQuotient = (a, b, c, d, i, k, n) -> { tanhQuotient(a, b, c, d, n); return 0f; };
    private static SimdLoop unitSigns = (a, b, c, d, i, k, n) -> { unitSignsLoop(a, b, n); return 0f; };
    private static SimdLoop nonNegative = (a, b, c, d, i, k, n) -> { nonNegative(a, b, n); return 0f; };
    private static SimdLoop sigmoidQuotient = (a, b, c, d, i, k, n) -> { sigmoidQuotient(a, b, c, d, n); return 0f; };
    private static SimdLoop softplusPrepare = (a, b, c, d, i, k, n) -> { softplusPrepare(a, b, c, d, n); return 0f; };
    private static SimdLoop softplusCombine = (a, b, c, d, i, k, n) -> { softplusCombine(a, b, c, d, n); return 0f; };

    /**
     * Whether {@code op} has a float kernel here; the others (sign, sin, cos, and any new
     * op until it gets one) compute in double through {@link ChunkMath}, rounded once.
     */
    static boolean has(UnaryOp op) {
        return switch (op) {
            case NEG, ABS, SQUARE, RELU, EXP, LOG, LOG1P, SQRT, RSQRT, RECIPROCAL, SIGMOID, TANH, EXPM1, SOFTPLUS, GELU, ERF -> true;
            default -> false;
        };
    }

    /**
     * Whether the float kernel of {@code op} computes otherwise than one float operation on its
     * element (which a compiled program loop reproduces by itself): the ops a program must call
     * {@link #element} for to give the tensor op's bits.
     */
    static boolean inKernelOnly(UnaryOp op) {
        return switch (op) {
            case EXP, EXPM1, LOG, LOG1P, TANH, SIGMOID, SOFTPLUS, RSQRT, GELU, ERF -> true;
            default -> false;
        };
    }

    /**
     * {@code op(x)} for one element, by the op's chunk kernel on a chunk of one: the same bits as
     * the tensor op, for the compiled loops of elementwise programs (slow; no optimiser uses these
     * ops). Uses this thread's scratch.
     */
    static float element(UnaryOp op, float x) {
        Scratch s = scratch();
        s.one[0] = x;
        unary(op, s.one, s.one, 1, s);
        return s.one[0];
    }

    /**
     * {@code out[0..n) = op(x[0..n))}. {@code x} and {@code out} may be the same array, and may be
     * the scratch's {@code x} and {@code out}, but no other scratch array.
     */
    static void unary(UnaryOp op, float[] x, float[] out, int n, Scratch s) {
        switch (op) {
            case NEG -> SimdLoop.call(neg, x, out, n);
            case ABS -> SimdLoop.call(abs, x, out, n);
            case SQUARE -> SimdLoop.call(square, x, out, n);
            case RELU -> SimdLoop.call(relu, x, out, n);
            case SQRT -> SimdLoop.call(sqrt, x, out, n);
            case RSQRT -> SimdLoop.call(rsqrt, x, out, n);
            case RECIPROCAL -> SimdLoop.call(reciprocal, x, out, n);
            case EXP -> exp(x, out, n, s);
            case EXPM1 -> expm1(x, out, n, s);
            case LOG -> log(x, out, n, s);
            case LOG1P -> log1p(x, out, n, s);
            case TANH -> tanh(x, out, n, s);
            case SIGMOID -> sigmoid(x, out, n, s);
            case SOFTPLUS -> softplus(x, out, n, s);
            case GELU -> FloatErf.gelu(x, out, n, s.doubles);
            case ERF -> FloatErf.erf(x, out, n, s.doubles, s.doubles2);
            default -> throw new IllegalArgumentException(op.label() + ": no float kernel");
        }
    }

    private static void neg(float[] x, float[] out, int n) {
        for (int i = 0; i < n; i++) {
            out[i] = -x[i];
        }
    }

    private static void abs(float[] x, float[] out, int n) {
        for (int i = 0; i < n; i++) {
            out[i] = Math.abs(x[i]);
        }
    }

    private static void square(float[] x, float[] out, int n) {
        for (int i = 0; i < n; i++) {
            out[i] = x[i] * x[i];
        }
    }

    private static void relu(float[] x, float[] out, int n) {
        for (int i = 0; i < n; i++) {
            out[i] = Math.max(x[i], 0f);
        }
    }

    private static void sqrt(float[] x, float[] out, int n) {
        for (int i = 0; i < n; i++) {
            out[i] = (float) Math.sqrt(x[i]);
        }
    }

    private static void rsqrt(float[] x, float[] out, int n) {
        for (int i = 0; i < n; i++) {
            out[i] = 1f / (float) Math.sqrt(x[i]);
        }
    }

    private static void reciprocal(float[] x, float[] out, int n) {
        for (int i = 0; i < n; i++) {
            out[i] = 1f / x[i];
        }
    }

    // ---------------------------------------------------------------- exp and expm1

    /** e^x for every x (out may be x). Uses f1, f2, f3 of the scratch. */
    static void exp(float[] x, float[] out, int n, Scratch s) {
        SimdLoop.call(expReduce, x, s.f3, s.f1, null, 0f, n);
        if (SimdLoop.call(expScale, s.f1, s.f2, null, null, 0, n) < 0) {
            // some n outside the normal exponents [-126, 127] (a subnormal result, near overflow,
            // or an input the unclamped reduction cannot take: ±inf, NaN, |x| > 89): this chunk
            // again with x clamped, 2^n as two halves, each a normal power of two
            SimdLoop.call(clampedExpReduce, x, s.f3, s.f1, null, 0f, n);
            SimdLoop.call(expScales, s.f1, s.f2, n);
            SimdLoop.call(scaleTwice, s.f3, s.f1, s.f2, out, 0, n);
        } else {
            SimdLoop.call(scale, s.f3, s.f2, out, n);
        }
    }

    /**
     * e^(x - shift) for x <= shift (softmax's rows, shifted by their maximum; the subtraction
     * rounded, then exp), in two parts for the caller's loop to combine: p into {@code p} and the
     * biased scale 2^(n+64) into f2, so that e = p · f2 · {@link #UNBIAS}. Uses f1.
     */
    static void shiftedExpParts(float[] x, float shift, float[] p, int n, Scratch s) {
        SimdLoop.call(expReduce, x, p, s.f1, null, shift, n);
        if (SimdLoop.call(biasedScale, s.f1, s.f2, null, null, 0, n) < 0) {
            SimdLoop.call(clampedExpReduce, x, p, s.f1, null, shift, n);
            SimdLoop.call(biasedScale, s.f1, s.f2, null, null, 0, n);
        }
    }

    /*
     * The reduction v = n ln2 + r of v = x - shift: p = e^r into p, and n + 1.5·2^23 (whose low
     * bits hold n) into k. Unclamped, it is exact where |v| <= 104; beyond (and for ±inf, NaN) n
     * comes out meaningless, and the scale loop after it flags the chunk, which then takes the
     * clamped form: v clamped to [-104, 89] (NaN passes), beyond which e^v is 0 or inf. Two
     * loops because each Math.min/max costs as much as the polynomial's first five fmas (0.08 ns
     * an element of the 0.42 of the clamped loop).
     */

    private static void expReduce(float[] x, float shift, float[] p, float[] k, int n) {
        for (int i = 0; i < n; i++) {
            float v = x[i] - shift;
            float kk = Math.fma(v, LOG2E, MAGIC);
            p[i] = expm1Reduced(v, kk) + 1f;
            k[i] = kk;
        }
    }

    private static void clampedExpReduce(float[] x, float shift, float[] p, float[] k, int n) {
        for (int i = 0; i < n; i++) {
            float v = Math.min(Math.max(x[i] - shift, -104f), 89f);
            float kk = Math.fma(v, LOG2E, MAGIC);
            p[i] = expm1Reduced(v, kk) + 1f;
            k[i] = kk;
        }
    }

    /**
     * e^r - 1 = r + r²P(r) where v = n ln2 + r and {@code kk = v log2(e) + 1.5·2^23} (whose low bits
     * hold n): the reduction and polynomial every exp loop shares, inlined into each loop by C2.
     */
    private static float expm1Reduced(float v, float kk) {
        float m = kk - MAGIC;
        float r = Math.fma(m, -LN2_HI, v);
        r = Math.fma(m, -LN2_LO, r);
        float q = Math.fma(Math.fma(Math.fma(Math.fma(Math.fma(P0, r, P1), r, P2), r, P3), r, P4), r, P5);
        return Math.fma(q, r * r, r);
    }

    /** {@link #expReduce} of -|x| (sigmoid's and softplus's e^-|x|), unclamped. */
    private static void negAbsExpReduce(float[] x, float[] p, float[] k, int n) {
        for (int i = 0; i < n; i++) {
            float v = -Math.abs(x[i]);
            float kk = Math.fma(v, LOG2E, MAGIC);
            p[i] = expm1Reduced(v, kk) + 1f;
            k[i] = kk;
        }
    }

    private static void negAbs(float[] x, float[] out, int n) {
        for (int i = 0; i < n; i++) {
            out[i] = -Math.abs(x[i]);
        }
    }

    /** 2^n from k (its bits) into {@code scale}; negative where some n is outside [-126, 127]. */
    private static int expScale(float[] k, float[] scale, int n) {
        int flag = 0;
        for (int i = 0; i < n; i++) {
            int m = HeapBits.bits(k, i) - MAGIC_BITS;
            flag |= (m + 126) | (127 - m);
            HeapBits.setBits(scale, i, (m + 127) << 23);
        }
        return flag;
    }

    /**
     * 2^(n + 64) from k into {@code scale}, for n in [-150, 0] (e^v with v <= 0): always a normal
     * power of two, so {@code p 2^(n+64)} is exact and the constant factor 2^-64 after it rounds
     * once, reaching the subnormals with no second scale. Negative where some n is outside
     * [-150, 0] (only an unclamped v below -104.3, or -inf or NaN, gives one: the chunk is
     * reduced again clamped; where v is in [-104.3, -104) n is -150 and p < 1, so e rounds to 0
     * as the clamped v = -104 does).
     */
    private static int biasedScale(float[] k, float[] scale, int n) {
        int flag = 0;
        for (int i = 0; i < n; i++) {
            int m = HeapBits.bits(k, i) - MAGIC_BITS;
            flag |= (m + 150) | -m;
            HeapBits.setBits(scale, i, (m + (127 + EXP_BIAS)) << 23);
        }
        return flag;
    }

    /** From k (in {@code lo}), n in [-150, 128] as two halves that are each a normal power of two, into lo and hi. */
    private static void expScales(float[] lo, float[] hi, int n) {
        for (int i = 0; i < n; i++) {
            int m = HeapBits.bits(lo, i) - MAGIC_BITS;
            int m1 = m >> 1;
            HeapBits.setBits(lo, i, (m1 + 127) << 23);
            HeapBits.setBits(hi, i, (m - m1 + 127) << 23);
        }
    }

    private static void scale(float[] p, float[] s, float[] out, int n) {
        for (int i = 0; i < n; i++) {
            out[i] = p[i] * s[i];
        }
    }

    private static void scaleTwice(float[] p, float[] s1, float[] s2, float[] out, int n) {
        for (int i = 0; i < n; i++) {
            out[i] = p[i] * s1[i] * s2[i];
        }
    }

    /** e^x - 1 (out may be x). Uses f1, f2, f3 of the scratch. */
    static void expm1(float[] x, float[] out, int n, Scratch s) {
        HeapBits.copyBits(x, s.bits, n);
        if (SimdLoop.call(expm1Flag, s.bits, n) < 0) {
            expm1Scaled(x, n, s);
            fallbackExpm1(x, out, s.f3, s.f2, s.bits, n);
        } else {
            expm1InRange(x, out, n, s);
        }
    }

    /** e^x - 1 for x <= 88 (out may be x). Uses f1, f2, f3 of the scratch. */
    private static void expm1InRange(float[] x, float[] out, int n, Scratch s) {
        expm1Scaled(x, n, s);
        SimdLoop.call(expm1Combine, s.f3, s.f2, out, n);
    }

    /** e^r - 1 into f3 and 2^n into f2. */
    private static void expm1Scaled(float[] x, int n, Scratch s) {
        SimdLoop.call(expm1Reduce, x, s.f3, s.f1, n);
        SimdLoop.call(expm1Scale, s.f1, s.f2, n);
    }

    /** Negative where some x > 88 (or is a positive NaN): those take the float64 path. */
    private static int expm1Flag(int[] xb, int n) {
        int flag = 0;
        for (int i = 0; i < n; i++) {
            flag |= (EXPM1_LIMIT_BITS - xb[i]) & ~xb[i];
        }
        return flag;
    }

    private static void expm1Reduce(float[] x, float[] q, float[] k, int n) {
        for (int i = 0; i < n; i++) {
            float v = Math.max(x[i], -88f);
            float kk = Math.fma(v, LOG2E, MAGIC);
            q[i] = expm1Reduced(v, kk);
            k[i] = kk;
        }
    }

    /** 2^n from k into {@code scale} (n in [-127, 127]; 2^-127 becomes 0, which leaves e^x - 1 = -1). */
    private static void expm1Scale(float[] k, float[] scale, int n) {
        for (int i = 0; i < n; i++) {
            HeapBits.setBits(scale, i, (HeapBits.bits(k, i) - MAGIC_BITS + 127) << 23);
        }
    }

    /** {@code 2^n q + (2^n - 1)}. */
    private static void expm1Combine(float[] q, float[] scale, float[] out, int n) {
        for (int i = 0; i < n; i++) {
            out[i] = Math.fma(scale[i], q[i], scale[i] - 1f);
        }
    }

    private static void fallbackExpm1(float[] x, float[] out, float[] q, float[] scale, int[] xb, int n) {
        for (int i = 0; i < n; i++) {
            boolean special = ((EXPM1_LIMIT_BITS - xb[i]) & ~xb[i]) < 0;
            out[i] = special ? (float) Math.expm1(x[i]) : Math.fma(scale[i], q[i], scale[i] - 1f);
        }
    }

    // ---------------------------------------------------------------- log and log1p

    /**
     * ln w for positive normal finite w (out may be w); returns a negative flag when some element
     * is not (zero, negative, subnormal, infinite, NaN), whose value here is then meaningless.
     * Uses f1, f2 of the scratch.
     */
    private static float logCore(float[] w, float[] out, int n, Scratch s) {
        // The flag's OR is a loop of its own: with the split's stores in one loop, C2 17 left it scalar (log 1.6 ns, not 0.9).
        HeapBits.copyBits(w, s.bits, n);
        float flag = SimdLoop.call(logFlag, s.bits, n);
        SimdLoop.call(logSplit, w, s.f1, s.f2, n);
        SimdLoop.call(logReduced, s.f1, s.f2, out, n);
        return flag;
    }

    /** Negative where some of the n bits are not those of a positive normal finite float. */
    static float positiveNormalFlag(int[] bits, int n) {
        return SimdLoop.call(logFlag, bits, n);
    }

    /** Negative where some bits are not those of a positive normal finite float. */
    private static int logFlag(int[] b, int n) {
        int flag = 0;
        for (int i = 0; i < n; i++) {
            flag |= b[i] | (b[i] - 0x00800000) | (0x7f7fffff - b[i]);
        }
        return flag;
    }

    /** w = 2^e m with m in [sqrt(1/2), sqrt(2)): m into {@code m}, {@code e + 1.5·2^23} into {@code e}. */
    private static void logSplit(float[] w, float[] m, float[] e, int n) {
        for (int i = 0; i < n; i++) {
            int b = HeapBits.bits(w, i);
            int k = (b - 0x3f3504f3) >> 23;
            HeapBits.setBits(m, i, b - (k << 23));
            HeapBits.setBits(e, i, k + MAGIC_BITS);
        }
    }

    /** {@code e ln2 + ln m}, fdlibm's logf polynomial in {@code s = f/(2+f)}, f = m - 1. */
    private static void logReduced(float[] m, float[] ef, float[] out, int n) {
        for (int i = 0; i < n; i++) {
            float f = m[i] - 1f;
            float e = ef[i] - MAGIC;
            float t = f / (2f + f);
            float z = t * t;
            float q = z * z;
            float t1 = q * Math.fma(q, Math.fma(q, LG6, LG4), LG2);
            float t2 = z * Math.fma(q, Math.fma(q, Math.fma(q, LG7, LG5), LG3), LG1);
            float r = t2 + t1;
            float hfsq = 0.5f * f * f;
            out[i] = Math.fma(e, LN2_HI_LOG, -((hfsq - Math.fma(t, hfsq + r, e * LN2_LO_LOG)) - f));
        }
    }

    private static boolean logSpecial(int b) {
        return (b | (b - 0x00800000) | (0x7f7fffff - b)) < 0;
    }

    /** ln x; out may be x. */
    static void log(float[] x, float[] out, int n, Scratch s) {
        float[] in = x == out ? copy(x, s.f3, n) : x;
        if (logCore(in, out, n, s) < 0) {
            for (int i = 0; i < n; i++) {
                if (logSpecial(s.bits[i])) {
                    out[i] = (float) Math.log(in[i]);
                }
            }
        }
    }

    /** ln(1 + x) = ln w + (x - (w - 1))/w with w = 1 + x rounded; out may be x. */
    static void log1p(float[] x, float[] out, int n, Scratch s) {
        float[] in = x == out ? copy(x, s.f3, n) : x;
        float[] w = s.f4;
        SimdLoop.call(onePlus, in, w, n);
        float flag = logCore(w, out, n, s);
        SimdLoop.call(log1pCorrect, in, w, out, n);
        if (flag < 0) {
            for (int i = 0; i < n; i++) {
                if (logSpecial(s.bits[i])) {
                    out[i] = (float) Math.log1p(in[i]);
                }
            }
        }
    }

    private static void onePlus(float[] x, float[] w, int n) {
        for (int i = 0; i < n; i++) {
            w[i] = 1f + x[i];
        }
    }

    /** What rounding 1 + x lost, (x - (w - 1))/w, added to ln w (exact by Sterbenz). */
    private static void log1pCorrect(float[] x, float[] w, float[] out, int n) {
        for (int i = 0; i < n; i++) {
            out[i] += (x[i] - (w[i] - 1f)) / w[i];
        }
    }

    private static float[] copy(float[] x, float[] dst, int n) {
        System.arraycopy(x, 0, dst, 0, n);
        return dst;
    }

    // ---------------------------------------------------------------- tanh, sigmoid, softplus

    /**
     * ±1 with x's sign bit into {@code sign} (for ±0 too, where what it multiplies is 0, and for
     * NaN, where it is NaN): a multiply by it restores a sign exactly. From the bits, since a
     * saturating {@code min(max(x·2^200, -1), 1)} costs two min/max of five operations each.
     */
    static void unitSigns(float[] x, float[] sign, int n) {
        SimdLoop.call(unitSigns, x, sign, n);
    }

    private static void unitSignsLoop(float[] x, float[] sign, int n) {
        for (int i = 0; i < n; i++) {
            HeapBits.setBits(sign, i, (HeapBits.bits(x, i) & SIGN_BIT) | ONE_BITS);
        }
    }

    /**
     * tanh x = sign(x) q/(q + 2) with q = e^(2|x|) - 1; out may be x. On |x| the quotient does not
     * amplify q's error (on negative x it would, by up to 2); the sign goes back on as a factor ±1.
     * |x| is clamped to 9.5 (where tanh rounds to 1), so 2^n stays normal. Uses f1, f2, f3.
     */
    static void tanh(float[] x, float[] out, int n, Scratch s) {
        SimdLoop.call(tanhReduce, x, s.f3, s.f1, n);
        SimdLoop.call(expm1Scale, s.f1, s.f2, n);
        unitSigns(x, s.f1, n);
        SimdLoop.call(tanhQuotient, s.f1, s.f3, s.f2, out, 0, n);
    }

    /** {@link #expm1Reduce} of 2 min(|x|, 9.5). */
    private static void tanhReduce(float[] x, float[] q, float[] k, int n) {
        for (int i = 0; i < n; i++) {
            float v = 2f * Math.min(Math.abs(x[i]), 9.5f);
            float kk = Math.fma(v, LOG2E, MAGIC);
            q[i] = expm1Reduced(v, kk);
            k[i] = kk;
        }
    }

    /**
     * {@code q = 2^n (e^r - 1) + (2^n - 1)}, then sign(x) q/(q + 2) with the rounding error of
     * q + 2 (Knuth's TwoSum) and of the quotient (a residual by fma) corrected: one Newton step of
     * the division, near 1/2 ulp.
     */
    private static void tanhQuotient(float[] sign, float[] qr, float[] scale, float[] out, int n) {
        for (int i = 0; i < n; i++) {
            float qi = Math.fma(scale[i], qr[i], scale[i] - 1f);
            float d = qi + 2f;
            float dq = d - qi;
            float ed = (qi - (d - dq)) + (2f - dq);
            float inverse = 1f / d;
            float t = qi * inverse;
            float r = Math.fma(-t, d, qi) - t * ed;
            out[i] = Math.fma(r, inverse, t) * sign[i];
        }
    }

    /**
     * 1/(1 + e^-x) as (h + (1 - h) e)/(1 + e) with e = e^-|x| and h = [x >= 0]; out may be x.
     * Uses f1, f2, f3 of the scratch.
     */
    static void sigmoid(float[] x, float[] out, int n, Scratch s) {
        negAbsExp(x, n, s);
        SimdLoop.call(nonNegative, x, s.f1, n);
        SimdLoop.call(sigmoidQuotient, s.f1, s.f3, s.f2, out, 0, n);
    }

    /** e^-|x| as p into f3 and its biased scale 2^(n+64) into f2 (e = p 2^(n+64) 2^-64). Uses f1. */
    private static void negAbsExp(float[] x, int n, Scratch s) {
        SimdLoop.call(negAbsExpReduce, x, s.f3, s.f1, n);
        if (SimdLoop.call(biasedScale, s.f1, s.f2, null, null, 0, n) < 0) {
            SimdLoop.call(negAbs, x, s.f2, n);
            SimdLoop.call(clampedExpReduce, s.f2, s.f3, s.f1, null, 0f, n);
            SimdLoop.call(biasedScale, s.f1, s.f2, null, null, 0, n);
        }
    }

    /** h = [x >= 0] from x's sign bit (1 for +0, +NaN; 0 for -0, where e = 1 makes it moot, and -NaN). */
    private static void nonNegative(float[] x, float[] h, int n) {
        for (int i = 0; i < n; i++) {
            HeapBits.setBits(h, i, (~HeapBits.bits(x, i) >> 31) & ONE_BITS);
        }
    }

    /**
     * e = p 2^(n+64) 2^-64, then the numerator {@code h + (1 - h) e} (1 for x >= 0, e below: h is
     * exactly 0 or 1, so both are exact, and a NaN e stays NaN) over 1 + e, the rounding of 1 + e
     * (exact to recover, since e <= 1) and of the quotient corrected by one Newton step, as in
     * tanh. The numerator was {@code max(e, [x > 0])}: three min/max of five operations each.
     */
    private static void sigmoidQuotient(float[] h, float[] p, float[] scale, float[] out, int n) {
        for (int i = 0; i < n; i++) {
            float ei = p[i] * scale[i] * UNBIAS;
            float num = Math.fma(1f - h[i], ei, h[i]);
            float d = 1f + ei;
            float ed = (1f - d) + ei;
            float inverse = 1f / d;
            float t = num * inverse;
            float r = Math.fma(-t, d, num) - t * ed;
            out[i] = Math.fma(r, inverse, t);
        }
    }

    /** max(x, 0) + log1p(e^-|x|); out may be x. NaN propagates through the max. Uses f1–f5. */
    static void softplus(float[] x, float[] out, int n, Scratch s) {
        negAbsExp(x, n, s);
        SimdLoop.call(softplusPrepare, s.f3, s.f2, s.f4, s.f5, 0, n);
        // w is in [1, 2] (or NaN, which the max below carries through): logCore needs no fallback.
        logCore(s.f4, s.f3, n, s);
        SimdLoop.call(softplusCombine, x, s.f3, s.f5, out, 0, n);
    }

    /** e = p 2^(n+64) 2^-64, w = 1 + e and the correction (e - (w - 1))/w of log1p. */
    private static void softplusPrepare(float[] p, float[] scale, float[] w, float[] correction, int n) {
        for (int i = 0; i < n; i++) {
            float e = p[i] * scale[i] * UNBIAS;
            float wi = 1f + e;
            w[i] = wi;
            correction[i] = (e - (wi - 1f)) / wi;
        }
    }

    private static void softplusCombine(float[] x, float[] logW, float[] correction, float[] out, int n) {
        for (int i = 0; i < n; i++) {
            out[i] = Math.max(x[i], 0f) + (logW[i] + correction[i]);
        }
    }
}
