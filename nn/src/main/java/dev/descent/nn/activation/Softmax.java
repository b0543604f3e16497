package dev.descent.nn.activation;

import dev.descent.autograd.Variable;
import dev.descent.nn.Module;

/** Softmax along an axis as a module; see {@link Activations#softmax}. */
public final class Softmax extends Module {
    private final int axis;

    /** Softmax along {@code axis} (PyTorch requires the axis too; -1 is the usual choice). */
    public Softmax(int axis) {
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
        return Activations.softmax(input, axis);
    }
}
