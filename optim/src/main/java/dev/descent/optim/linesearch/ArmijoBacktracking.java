package dev.descent.optim.linesearch;

import dev.descent.core.Check;
import java.util.function.DoubleUnaryOperator;

/**
 * Backtracking line search with the Armijo (sufficient decrease) condition (Nocedal and
 * Wright, Algorithm 3.1): start from α₀ and shrink α ← ρ·α until
 * φ(α) ≤ φ(0) + c·α·φ'(0), or until {@code maxIterations} shrinks (then the last α).
 * Defaults: α₀ = 1, ρ = 0.5, c = 1e-4, 50 iterations.
 */
public final class ArmijoBacktracking implements LineSearch {
    private final double initialStep;
    private final double shrink;
    private final double c;
    private final int maxIterations;

    public ArmijoBacktracking(double initialStep, double shrink, double c, int maxIterations) {
        String op = "ArmijoBacktracking";
        Check.argument(initialStep > 0, op, "expected initialStep > 0, got %s", initialStep);
        Check.argument(shrink > 0 && shrink < 1, op, "expected shrink in (0, 1), got %s", shrink);
        Check.argument(c > 0 && c < 1, op, "expected c in (0, 1), got %s", c);
        Check.argument(maxIterations > 0, op, "expected maxIterations > 0, got %d", maxIterations);
        this.initialStep = initialStep;
        this.shrink = shrink;
        this.c = c;
        this.maxIterations = maxIterations;
    }

    public ArmijoBacktracking() {
        this(1, 0.5, 1e-4, 50);
    }

    @Override
    public double search(DoubleUnaryOperator phi, double phi0, double slope0) {
        double alpha = initialStep;
        for (int i = 0; i < maxIterations; i++) {
            double v = phi.applyAsDouble(alpha);
            if (v <= phi0 + c * alpha * slope0) {
                return alpha;
            }
            alpha *= shrink;
        }
        return alpha;
    }
}
