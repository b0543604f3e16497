package dev.descent.autograd;

import dev.descent.core.DType;
import dev.descent.core.Scope;
import dev.descent.core.Tensor;

/**
 * The error function {@code erf(x) = 2/sqrt(pi) * integral_0^x exp(-t^2) dt}, built from core's
 * elementwise primitives (the backend SPI has no erf): the rational approximations of Sun's
 * fdlibm {@code s_erf.c} (also FreeBSD's and musl's libm), evaluated in float64 on every
 * element, region by region, and selected with {@code where}:
 *
 * <ul>
 * <li>{@code |x| < 0.84375}: {@code x + x R(x^2)/S(x^2)};
 * <li>{@code 0.84375 <= |x| < 1.25}: {@code erx + P(s)/Q(s)}, {@code s = |x| - 1};
 * <li>{@code 1.25 <= |x| < 6}: {@code 1 - exp(-x^2 - 0.5625 + R(s)/S(s)) / |x|}, {@code s = 1/x^2},
 *     with one pair of polynomials below {@code 1/0.35} and another above;
 * <li>{@code |x| >= 6}: 1 (in float64 {@code 1 - erfc(6)} already rounds to 1).
 * </ul>
 *
 * The error is within a few units in the last place of float64 (fdlibm claims < 1 ulp; this
 * form skips fdlibm's split of {@code x^2} into high and low parts, which costs a few ulp of
 * {@code erfc} where it is tiny and nothing visible in {@code erf}). NaN stays NaN. A float32
 * input is computed in float64 and rounded once.
 */
public final class Erf {
    private static final double ERX = 8.45062911510467529297e-01;
    private static final double[] PP = {1.28379167095512558561e-01, -3.25042107247001499370e-01,
        -2.84817495755985104766e-02, -5.77027029648944159157e-03, -2.37630166566501626084e-05};
    private static final double[] QQ = {1, 3.97917223959155352819e-01, 6.50222499887672944485e-02,
        5.08130628187576562776e-03, 1.32494738004321644526e-04, -3.96022827877536812320e-06};
    private static final double[] PA = {-2.36211856075265944077e-03, 4.14856118683748331666e-01,
        -3.72207876035701323847e-01, 3.18346619901161753674e-01, -1.10894694282396677476e-01,
        3.54783043256182359371e-02, -2.16637559486879084300e-03};
    private static final double[] QA = {1, 1.06420880400844228286e-01, 5.40397917702171048937e-01,
        7.18286544141962662868e-02, 1.26171219808761642112e-01, 1.36370839120290507362e-02,
        1.19844998467991074170e-02};
    private static final double[] RA = {-9.86494403484714822705e-03, -6.93858572707181764372e-01,
        -1.05586262253232909814e+01, -6.23753324503260060396e+01, -1.62396669462573470355e+02,
        -1.84605092906711035994e+02, -8.12874355063065934246e+01, -9.81432934416914548592e+00};
    private static final double[] SA = {1, 1.96512716674392571292e+01, 1.37657754143519042600e+02,
        4.34565877475229228821e+02, 6.45387271733267880336e+02, 4.29008140027567833386e+02,
        1.08635005541779435134e+02, 6.57024977031928170135e+00, -6.04244152148580987438e-02};
    private static final double[] RB = {-9.86494292470009928597e-03, -7.99283237680523006574e-01,
        -1.77579549177547519889e+01, -1.60636384855821916062e+02, -6.37566443368389627722e+02,
        -1.02509513161107724954e+03, -4.83519191608651397019e+02};
    private static final double[] SB = {1, 3.03380607434824582924e+01, 3.25792512996573918826e+02,
        1.53672958608443695994e+03, 3.19985821950859553908e+03, 2.55305040643316442583e+03,
        4.74528541206955367215e+02, -2.24409524465858183362e+01};

    private Erf() {
    }

    /** {@code erf(x)} elementwise, in the dtype of {@code x} (floating). */
    public static Tensor erf(Tensor x) {
        x.checkOpen("erf");
        try (Scope scope = Scope.open()) {
            Tensor d = x.to(DType.FLOAT64);
            Tensor a = d.abs();
            Tensor z = d.square();
            Tensor small = d.add(d.mul(ratio(z, PP, QQ)));
            Tensor s = a.sub(1);
            Tensor middle = ratio(s, PA, QA).add(ERX);
            // Clamped so that the branches not taken stay finite; 6 is where erf rounds to 1.
            Tensor c = a.clamp(1.25, 6);
            Tensor c2 = c.square();
            Tensor inv = c2.reciprocal();
            Tensor rs = Tensor.where(c.lt(1 / 0.35), ratio(inv, RA, SA), ratio(inv, RB, SB));
            Tensor erfc = c2.neg().sub(0.5625).add(rs).exp().div(c);
            Tensor large = erfc.neg().add(1);
            Tensor magnitude = Tensor.where(a.lt(1.25), middle, large);
            Tensor result = Tensor.where(a.lt(0.84375), small, d.sign().mul(magnitude));
            return scope.keep(result.to(x.dtype()));
        }
    }

    /** {@code P(s) / Q(s)} with the coefficients from the constant term up (Horner's rule). */
    private static Tensor ratio(Tensor s, double[] p, double[] q) {
        return horner(s, p).div(horner(s, q));
    }

    private static Tensor horner(Tensor s, double[] c) {
        Tensor acc = s.mul(c[c.length - 1]).add(c[c.length - 2]);
        for (int k = c.length - 3; k >= 0; k--) {
            acc = acc.mul(s).add(c[k]);
        }
        return acc;
    }
}
