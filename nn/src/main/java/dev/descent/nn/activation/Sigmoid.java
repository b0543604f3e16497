package dev.descent.nn.activation;

import dev.descent.autograd.Variable;
import dev.descent.nn.Module;

/** The logistic sigmoid as a module; see {@link Activations#sigmoid}. */
public final class Sigmoid extends Module {
    @Override
    public Variable forward(Variable input) {
        return Activations.sigmoid(input);
    }
}
