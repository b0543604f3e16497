package dev.descent.nn.loss;

import dev.descent.autograd.Variable;
import dev.descent.core.Check;

/**
 * The L2 regularisation term of seed 001's cost {@code L(w) = empirical risk + λ R(w)}, with
 * {@code R(w) = ½ Σ_p ‖p‖²} over the given parameters: added to a loss, its gradient is
 * {@code λ p} for each parameter, the same step as an optimiser's L2 weight decay λ (PyTorch's
 * SGD {@code weight_decay}). Which parameters to penalise is the caller's choice (commonly the
 * weights, not the biases).
 */
public final class L2Penalty {
    private final double lambda;

    /** @param lambda λ >= 0 */
    public L2Penalty(double lambda) {
        Check.argument(lambda >= 0 && Double.isFinite(lambda), "L2Penalty", "expected a finite lambda >= 0, got %s",
                lambda);
        this.lambda = lambda;
    }

    public double lambda() {
        return lambda;
    }

    /** {@code (λ/2) Σ_p ‖p‖²}, a rank-0 value of the parameters' dtype. */
    public Variable of(Iterable<Variable> parameters) {
        Variable total = null;
        for (Variable p : parameters) {
            Variable sum = p.square().sum();
            total = total == null ? sum : total.add(sum);
        }
        Check.argument(total != null, "L2Penalty", "expected at least one parameter, got none");
        return total.mul(lambda / 2);
    }
}
