package dev.descent.nn.activation;

import dev.descent.autograd.Variable;
import dev.descent.nn.Module;

/** The hyperbolic tangent as a module; see {@link Activations#tanh}. */
public final class Tanh extends Module {
    @Override
    public Variable forward(Variable input) {
        return Activations.tanh(input);
    }
}
