package dev.descent.nn.activation;

import dev.descent.autograd.Variable;
import dev.descent.nn.Module;

/** Log-softmax along an axis as a module; see {@link Activations#logSoftmax}. */
public final class LogSoftmax extends Module {
    private final int axis;

    public LogSoftmax(int axis) {
        this.axis = axis;
    }

    /** The axis the probabilities run along. */
    public int axis() {
        return axis;
    }

    @Override
    protected String describeSettings() {
        return "axis=" + axis;
    }

    @Override
    public Variable forward(Variable input) {
        return Activations.logSoftmax(input, axis);
    }
}
