package dev.descent.nn.loss;

import dev.descent.autograd.Variable;

/**
 * Binary cross-entropy from logits, as PyTorch's {@code BCEWithLogitsLoss}: for a logit x and a
 * target y in [0, 1],
 * <pre>
 * ℓ = −[y log σ(x) + (1 − y) log(1 − σ(x))] = softplus(x) − x·y
 *   = max(x, 0) − x·y + log(1 + e^{−|x|})
 * </pre>
 * The last form never overflows and never takes the log of 0, so the loss is finite for every
 * finite logit; its gradient is {@code σ(x) − y}.
 */
public final class BceWithLogitsLoss implements Loss {
    private final Reduction reduction;

    public BceWithLogitsLoss() {
        this(Reduction.MEAN);
    }

    public BceWithLogitsLoss(Reduction reduction) {
        this.reduction = reduction;
    }

    @Override
    public Variable apply(Variable input, Variable target) {
        ElementwiseLosses.checkPair("BceWithLogitsLoss", input, target);
        return reduction.reduce(input.softplus().sub(input.mul(target)));
    }
}
