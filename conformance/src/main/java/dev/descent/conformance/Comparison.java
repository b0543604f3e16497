package dev.descent.conformance;

import java.util.Arrays;
import java.util.Locale;

/**
 * The outcome of comparing a backend's elements with the reference: how many elements lay
 * outside the tolerance and the worst one (the largest error relative to its allowance,
 * reported even when every element passed, so the report shows how close each op came).
 *
 * @param elements how many elements were compared
 * @param bad how many lay outside the tolerance
 * @param worstIndex the index of the worst element (empty when there were none)
 * @param expected the reference value there (rounded to the output dtype)
 * @param got the backend's value there
 * @param absError {@code |got - expected|}
 * @param relError {@code absError / |expected|}
 * @param allowed the error the tolerance allowed there
 * @param tolerance the tolerance applied
 */
public record Comparison(int elements, int bad, int[] worstIndex, double expected, double got, double absError,
        double relError, double allowed, Tolerance tolerance) {

    /**
     * Compares {@code got} (row-major, {@code expected}'s shape) with {@code expected}.
     * {@code scale} gives each element's error scale, or is null for none.
     */
    public static Comparison of(double[] got, RefArray expected, RefArray scale, Tolerance tol) {
        if (got.length != expected.numel()) {
            throw new IllegalArgumentException("Comparison: " + got.length + " values for shape "
                    + Arrays.toString(expected.shape()));
        }
        int bad = 0;
        int worst = -1;
        double worstRatio = -1;
        for (int i = 0; i < got.length; i++) {
            double e = expected.flat(i);
            double s = scale == null ? 0 : scale.flat(i);
            double ratio = ratio(e, got[i], tol.allowed(e, s));
            if (ratio > 1) {
                bad++;
            }
            if (ratio > worstRatio) {
                worstRatio = ratio;
                worst = i;
            }
        }
        if (worst < 0) {
            return new Comparison(0, 0, new int[0], 0, 0, 0, 0, 0, tol);
        }
        double e = expected.flat(worst);
        double g = got[worst];
        double abs = sameSpecial(e, g) ? 0 : Math.abs(g - e);
        if (Double.isNaN(abs)) {
            abs = Double.POSITIVE_INFINITY;
        }
        double rel = abs == 0 ? 0 : abs / Math.abs(e);
        double allowed = tol.allowed(e, scale == null ? 0 : scale.flat(worst));
        return new Comparison(got.length, bad, RefArray.unravel(worst, expected.shape()), e, g, abs, rel, allowed,
                tol);
    }

    /** Error over allowance: above 1 fails. NaN must meet NaN, an infinity the same infinity. */
    private static double ratio(double expected, double got, double allowed) {
        if (sameSpecial(expected, got) || expected == got) {
            return 0;
        }
        if (Double.isNaN(expected) || Double.isNaN(got) || Double.isInfinite(expected) || Double.isInfinite(got)) {
            return Double.POSITIVE_INFINITY;
        }
        double err = Math.abs(got - expected);
        return allowed == 0 ? Double.POSITIVE_INFINITY : err / allowed;
    }

    private static boolean sameSpecial(double a, double b) {
        return (Double.isNaN(a) && Double.isNaN(b)) || (Double.isInfinite(a) && a == b);
    }

    public boolean passed() {
        return bad == 0;
    }

    /** The worst element's error over its allowance (above 1 fails; 0 when exact). */
    public double ratio() {
        if (absError == 0) {
            return 0;
        }
        return allowed == 0 ? Double.POSITIVE_INFINITY : absError / allowed;
    }

    /** One line: how many elements failed and the worst one with its errors. */
    public String describe() {
        if (elements == 0) {
            return "no elements";
        }
        return String.format(Locale.ROOT,
                "%d of %d elements outside %s; worst at index %s: expected %s, got %s (abs error %.3g, rel error %.3g,"
                        + " allowed %.3g)",
                bad, elements, tolerance, Arrays.toString(worstIndex), num(expected), num(got), absError, relError,
                allowed);
    }

    static String num(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? String.valueOf((long) v) : String.format(Locale.ROOT, "%.9g", v);
    }
}
