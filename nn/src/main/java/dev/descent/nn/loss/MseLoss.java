package dev.descent.nn.loss;

import dev.descent.autograd.Variable;

/** Mean squared error: {@code ℓ_i = (x_i − y_i)²}, reduced (mean by default, as PyTorch's {@code MSELoss}). */
public final class MseLoss implements Loss {
    private final Reduction reduction;

    public MseLoss() {
        this(Reduction.MEAN);
    }

    public MseLoss(Reduction reduction) {
        this.reduction = reduction;
    }

    @Override
    public Variable apply(Variable input, Variable target) {
        ElementwiseLosses.checkPair("MseLoss", input, target);
        return reduction.reduce(input.sub(target).square());
    }
}
