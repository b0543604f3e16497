package dev.descent.nn.loss;

import dev.descent.autograd.Variable;
import java.util.OptionalInt;

/**
 * Negative log-likelihood of class labels given log-probabilities, as PyTorch's
 * {@code NLLLoss}: for input {@code [N, C]} (log-probabilities, e.g. from log-softmax) and
 * labels {@code y ∈ {0..C−1}^N}, {@code ℓ_i = −x[i, y_i]}.
 */
public final class NllLoss implements Loss {
    private final Reduction reduction;

    public NllLoss() {
        this(Reduction.MEAN);
    }

    public NllLoss(Reduction reduction) {
        this.reduction = reduction;
    }

    @Override
    public Variable apply(Variable input, Variable target) {
        String op = "NllLoss";
        ClassLabels.checkInput(op, input);
        ClassLabels.check(op, target, input.size(0));
        Variable picked = ClassLabels.pick(op, input, target.data(), OptionalInt.empty());
        Variable losses = picked.neg();
        return reduction.reduce(losses);
    }
}
