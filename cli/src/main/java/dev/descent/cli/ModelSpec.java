package dev.descent.cli;

import dev.descent.core.Generator;
import dev.descent.nn.BatchNorm1d;
import dev.descent.nn.Dropout;
import dev.descent.nn.Linear;
import dev.descent.nn.Module;
import dev.descent.nn.Sequential;
import dev.descent.nn.activation.GELU;
import dev.descent.nn.activation.ReLU;
import dev.descent.nn.activation.Tanh;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A multi-layer perceptron written {@code mlp:256,128} (the hidden sizes; {@code mlp:} alone is
 * a linear model): Linear → [BatchNorm1d] → activation → [Dropout] for each hidden layer, then a
 * Linear layer to the outputs. Every linear layer starts as {@code --init} says: {@code pytorch}
 * (PyTorch's default, {@code U(±1/√in)} for weights and biases), or one of seed 001's schemes with
 * zero biases, {@code xavier} ({@code N(0, 1/in)}) or {@code he} ({@code N(0, 2/in)}, for ReLU).
 *
 * @param hidden the hidden layers' sizes
 */
public record ModelSpec(List<Integer> hidden) {

    /** Parses {@code mlp:H1,H2,...}. */
    public static ModelSpec parse(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        if (!t.startsWith("mlp")) {
            throw new UserError("--model: expected mlp:H1,H2,... (hidden sizes, e.g. mlp:256,128) or "
                    + "gpt:layers=L,heads=H,dim=D,context=T, got '" + text + "'");
        }
        String rest = t.substring(3);
        List<Integer> sizes = new ArrayList<>();
        if (!rest.isEmpty() && !rest.equals(":")) {
            if (!rest.startsWith(":")) {
                throw new UserError("--model: expected mlp:H1,H2,..., got '" + text + "'");
            }
            for (String part : rest.substring(1).split(",")) {
                try {
                    int h = Integer.parseInt(part.trim());
                    if (h < 1) {
                        throw new NumberFormatException();
                    }
                    sizes.add(h);
                } catch (NumberFormatException e) {
                    throw new UserError("--model: hidden sizes must be positive integers, got '" + part + "' in '"
                            + text + "'");
                }
            }
        }
        return new ModelSpec(List.copyOf(sizes));
    }

    /** The network for {@code inputs} features and {@code outputs} classes. */
    public Module build(int inputs, int outputs, String activation, InitScheme initScheme, boolean batchNorm,
            double dropout, Generator init, Generator dropoutGen) {
        Sequential net = new Sequential();
        int in = inputs;
        for (int h : hidden) {
            net.add(initialised(new Linear(in, h, init), initScheme, init));
            if (batchNorm) {
                net.add(new BatchNorm1d(h));
            }
            net.add(activation(activation));
            if (dropout > 0) {
                net.add(new Dropout(dropout, dropoutGen));
            }
            in = h;
        }
        net.add(initialised(new Linear(in, outputs, init), initScheme, init));
        return net;
    }

    /** How every linear layer starts (see the class comment). */
    public enum InitScheme {
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

    private static Linear initialised(Linear layer, InitScheme scheme, Generator gen) {
        return switch (scheme) {
            case PYTORCH -> layer;
            case XAVIER -> layer.initXavierFanIn(gen);
            case HE -> layer.initHe(gen);
        };
    }

    private static Module activation(String name) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "relu" -> new ReLU();
            case "tanh" -> new Tanh();
            case "gelu" -> new GELU();
            default -> throw new UserError("--activation: expected relu, tanh or gelu, got '" + name + "'");
        };
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("mlp:");
        for (int i = 0; i < hidden.size(); i++) {
            sb.append(i == 0 ? "" : ",").append(hidden.get(i));
        }
        return sb.toString();
    }
}
