package dev.descent.nn.activation;

import dev.descent.autograd.Variable;
import dev.descent.nn.Module;

/** {@code log(1 + e^x)} as a module; see {@link Activations#softplus}. */
public final class Softplus extends Module {
    @Override
    public Variable forward(Variable input) {
        return Activations.softplus(input);
    }
}
