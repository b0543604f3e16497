package dev.descent.nn.activation;

import dev.descent.autograd.Variable;
import dev.descent.nn.Module;

/** The rectifier {@code max(x, 0)} as a module; see {@link Activations#relu}. */
public final class ReLU extends Module {
    @Override
    public Variable forward(Variable input) {
        return Activations.relu(input);
    }
}
