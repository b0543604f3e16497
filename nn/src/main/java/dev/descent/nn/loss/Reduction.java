package dev.descent.nn.loss;

import dev.descent.autograd.Variable;

/** How a loss turns per-element (or per-sample) losses into its result, as PyTorch's {@code reduction}. */
public enum Reduction {
    /** The per-element losses, unreduced. */
    NONE,
    /** Their mean (the default): the empirical risk (1/N) Σ L of seed 001. */
    MEAN,
    /** Their sum. */
    SUM;

    /** Applies this reduction to {@code losses}. */
    public Variable reduce(Variable losses) {
        return switch (this) {
            case NONE -> losses;
            case MEAN -> losses.mean();
            case SUM -> losses.sum();
        };
    }
}
