package dev.descent.optim.linesearch;

import java.util.function.DoubleUnaryOperator;

/**
 * Chooses a step length α along a search direction d from the one-dimensional function
 * φ(α) = L(θ + α·d) (seed 003 §6.1 notes: "sample the function along the desired direction to
 * try to find the optimal step size").
 */
@FunctionalInterface
public interface LineSearch {
    /**
     * @param phi φ(α), the loss at θ + α·d
     * @param phi0 φ(0), the loss now
     * @param slope0 φ'(0) = ∇L(θ)ᵀd, negative for a descent direction
     * @return the step length α ≥ 0
     */
    double search(DoubleUnaryOperator phi, double phi0, double slope0);
}
