package dev.descent.nn.loss;

import dev.descent.autograd.Variable;

/** Absolute error: {@code ℓ_i = |x_i − y_i|} (gradient {@code sign(x − y)}, 0 at a tie, as PyTorch). */
public final class L1Loss implements Loss {
    private final Reduction reduction;

    public L1Loss() {
        this(Reduction.MEAN);
    }

    public L1Loss(Reduction reduction) {
        this.reduction = reduction;
    }

    @Override
    public Variable apply(Variable input, Variable target) {
        ElementwiseLosses.checkPair("L1Loss", input, target);
        return reduction.reduce(input.sub(target).abs());
    }
}
