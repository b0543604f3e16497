package dev.descent.optim.linesearch;

import dev.descent.core.Check;
import java.util.function.DoubleUnaryOperator;

/**
 * The bracketing line search of seed 003 fig. 6.10, with the interior points at the golden
 * ratio so that each iteration reuses one evaluation. The minimum is searched in [a, d] =
 * [0, maxStep]: with interior points b < c, if L[b] > L[c] the range [a, b] is eliminated,
 * otherwise [c, d]; this repeats until the bracket is shorter than {@code tolerance}, and the
 * middle of the final bracket is returned. Assumes φ unimodal on the range.
 */
public final class GoldenSectionSearch implements LineSearch {
    private static final double INV_PHI = (Math.sqrt(5) - 1) / 2;
    private final double maxStep;
    private final double tolerance;

    public GoldenSectionSearch(double maxStep, double tolerance) {
        Check.argument(maxStep > 0, "GoldenSectionSearch", "expected maxStep > 0, got %s", maxStep);
        Check.argument(tolerance > 0, "GoldenSectionSearch", "expected tolerance > 0, got %s", tolerance);
        this.maxStep = maxStep;
        this.tolerance = tolerance;
    }

    @Override
    public double search(DoubleUnaryOperator phi, double phi0, double slope0) {
        double a = 0;
        double d = maxStep;
        double b = d - INV_PHI * (d - a);
        double c = a + INV_PHI * (d - a);
        double lb = phi.applyAsDouble(b);
        double lc = phi.applyAsDouble(c);
        while (d - a > tolerance) {
            if (lb > lc) {
                a = b;
                b = c;
                lb = lc;
                c = a + INV_PHI * (d - a);
                lc = phi.applyAsDouble(c);
            } else {
                d = c;
                c = b;
                lc = lb;
                b = d - INV_PHI * (d - a);
                lb = phi.applyAsDouble(b);
            }
        }
        return (a + d) / 2;
    }
}
