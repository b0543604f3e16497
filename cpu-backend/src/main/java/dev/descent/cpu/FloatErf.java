package dev.descent.cpu;

/**
 * The float32 GELU, {@code x Φ(x) = x/2 · erfc(-x/√2)}, and erf, computed in double without a
 * branch or a table, so that C2 vectorises their loops; rounded once to float. Over all 2^32
 * floats both are within 0.54 ulp of the exact value (the float32 bounds of 1 and 2 ulps hold as
 * they did for the scalar path). Both rest on two approximations, far more accurate than the half
 * ulp of float (3e-8) that the final rounding adds:
 * <ul>
 * <li>{@code erfcx(z) = erfc(z) e^(z²)}, smooth for z >= 0, as a degree-10 polynomial in
 *     {@code t = 1/(1 + 0.4 z)} fitted (Lawson's iteration for the minimax relative error) on
 *     [0, 15/√2]: relative error 2.2e-9;</li>
 * <li>{@code e^(128 w)} for w in [-0.88, 0] as {@code P(w)^128}: a degree-9 fit to {@code e^w}
 *     (1.5e-13) raised by seven squarings (the error grows 128-fold, to 2e-11). The argument is
 *     -x²/256 or -x²/128, and x² is exact in double for a float x, so the 2z² amplification of a
 *     rounded {@code -x/√2} (the float64 path's) does not arise.</li>
 * </ul>
 * Each kernel is three loops: in one loop, C2 17's scalar float-to-double conversion keeps a
 * false dependency on its target register, which chains the iterations (gelu measured 24 ns an
 * element that way, 2.5 as three loops).
 */
final class FloatErf {
    /** 0.4/√2: t = 1/(1 + 0.4 z) with z = |x|/√2 (gelu). */
    private static final double GELU_T_SCALE = 0.28284271247461906;
    private static final double ERFCX_T_SCALE = 0.4;
    private static final double F0 = -7.703724583145824e-06;
    private static final double F1 = 0.22588799860033082;
    private static final double F2 = 0.2231062143764261;
    private static final double F3 = 0.22566129518439598;
    private static final double F4 = 0.09013080394483257;
    private static final double F5 = 0.36840502847381607;
    private static final double F6 = -0.4418302140618988;
    private static final double F7 = 0.7182334517263856;
    private static final double F8 = -0.6166845039268772;
    private static final double F9 = 0.24483752220413738;
    private static final double F10 = -0.03773989061046893;
    private static final double E0 = 0.9999999999998589;
    private static final double E1 = 0.9999999999697013;
    private static final double E2 = 0.4999999989279287;
    private static final double E3 = 0.16666665177362774;
    private static final double E4 = 0.041666560514667945;
    private static final double E5 = 0.008332894627679917;
    private static final double E6 = 0.0013877741578510474;
    private static final double E7 = 0.00019663776444373587;
    private static final double E8 = 2.3059660675755204e-05;
    private static final double E9 = 1.7680059756301896e-06;
    // erf's Maclaurin series, 2/√π (-1)^n / (n! (2n+1)), to n = 8: below |x| = 1/2 its truncation
    // error is under 6e-13 relative, and 1 - erfc would cancel there
    private static final double S0 = 1.1283791670955126;
    private static final double S1 = -0.37612638903183754;
    private static final double S2 = 0.11283791670955126;
    private static final double S3 = -0.026866170645131252;
    private static final double S4 = 0.005223977625442188;
    private static final double S5 = -0.0008548327023450853;
    private static final double S6 = 0.00012055332981789664;
    private static final double S7 = -1.492565035840625e-05;
    private static final double S8 = 1.6462114365889248e-06;
    /** Beyond ±15, GELU's Φ is 0 or 1 to double precision. */
    private static final double GELU_CLAMP = 15;
    /** Beyond ±6, erf is ±1 to double precision. */
    private static final double ERF_CLAMP = 6;
    /** Below it erf takes the series, from it {@code 1 - erfc}. */
    private static final double SERIES_LIMIT = 0.5;

    private FloatErf() {
    }

    /** {@code out[i] = gelu(x[i])}; out may be x. */
    static void gelu(float[] x, float[] out, int n, double[] work) {
        widen(x, work, n);
        geluInPlace(work, n);
        narrow(work, out, n);
    }

    /** {@code out[i] = erf(x[i])}; out may be x. */
    static void erf(float[] x, float[] out, int n, double[] work, double[] tails) {
        widen(x, work, n);
        erfTails(work, tails, n);
        erfInPlace(work, tails, n);
        narrow(work, out, n);
    }

    static void widen(float[] x, double[] d, int n) {
        for (int i = 0; i < n; i++) {
            d[i] = x[i];
        }
    }

    static void narrow(double[] d, float[] out, int n) {
        for (int i = 0; i < n; i++) {
            out[i] = (float) d[i];
        }
    }

    /**
     * With {@code E = erfc(|x|/√2)/2}, {@code Φ(x) = E} for x < 0 and {@code 1 - E} for x >= 0 (no
     * cancellation on either side: {@code 1 - E >= 1/2}), written {@code Φ = h - s·E} with
     * {@code s = x/|x|} (±1, and 0 at 0) and {@code h = (1 + s)/2}; {@code E = e^(-x²/2) erfcx/2}.
     * x is clamped to [-15, 15] for Φ and to [-15, ∞) as the factor, so that x below -15 and -inf
     * give -0 (as the reference does below -40; between, the value is below half the smallest
     * float) and +inf gives +inf; NaN passes through both clamps.
     */
    private static void geluInPlace(double[] x, int n) {
        for (int i = 0; i < n; i++) {
            double factor = Math.max(x[i], -GELU_CLAMP);
            double v = Math.min(factor, GELU_CLAMP);
            double a = Math.abs(v);
            double e = 0.5 * erfcx(1 / (1 + GELU_T_SCALE * a)) * expTimes128(v * v * (-1.0 / 256));
            double s = sign(v, a);
            double h = 0.5 + 0.5 * s;
            x[i] = factor * Math.fma(-s, e, h);
        }
    }

    /**
     * erf from x clamped to [-6, 6] (erf(±inf) = ±1; NaN passes through): the series below
     * |x| = 1/2, {@code s (1 - erfc|x|)} from there (s the sign, from {@link #erfTails}); both
     * computed and one kept by a factor m that is exactly 1 or 0 (the first loop leaves x clamped
     * for the second). Two loops: as one, the body passes C2's unrolling limit and stays scalar
     * (15 ns an element against 3).
     */
    private static void erfTails(double[] x, double[] tails, int n) {
        for (int i = 0; i < n; i++) {
            double v = Math.min(Math.max(x[i], -ERF_CLAMP), ERF_CLAMP);
            double a = Math.abs(v);
            double s = sign(v, a);
            tails[i] = s * (1 - erfcx(1 / (1 + ERFCX_T_SCALE * a)) * expTimes128(v * v * (-1.0 / 128)));
            x[i] = v;   // clamped: the series of a larger x would overflow, and 0 · inf is NaN
        }
    }

    private static void erfInPlace(double[] x, double[] tails, int n) {
        for (int i = 0; i < n; i++) {
            double v = x[i];
            double q = v * v;
            double p = S8;
            p = Math.fma(p, q, S7);
            p = Math.fma(p, q, S6);
            p = Math.fma(p, q, S5);
            p = Math.fma(p, q, S4);
            p = Math.fma(p, q, S3);
            p = Math.fma(p, q, S2);
            p = Math.fma(p, q, S1);
            p = Math.fma(p, q, S0);
            double m = Math.max(0, Math.min(1, (SERIES_LIMIT - Math.abs(v)) * 0x1p1000));
            x[i] = m * (v * p) + (1 - m) * tails[i];
        }
    }

    /**
     * v/|v| without a branch: ±1 for every float v but ±0 (where it is ±0), NaN for NaN; the
     * 2^-1000 keeps 0/0 away and vanishes beside any nonzero float's magnitude.
     */
    private static double sign(double v, double a) {
        return v / (a + 0x1p-1000);
    }

    /** {@code erfc(z) e^(z²)} from {@code t = 1/(1 + 0.4 z)}, z in [0, 15/√2]. */
    private static double erfcx(double t) {
        double f = F10;
        f = Math.fma(f, t, F9);
        f = Math.fma(f, t, F8);
        f = Math.fma(f, t, F7);
        f = Math.fma(f, t, F6);
        f = Math.fma(f, t, F5);
        f = Math.fma(f, t, F4);
        f = Math.fma(f, t, F3);
        f = Math.fma(f, t, F2);
        f = Math.fma(f, t, F1);
        return Math.fma(f, t, F0);
    }

    /** {@code e^(128 w)} for w in [-0.88, 0]. */
    private static double expTimes128(double w) {
        double p = E9;
        p = Math.fma(p, w, E8);
        p = Math.fma(p, w, E7);
        p = Math.fma(p, w, E6);
        p = Math.fma(p, w, E5);
        p = Math.fma(p, w, E4);
        p = Math.fma(p, w, E3);
        p = Math.fma(p, w, E2);
        p = Math.fma(p, w, E1);
        p = Math.fma(p, w, E0);
        p *= p;   // seven squarings, written out: a loop inside the element loop would keep it scalar
        p *= p;
        p *= p;
        p *= p;
        p *= p;
        p *= p;
        return p * p;
    }
}
