package dev.descent.cpu;

/**
 * The float64 definitions of the elementwise functions that {@link Math} lacks, one value at a
 * time: the CPU backend's float64 kernels and the float32 kernels that compute through double
 * use them.
 *
 * <p>{@link #erf} and {@link #erfc} are Sun's fdlibm {@code s_erf.c} (also FreeBSD's and musl's
 * libm) line for line, rational approximations region by region; fdlibm documents an error
 * below 1 ulp. {@link #gelu} is {@code x/2 · erfc(-x/√2)} (erfc, not {@code 1 + erf}, so that
 * the negative tail keeps its relative accuracy): its error is that of erfc plus the rounding
 * of {@code -x/√2}, which erfc amplifies by {@code 2z²} at {@code z = -x/√2} (a few ulps where
 * the result is not negligible). {@link #softplus} is {@code max(x, 0) + log1p(e^-|x|)}, within
 * 2 ulps; {@link #sigmoid} is {@code 1/(1+e^-x)} for x ≥ 0 and {@code e^x/(1+e^x)} below,
 * within 2 ulps.
 */
final class ScalarMath {
    private static final double ERX = 8.45062911510467529297e-01;
    private static final double EFX = 1.28379167095512586316e-01;
    private static final double EFX8 = 1.02703333676410069053e+00;
    private static final double PP0 = 1.28379167095512558561e-01;
    private static final double PP1 = -3.25042107247001499370e-01;
    private static final double PP2 = -2.84817495755985104766e-02;
    private static final double PP3 = -5.77027029648944159157e-03;
    private static final double PP4 = -2.37630166566501626084e-05;
    private static final double QQ1 = 3.97917223959155352819e-01;
    private static final double QQ2 = 6.50222499887672944485e-02;
    private static final double QQ3 = 5.08130628187576562776e-03;
    private static final double QQ4 = 1.32494738004321644526e-04;
    private static final double QQ5 = -3.96022827877536812320e-06;
    private static final double PA0 = -2.36211856075265944077e-03;
    private static final double PA1 = 4.14856118683748331666e-01;
    private static final double PA2 = -3.72207876035701323847e-01;
    private static final double PA3 = 3.18346619901161753674e-01;
    private static final double PA4 = -1.10894694282396677476e-01;
    private static final double PA5 = 3.54783043256182359371e-02;
    private static final double PA6 = -2.16637559486879084300e-03;
    private static final double QA1 = 1.06420880400844228286e-01;
    private static final double QA2 = 5.40397917702171048937e-01;
    private static final double QA3 = 7.18286544141962662868e-02;
    private static final double QA4 = 1.26171219808761642112e-01;
    private static final double QA5 = 1.36370839120290507362e-02;
    private static final double QA6 = 1.19844998467991074170e-02;
    private static final double RA0 = -9.86494403484714822705e-03;
    private static final double RA1 = -6.93858572707181764372e-01;
    private static final double RA2 = -1.05586262253232909814e+01;
    private static final double RA3 = -6.23753324503260060396e+01;
    private static final double RA4 = -1.62396669462573470355e+02;
    private static final double RA5 = -1.84605092906711035994e+02;
    private static final double RA6 = -8.12874355063065934246e+01;
    private static final double RA7 = -9.81432934416914548592e+00;
    private static final double SA1 = 1.96512716674392571292e+01;
    private static final double SA2 = 1.37657754143519042600e+02;
    private static final double SA3 = 4.34565877475229228821e+02;
    private static final double SA4 = 6.45387271733267880336e+02;
    private static final double SA5 = 4.29008140027567833386e+02;
    private static final double SA6 = 1.08635005541779435134e+02;
    private static final double SA7 = 6.57024977031928170135e+00;
    private static final double SA8 = -6.04244152148580987438e-02;
    private static final double RB0 = -9.86494292470009928597e-03;
    private static final double RB1 = -7.99283237680523006574e-01;
    private static final double RB2 = -1.77579549177547519889e+01;
    private static final double RB3 = -1.60636384855821916062e+02;
    private static final double RB4 = -6.37566443368389627722e+02;
    private static final double RB5 = -1.02509513161107724954e+03;
    private static final double RB6 = -4.83519191608651397019e+02;
    private static final double SB1 = 3.03380607434824582924e+01;
    private static final double SB2 = 3.25792512996573918826e+02;
    private static final double SB3 = 1.53672958608443695994e+03;
    private static final double SB4 = 3.19985821950859553908e+03;
    private static final double SB5 = 2.55305040643316442583e+03;
    private static final double SB6 = 4.74528541206955367215e+02;
    private static final double SB7 = -2.24409524465858183362e+01;
    private static final double TINY = 1e-300;
    private static final double SQRT_HALF = 0.7071067811865476;

    private ScalarMath() {
    }

    /** The high 32 bits of {@code x}, as fdlibm's {@code __HI}. */
    private static int hi(double x) {
        return (int) (Double.doubleToRawLongBits(x) >>> 32);
    }

    /** {@code x} with its low 32 bits cleared, as fdlibm's {@code __LO(z) = 0}. */
    private static double clearLow(double x) {
        return Double.longBitsToDouble(Double.doubleToRawLongBits(x) & 0xffffffff00000000L);
    }

    static double erf(double x) {
        int hx = hi(x);
        int ix = hx & 0x7fffffff;
        if (ix >= 0x7ff00000) {
            // erf(NaN) = NaN, erf(±inf) = ±1.
            return Double.isNaN(x) ? x : Math.copySign(1, x);
        }
        if (ix < 0x3feb0000) {
            if (ix < 0x3e300000) {
                return ix < 0x00800000 ? 0.125 * (8.0 * x + EFX8 * x) : x + EFX * x;
            }
            double z = x * x;
            return x + x * smallRatio(z);
        }
        if (ix < 0x3ff40000) {
            double s = Math.abs(x) - 1;
            double pq = middleRatio(s);
            return hx >= 0 ? ERX + pq : -ERX - pq;
        }
        if (ix >= 0x40180000) {
            return hx >= 0 ? 1 - TINY : TINY - 1;
        }
        double a = Math.abs(x);
        double r = tail(a, ix);
        return hx >= 0 ? 1 - r / a : r / a - 1;
    }

    static double erfc(double x) {
        int hx = hi(x);
        int ix = hx & 0x7fffffff;
        if (ix >= 0x7ff00000) {
            // erfc(NaN) = NaN, erfc(+inf) = 0, erfc(-inf) = 2.
            return Double.isNaN(x) ? x : (x > 0 ? 0 : 2);
        }
        if (ix < 0x3feb0000) {
            if (ix < 0x3c700000) {
                return 1 - x;
            }
            double y = smallRatio(x * x);
            if (hx < 0x3fd00000) {
                return 1 - (x + x * y);
            }
            double r = x * y + (x - 0.5);
            return 0.5 - r;
        }
        if (ix < 0x3ff40000) {
            double s = Math.abs(x) - 1;
            double pq = middleRatio(s);
            return hx >= 0 ? (1 - ERX) - pq : 1 + (ERX + pq);
        }
        if (ix < 0x403c0000) {
            if (hx < 0 && ix >= 0x40180000) {
                return 2 - TINY;
            }
            double a = Math.abs(x);
            double r = tail(a, ix);
            return hx > 0 ? r / a : 2 - r / a;
        }
        return hx > 0 ? TINY * TINY : 2 - TINY;
    }

    /** {@code R(z)/S(z)} of the region |x| < 0.84375. */
    private static double smallRatio(double z) {
        double r = PP0 + z * (PP1 + z * (PP2 + z * (PP3 + z * PP4)));
        double s = 1 + z * (QQ1 + z * (QQ2 + z * (QQ3 + z * (QQ4 + z * QQ5))));
        return r / s;
    }

    /** {@code P(s)/Q(s)} of the region 0.84375 <= |x| < 1.25, s = |x| - 1. */
    private static double middleRatio(double s) {
        double p = PA0 + s * (PA1 + s * (PA2 + s * (PA3 + s * (PA4 + s * (PA5 + s * PA6)))));
        double q = 1 + s * (QA1 + s * (QA2 + s * (QA3 + s * (QA4 + s * (QA5 + s * QA6)))));
        return p / q;
    }

    /**
     * {@code x · erfc(x)} for 1.25 <= x < 28 as {@code exp(-x² - 0.5625 + R/S)}, with x² split into
     * a part exact in double and a small remainder ({@code z} is x with its low word cleared).
     */
    private static double tail(double a, int ix) {
        double s = 1 / (a * a);
        double r;
        double q;
        if (ix < 0x4006DB6E) {
            r = RA0 + s * (RA1 + s * (RA2 + s * (RA3 + s * (RA4 + s * (RA5 + s * (RA6 + s * RA7))))));
            q = 1 + s * (SA1 + s * (SA2 + s * (SA3 + s * (SA4 + s * (SA5 + s * (SA6 + s * (SA7 + s * SA8)))))));
        } else {
            r = RB0 + s * (RB1 + s * (RB2 + s * (RB3 + s * (RB4 + s * (RB5 + s * RB6)))));
            q = 1 + s * (SB1 + s * (SB2 + s * (SB3 + s * (SB4 + s * (SB5 + s * (SB6 + s * SB7))))));
        }
        double z = clearLow(a);
        return Math.exp(-z * z - 0.5625) * Math.exp((z - a) * (z + a) + r / q);
    }

    /** {@code x/2 · erfc(-x/√2)}; -0 below -40, where the value is below double's smallest subnormal. */
    static double gelu(double x) {
        return x < -40 ? -0.0 : 0.5 * x * erfc(-x * SQRT_HALF);
    }

    /** {@code max(x, 0) + log1p(e^-|x|)}. */
    static double softplus(double x) {
        return Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
    }

    /** {@code 1/(1+e^-x)} without overflow: for x < 0 it is {@code e^x/(1+e^x)}. */
    static double sigmoid(double x) {
        if (x >= 0) {
            return 1.0 / (1.0 + Math.exp(-x));
        }
        double e = Math.exp(x);
        return e / (1.0 + e);
    }
}
