package dev.descent.nn.activation;

import dev.descent.autograd.Variable;
import dev.descent.nn.Module;

/** Leaky ReLU with a negative slope (0.01 by default, as PyTorch) as a module; see {@link Activations#leakyRelu}. */
public final class LeakyReLU extends Module {
    private final double slope;

    public LeakyReLU() {
        this(Activations.DEFAULT_LEAKY_SLOPE);
    }

    public LeakyReLU(double slope) {
        this.slope = slope;
    }

    /** The slope for negative inputs. */
    public double slope() {
        return slope;
    }

    @Override
    protected String describeSettings() {
        return "slope=" + slope;
    }

    @Override
    public Variable forward(Variable input) {
        return Activations.leakyRelu(input, slope);
    }
}
