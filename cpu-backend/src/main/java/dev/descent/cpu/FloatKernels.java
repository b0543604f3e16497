package dev.descent.cpu;

import dev.descent.core.spi.UnaryOp;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;

/**
 * float32 kernels of the transcendental functions, computed in float over a chunk held in
 * {@code float[]}, written so that C2 (JDK 17) compiles each loop to SIMD code with no flags:
 * straight-line {@code Math.fma}, {@code Math.min/max}, {@code +-*}{@code /} and int shifts
 * over arrays. What C2 17 does not vectorise — reinterpreting bits ({@code floatToRawIntBits},
 * {@code intBitsToFloat}), float/int conversion, selects — is avoided: bits move between
 * float and int through a small direct buffer ({@link Scratch#bits}, two memory copies of a
 * cached chunk), integer exponents are read with the magic number 1.5·2^23, and selects become
 * {@code min/max} or int masks. Measured on an AMD EPYC (AVX2), per element and thread: the
 * polynomial loops 0.1–0.3 ns, a reinterpretation 0.06 ns; {@code Math.exp} on a float, 5–14 ns.
 *
 * <p>The functions, each over the whole float range (the ulp bounds are in the README of
 * cpu-backend, measured over all 2^32 inputs):
 * <ul>
 * <li>{@code exp}: Cody–Waite reduction {@code x = n ln2 + r}, |r| <= ln2/2 (ln2 split in two so
 *     that {@code n ln2_hi} is exact), {@code e^r = 1 + r + r²P(r)} with Cephes' degree-5
 *     {@code expf} polynomial, and the scale 2^n applied as two powers of two {@code 2^(n/2)}
 *     so that results reach the subnormals and overflow to infinity with one rounding. Inputs
 *     are clamped to [-104, 89] first (NaN passes through), beyond which the result is 0 or inf.
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
 *     tanh rounds to 1), and x's sign bit put back: no cancellation for small x, no overflow for
 *     large.
 * <li>{@code sigmoid}: {@code e = exp(-|x|)}, then {@code 1/(1 + e)} for x >= 0 and
 *     {@code e/(1 + e)} below, as {@code max(e, [x >= 0])/(1 + e)} with the 0/1 from the sign bit;
 *     the division's roundings are corrected as in tanh.
 * <li>{@code softplus}: {@code max(x, 0) + log1p(exp(-|x|))}, the log1p as above.
 * <li>sqrt, rsqrt ({@code 1/sqrt} in float, two roundings), reciprocal, square, neg, abs, relu:
 *     plain float arithmetic.
 * </ul>
 * Other ops (sign, erf, gelu, sin, cos) have no float kernel: {@link #has} is false and the
 * backend computes them in double through {@link ChunkMath}, rounding once.
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
    private static final float[] EXP_P = {1.9875691500E-4f, 1.3981999507E-3f, 8.3334519073E-3f, 4.1665795894E-2f,
        1.6666665459E-1f, 5.0000001201E-1f};
    private static final float LG1 = 6.6666668653e-01f;
    private static final float LG2 = 4.0000000596e-01f;
    private static final float LG3 = 2.8571429849e-01f;
    private static final float LG4 = 2.2222198546e-01f;
    private static final float LG5 = 1.8183572590e-01f;
    private static final float LG6 = 1.5313838422e-01f;
    private static final float LG7 = 1.4798198640e-01f;
    /** Bits of 88.0f: expm1 above it takes the float64 path. */
    private static final int EXPM1_LIMIT_BITS = Float.floatToRawIntBits(88f);

    private FloatKernels() {
    }

    /**
     * Per-thread arrays: {@code x} and {@code out} for the caller's chunk, the others for the
     * stages of a kernel (which never touches {@code x} or {@code out} of the scratch unless they
     * are its arguments), and the buffer that reinterprets bits.
     */
    static final class Scratch {
        final float[] x = new float[CHUNK];
        final float[] out = new float[CHUNK];
        final float[] f1 = new float[CHUNK];
        final float[] f2 = new float[CHUNK];
        final float[] f3 = new float[CHUNK];
        final float[] f4 = new float[CHUNK];
        final float[] f5 = new float[CHUNK];
        final int[] i1 = new int[CHUNK];
        final int[] i2 = new int[CHUNK];
        final int[] i3 = new int[CHUNK];
        private final FloatBuffer floats;
        private final IntBuffer ints;

        Scratch() {
            ByteBuffer b = ByteBuffer.allocateDirect(4 * CHUNK).order(ByteOrder.nativeOrder());
            floats = b.asFloatBuffer();
            ints = b.asIntBuffer();
        }

        /** {@code dst[i] = floatToRawIntBits(src[i])}, through memory: two bulk copies, no scalar loop. */
        void bits(float[] src, int[] dst, int n) {
            floats.put(0, src, 0, n);
            ints.get(0, dst, 0, n);
        }

        /** {@code dst[i] = intBitsToFloat(src[i])}, through memory. */
        void floats(int[] src, float[] dst, int n) {
            ints.put(0, src, 0, n);
            floats.get(0, dst, 0, n);
        }
    }

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    /** This thread's scratch. */
    static Scratch scratch() {
        return SCRATCH.get();
    }

    /**
     * Whether {@code op} has a float kernel here; the others (sign, erf, gelu, sin, cos, and any new
     * op until it gets one) compute in double through {@link ChunkMath}, rounded once.
     */
    static boolean has(UnaryOp op) {
        return switch (op) {
            case NEG, ABS, SQUARE, RELU, EXP, LOG, LOG1P, SQRT, RSQRT, RECIPROCAL, SIGMOID, TANH, EXPM1, SOFTPLUS -> true;
            default -> false;
        };
    }

    /**
     * {@code out[0..n) = op(x[0..n))}. {@code x} and {@code out} may be the same array, and may be
     * the scratch's {@code x} and {@code out}, but no other scratch array.
     */
    static void unary(UnaryOp op, float[] x, float[] out, int n, Scratch s) {
        switch (op) {
            case NEG -> {
                for (int i = 0; i < n; i++) {
                    out[i] = -x[i];
                }
            }
            case ABS -> {
                for (int i = 0; i < n; i++) {
                    out[i] = Math.abs(x[i]);
                }
            }
            case SQUARE -> {
                for (int i = 0; i < n; i++) {
                    out[i] = x[i] * x[i];
                }
            }
            case RELU -> {
                for (int i = 0; i < n; i++) {
                    out[i] = Math.max(x[i], 0f);
                }
            }
            case SQRT -> {
                for (int i = 0; i < n; i++) {
                    out[i] = (float) Math.sqrt(x[i]);
                }
            }
            case RSQRT -> {
                for (int i = 0; i < n; i++) {
                    out[i] = 1f / (float) Math.sqrt(x[i]);
                }
            }
            case RECIPROCAL -> {
                for (int i = 0; i < n; i++) {
                    out[i] = 1f / x[i];
                }
            }
            case EXP -> exp(x, out, n, s);
            case EXPM1 -> expm1(x, out, n, s);
            case LOG -> log(x, out, n, s);
            case LOG1P -> log1p(x, out, n, s);
            case TANH -> tanh(x, out, n, s);
            case SIGMOID -> sigmoid(x, out, n, s);
            case SOFTPLUS -> softplus(x, out, n, s);
            default -> throw new IllegalArgumentException(op.label() + ": no float kernel");
        }
    }

    // ---------------------------------------------------------------- exp and expm1

    /** {@code e^r} on |r| <= ln2/2 (Cephes expf: within 1 ulp there). */
    private static float expReduced(float r) {
        float p = Math.fma(Math.fma(Math.fma(Math.fma(Math.fma(EXP_P[0], r, EXP_P[1]), r, EXP_P[2]), r, EXP_P[3]), r,
                EXP_P[4]), r, EXP_P[5]);
        return Math.fma(p, r * r, r) + 1f;
    }

    /** {@code e^r - 1} on |r| <= ln2/2. */
    private static float expm1Reduced(float r) {
        float p = Math.fma(Math.fma(Math.fma(Math.fma(Math.fma(EXP_P[0], r, EXP_P[1]), r, EXP_P[2]), r, EXP_P[3]), r,
                EXP_P[4]), r, EXP_P[5]);
        return Math.fma(p, r * r, r);
    }

    /** e^x for every x (out may be x). Uses f1, f2, i1, i2 of the scratch. */
    static void exp(float[] x, float[] out, int n, Scratch s) {
        float[] k = s.f1;
        for (int i = 0; i < n; i++) {
            float v = Math.min(Math.max(x[i], -104f), 89f);
            float kk = Math.fma(v, LOG2E, MAGIC);
            float m = kk - MAGIC;
            float r = Math.fma(m, -LN2_HI, v);
            r = Math.fma(m, -LN2_LO, r);
            out[i] = expReduced(r);
            k[i] = kk;
        }
        int[] lo = s.i1;
        int[] hi = s.i2;
        s.bits(k, lo, n);
        for (int i = 0; i < n; i++) {
            // m in [-150, 128], split in two halves that are each a normal power of two.
            int m = lo[i] - MAGIC_BITS;
            int m1 = m >> 1;
            lo[i] = (m1 + 127) << 23;
            hi[i] = (m - m1 + 127) << 23;
        }
        float[] s1 = s.f1;
        float[] s2 = s.f2;
        s.floats(lo, s1, n);
        s.floats(hi, s2, n);
        for (int i = 0; i < n; i++) {
            out[i] = out[i] * s1[i] * s2[i];
        }
    }

    /** e^x - 1 (out may be x). Uses f1, f2, f3, i1, i2 of the scratch. */
    static void expm1(float[] x, float[] out, int n, Scratch s) {
        int[] xb = s.i2;
        s.bits(x, xb, n);
        int flag = 0;
        for (int i = 0; i < n; i++) {
            // Negative where x > 88 (or a positive NaN): those take the float64 path.
            flag |= (EXPM1_LIMIT_BITS - xb[i]) & ~xb[i];
        }
        float[] k = s.f1;
        float[] q = s.f3;
        for (int i = 0; i < n; i++) {
            float v = Math.max(x[i], -88f);
            float kk = Math.fma(v, LOG2E, MAGIC);
            float m = kk - MAGIC;
            float r = Math.fma(m, -LN2_HI, v);
            r = Math.fma(m, -LN2_LO, r);
            q[i] = expm1Reduced(r);
            k[i] = kk;
        }
        int[] sb = s.i1;
        s.bits(k, sb, n);
        for (int i = 0; i < n; i++) {
            sb[i] = (sb[i] - MAGIC_BITS + 127) << 23;
        }
        float[] scale = s.f2;
        s.floats(sb, scale, n);
        if (flag < 0) {
            fallbackExpm1(x, out, q, scale, xb, n);
            return;
        }
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
     * Uses f1, f2, i1, i2 of the scratch.
     */
    private static int logCore(float[] w, float[] out, int n, Scratch s) {
        int[] wb = s.i1;
        int[] eb = s.i2;
        s.bits(w, wb, n);
        int flag = 0;
        for (int i = 0; i < n; i++) {
            int b = wb[i];
            flag |= b | (b - 0x00800000) | (0x7f7fffff - b);
            // The exponent that puts the significand m in [sqrt(1/2), sqrt(2)).
            int e = (b - 0x3f3504f3) >> 23;
            wb[i] = b - (e << 23);
            eb[i] = e + MAGIC_BITS;
        }
        float[] m = s.f1;
        float[] ef = s.f2;
        s.floats(wb, m, n);
        s.floats(eb, ef, n);
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
        return flag;
    }

    /** ln x; out may be x. */
    static void log(float[] x, float[] out, int n, Scratch s) {
        float[] in = x == out ? copy(x, s.f3, n) : x;
        if (logCore(in, out, n, s) < 0) {
            int[] b = s.i1;
            s.bits(in, b, n);
            for (int i = 0; i < n; i++) {
                if ((b[i] | (b[i] - 0x00800000) | (0x7f7fffff - b[i])) < 0) {
                    out[i] = (float) Math.log(in[i]);
                }
            }
        }
    }

    /** ln(1 + x); out may be x. */
    static void log1p(float[] x, float[] out, int n, Scratch s) {
        float[] in = x == out ? copy(x, s.f3, n) : x;
        float[] w = s.f4;
        for (int i = 0; i < n; i++) {
            w[i] = 1f + in[i];
        }
        int flag = logCore(w, out, n, s);
        for (int i = 0; i < n; i++) {
            out[i] += (in[i] - (w[i] - 1f)) / w[i];
        }
        if (flag < 0) {
            int[] b = s.i1;
            s.bits(w, b, n);
            for (int i = 0; i < n; i++) {
                if ((b[i] | (b[i] - 0x00800000) | (0x7f7fffff - b[i])) < 0) {
                    out[i] = (float) Math.log1p(in[i]);
                }
            }
        }
    }

    private static float[] copy(float[] x, float[] dst, int n) {
        System.arraycopy(x, 0, dst, 0, n);
        return dst;
    }

    // ---------------------------------------------------------------- tanh, sigmoid, softplus

    /**
     * tanh x = sign(x) q/(q + 2) with q = e^(2|x|) - 1; out may be x. On |x| the quotient does not
     * amplify q's error (on negative x it would, by up to 2); the sign goes back on as a bit.
     */
    static void tanh(float[] x, float[] out, int n, Scratch s) {
        float[] q = s.f4;
        int[] sign = s.i3;
        s.bits(x, sign, n);
        for (int i = 0; i < n; i++) {
            q[i] = 2f * Math.min(Math.abs(x[i]), 9.5f);
        }
        expm1(q, q, n, s);
        for (int i = 0; i < n; i++) {
            // q/(q + 2) with the rounding error of q + 2 (Knuth's TwoSum) and of the quotient
            // (a residual by fma) corrected: one Newton step of the division, near 1/2 ulp.
            float qi = q[i];
            float d = qi + 2f;
            float dq = d - qi;
            float ed = (qi - (d - dq)) + (2f - dq);
            float t = qi / d;
            float r = Math.fma(-t, d, qi) - t * ed;
            q[i] = t + r / d;
        }
        int[] magnitude = s.i1;
        s.bits(q, magnitude, n);
        for (int i = 0; i < n; i++) {
            magnitude[i] |= sign[i] & 0x80000000;
        }
        s.floats(magnitude, out, n);
    }

    /** 1/(1 + e^-x) as max(e, [x >= 0])/(1 + e) with e = e^-|x|; out may be x. */
    static void sigmoid(float[] x, float[] out, int n, Scratch s) {
        float[] e = s.f4;
        int[] xb = s.i1;
        s.bits(x, xb, n);
        for (int i = 0; i < n; i++) {
            // 1.0f where the sign bit is clear, 0.0f where it is set.
            xb[i] = (~xb[i] >> 31) & 0x3f800000;
        }
        float[] nonNegative = s.f3;
        s.floats(xb, nonNegative, n);
        for (int i = 0; i < n; i++) {
            e[i] = -Math.abs(x[i]);
        }
        exp(e, e, n, s);
        for (int i = 0; i < n; i++) {
            // As in tanh: the rounding of 1 + e (exact to recover, since e <= 1) and of the
            // quotient corrected by one Newton step.
            float ei = e[i];
            float num = Math.max(ei, nonNegative[i]);
            float d = 1f + ei;
            float ed = (1f - d) + ei;
            float t = num / d;
            float r = Math.fma(-t, d, num) - t * ed;
            out[i] = t + r / d;
        }
    }

    /** max(x, 0) + log1p(e^-|x|); out may be x. NaN propagates through the max. */
    static void softplus(float[] x, float[] out, int n, Scratch s) {
        float[] e = s.f4;
        for (int i = 0; i < n; i++) {
            e[i] = -Math.abs(x[i]);
        }
        exp(e, e, n, s);
        float[] w = s.f3;
        float[] correction = s.f5;
        for (int i = 0; i < n; i++) {
            w[i] = 1f + e[i];
            correction[i] = (e[i] - (w[i] - 1f)) / w[i];
        }
        // w is in [1, 2] (or NaN, which the max below carries through): logCore needs no fallback.
        logCore(w, e, n, s);
        for (int i = 0; i < n; i++) {
            out[i] = Math.max(x[i], 0f) + (e[i] + correction[i]);
        }
    }
}
