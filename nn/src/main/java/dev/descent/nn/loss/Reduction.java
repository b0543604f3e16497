package dev.descent.nn.loss;

import dev.descent.autograd.Variable;
import dev.descent.nn.Temporaries;

/** How a loss turns per-element (or per-sample) losses into its result, as PyTorch's {@code reduction}. */
public enum Reduction {
    /** The per-element losses, unreduced. */
    NONE,
    /** Their mean (the default): the empirical risk (1/N) Σ L of seed 001. */
    MEAN,
    /** Their sum. */
    SUM;

    /** Applies this reduction to {@code losses}, freeing them when nothing recorded refers to them. */
    public Variable reduce(Variable losses) {
        Variable out = switch (this) {
            case NONE -> losses;
            case MEAN -> losses.mean();
            case SUM -> losses.sum();
        };
        Temporaries.release(losses, out);
        return out;
    }
}
