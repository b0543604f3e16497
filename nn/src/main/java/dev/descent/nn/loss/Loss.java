package dev.descent.nn.loss;

import dev.descent.autograd.Variable;
import dev.descent.core.Tensor;

/**
 * A loss: a function of a prediction and a target whose result (reduced by a
 * {@link Reduction}) is what {@code backward()} is called on.
 */
@FunctionalInterface
public interface Loss {

    /** The loss of {@code input} against {@code target}; the target may itself require grad. */
    Variable apply(Variable input, Variable target);

    /** As {@link #apply(Variable, Variable)} with a target that needs no gradient; the target is not closed. */
    default Variable apply(Variable input, Tensor target) {
        return apply(input, Variable.of(target));
    }
}
