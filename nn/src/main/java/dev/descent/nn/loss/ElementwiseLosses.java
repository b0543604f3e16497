package dev.descent.nn.loss;

import dev.descent.autograd.Variable;
import dev.descent.core.Check;

/** The checks the elementwise losses share: same shape, same floating dtype. */
final class ElementwiseLosses {
    private ElementwiseLosses() {
    }

    static void checkPair(String op, Variable input, Variable target) {
        Check.argument(input.dtype().isFloating(), op, "expected a floating input, got %s", input.dtype());
        Check.argument(target.dtype() == input.dtype(), op, "expected a target of the input's dtype %s, got %s",
                input.dtype(), target.dtype());
        Check.argument(target.shape().equals(input.shape()), op,
                "expected a target of the input's shape %s, got %s (no broadcasting in losses)", input.shape(),
                target.shape());
    }
}
