package dev.descent.lab.experiments;

import dev.descent.core.Generator;
import dev.descent.nn.Linear;
import dev.descent.nn.init.Init;

/**
 * Ways to initialise a layer's weights (biases are zero in all, as seed 001 prescribes): all
 * zeros; N(0, σ²) with a too-small and a too-large σ; Xavier N(0, 1/n_in) (seed 001); He
 * N(0, 2/n_in) (seed 001, for ReLU).
 */
public enum InitScheme {
    ZERO, SMALL, LARGE, XAVIER, HE;

    /** Re-initialises {@code layer}; {@code small} and {@code large} are the σ of SMALL and LARGE. */
    public void apply(Linear layer, Generator gen, double small, double large) {
        switch (this) {
            case ZERO -> Init.zeros(layer.weight().data());
            case SMALL -> Init.normal(layer.weight().data(), gen, 0, small);
            case LARGE -> Init.normal(layer.weight().data(), gen, 0, large);
            case XAVIER -> Init.xavierFanInNormal(layer.weight().data(), gen);
            case HE -> Init.kaimingNormal(layer.weight().data(), gen, Init.reluGain(), Init.FanMode.FAN_IN);
        }
        if (layer.bias() != null) {
            Init.zeros(layer.bias().data());
        }
    }

    public String label() {
        return name().toLowerCase();
    }
}
