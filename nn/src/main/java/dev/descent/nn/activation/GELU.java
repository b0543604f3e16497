package dev.descent.nn.activation;

import dev.descent.autograd.Variable;
import dev.descent.nn.Module;

/** The exact GELU as a module; see {@link Activations#gelu}. */
public final class GELU extends Module {
    @Override
    public Variable forward(Variable input) {
        return Activations.gelu(input);
    }
}
