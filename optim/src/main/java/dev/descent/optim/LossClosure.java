package dev.descent.optim;

/**
 * Re-evaluates the loss at the parameters' current values and back-propagates it, as the
 * closure of PyTorch's {@code step(closure)}: zero the gradients, run the model, call
 * {@code backward()}, return the loss. Line searches, L-BFGS and Newton's method call it
 * several times per step.
 */
@FunctionalInterface
public interface LossClosure {
    /** The loss at the current parameters; the parameters' gradients hold its gradient afterwards. */
    double evaluate();
}
