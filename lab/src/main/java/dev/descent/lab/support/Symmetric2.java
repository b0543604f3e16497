package dev.descent.lab.support;

/**
 * Eigenvalues of a symmetric 2×2 matrix [[a, b], [b, d]], in decreasing order (λ1 ≥ λ2), and
 * the classification of a critical point by them (seed 003 §6 notes, seed 004).
 */
public final class Symmetric2 {
    private Symmetric2() {
    }

    /** What kind of critical point a Hessian with these eigenvalues makes. */
    public enum Kind { MINIMUM, MAXIMUM, SADDLE, DEGENERATE }

    /** {λ1, λ2} of the row-major 2×2 matrix {@code h} (symmetrised). */
    public static double[] eigenvalues(double[] h) {
        double a = h[0];
        double b = (h[1] + h[2]) / 2;
        double d = h[3];
        double mean = (a + d) / 2;
        double r = Math.hypot((a - d) / 2, b);
        return new double[] {mean + r, mean - r};
    }

    public static Kind classify(double[] eigenvalues, double tolerance) {
        double l1 = eigenvalues[0];
        double l2 = eigenvalues[1];
        if (Math.abs(l1) <= tolerance || Math.abs(l2) <= tolerance) {
            return Kind.DEGENERATE;
        }
        if (l2 > 0) {
            return Kind.MINIMUM;
        }
        if (l1 < 0) {
            return Kind.MAXIMUM;
        }
        return Kind.SADDLE;
    }
}
