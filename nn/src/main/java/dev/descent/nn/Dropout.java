package dev.descent.nn;

import dev.descent.autograd.Variable;
import dev.descent.core.Check;
import dev.descent.core.Generator;
import dev.descent.core.Tensor;

/**
 * Inverted dropout (Srivastava et al. 2014, in the form PyTorch uses): in training each element
 * is zeroed with probability {@code p} and the survivors are scaled by {@code 1/(1-p)}, so the
 * expected output equals the input and evaluation needs no rescaling:
 * {@code y = x · m / (1-p)}, {@code m ~ Bernoulli(1-p)} elementwise. In evaluation mode
 * {@code y = x} (the input itself is returned).
 *
 * <p>The masks are drawn from the {@link Generator} given at construction, so a seed fixes
 * every mask of a run. {@code p = 1} zeroes everything.
 */
public final class Dropout extends Module {
    private final double p;
    private final Generator gen;

    public Dropout(double p, Generator gen) {
        Check.argument(p >= 0 && p <= 1, "Dropout", "expected a probability 0 <= p <= 1, got %s", p);
        Check.argument(gen != null, "Dropout", "expected a generator for the masks, got null");
        this.p = p;
        this.gen = gen;
    }

    public double probability() {
        return p;
    }

    @Override
    public Variable forward(Variable input) {
        if (!isTraining() || p == 0) {
            return input;
        }
        Check.argument(input.dtype().isFloating(), "Dropout.forward", "expected a floating input, got %s",
                input.dtype());
        Variable dropped;
        try (Tensor u = Tensor.rand(gen, input.dtype(), input.shape().dims());
             Tensor here = u.to(input.device());
             Tensor drop = here.lt(p)) {
            dropped = input.maskedFill(drop, 0);
        }
        if (p == 1) {
            return dropped;
        }
        return dropped.mul(1 / (1 - p));
    }

    @Override
    protected String describeSettings() {
        return "p=" + p;
    }
}
