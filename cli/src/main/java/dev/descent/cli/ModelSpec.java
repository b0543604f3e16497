package dev.descent.cli;

import dev.descent.core.Generator;
import dev.descent.nn.Module;
import java.util.Locale;

/**
 * The network {@code --model} names: a multi-layer perceptron ({@code mlp:256,128}, {@link MlpSpec})
 * or a convolutional network ({@code cnn:c32k3,bn,relu,pool2,...}, {@link CnnSpec}).
 */
public sealed interface ModelSpec permits MlpSpec, CnnSpec {

    /** Parses {@code mlp:...} or {@code cnn:...}; a one-line {@link UserError} otherwise. */
    static ModelSpec parse(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        if (t.startsWith("cnn")) {
            return CnnSpec.parse(text);
        }
        if (t.startsWith("mlp")) {
            return MlpSpec.parse(text);
        }
        throw new UserError("--model: expected mlp:H1,H2,... (hidden sizes, e.g. mlp:256,128), cnn:LAYERS (e.g. "
                + CnnSpec.EXAMPLE + ") or, for text:FILE data, gpt:layers=L,heads=H,dim=D,context=T; got '" + text + "'");
    }

    /** The network for examples of {@code featureShape} and {@code outputs} classes. */
    Module build(int[] featureShape, int outputs, Settings settings);

    /** Whether the network takes images {@code [C, H, W]} (else rows of features). */
    boolean takesImages();

    /**
     * The options outside the spec that shape a network.
     *
     * @param activation the MLP's hidden activation (relu, tanh, gelu)
     * @param initScheme how weights start
     * @param batchNorm the MLP's batch normalisation after each hidden layer
     * @param dropout the MLP's dropout after each hidden layer
     * @param init the generator of the initial weights
     * @param dropoutGen the generator of the dropout masks
     */
    record Settings(String activation, InitScheme initScheme, boolean batchNorm, double dropout, Generator init,
            Generator dropoutGen) {
    }

    /**
     * How every weight layer starts: {@code pytorch} (PyTorch's default, {@code U(±1/√fan_in)} for
     * weights and biases), or one of seed 001's schemes with zero biases, {@code xavier}
     * ({@code N(0, 1/fan_in)}) or {@code he} ({@code N(0, 2/fan_in)}, for ReLU).
     */
    enum InitScheme {
        PYTORCH, XAVIER, HE;

        /** {@code pytorch}, {@code xavier} or {@code he}, any case; else a one-line error. */
        public static InitScheme parse(String text) {
            try {
                return valueOf(text.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new UserError("--init: expected pytorch, xavier or he, got '" + text + "'");
            }
        }

        @Override
        public String toString() {
            return name().toLowerCase(Locale.ROOT);
        }
    }
}
