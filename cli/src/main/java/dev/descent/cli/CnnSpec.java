package dev.descent.cli;

import dev.descent.core.Conv2dOptions;
import dev.descent.core.Generator;
import dev.descent.nn.AdaptiveAvgPool2d;
import dev.descent.nn.AvgPool2d;
import dev.descent.nn.BatchNorm1d;
import dev.descent.nn.BatchNorm2d;
import dev.descent.nn.Conv2d;
import dev.descent.nn.Dropout;
import dev.descent.nn.Flatten;
import dev.descent.nn.Linear;
import dev.descent.nn.MaxPool2d;
import dev.descent.nn.Module;
import dev.descent.nn.Sequential;
import dev.descent.nn.init.Init;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A convolutional network written as its layers, in order, after {@code cnn:}, for images
 * {@code [C, H, W]}; a Linear layer to the classes always ends it (after a Flatten if the last
 * layer left images):
 *
 * <table>
 * <caption>The layers of a cnn spec</caption>
 * <tr><th>text</th><th>layer</th></tr>
 * <tr><td>{@code c32k3}, {@code c64k5s2p1}</td><td>Conv2d: 32 filters of 3×3, stride s (default 1), zero padding p
 *     on each side (default k/2 rounded down: the input's size for an odd kernel at stride 1); no bias when
 *     {@code bn} follows (its β replaces it)</td></tr>
 * <tr><td>{@code bn}</td><td>BatchNorm2d on images, BatchNorm1d after {@code fc}</td></tr>
 * <tr><td>{@code relu}, {@code tanh}, {@code gelu}</td><td>the activation</td></tr>
 * <tr><td>{@code pool2}, {@code avgpool2}</td><td>MaxPool2d / AvgPool2d with a 2×2 window and stride 2</td></tr>
 * <tr><td>{@code gap}</td><td>global average pooling, AdaptiveAvgPool2d(1)</td></tr>
 * <tr><td>{@code fc128}</td><td>Linear to 128 features (a Flatten first, if images)</td></tr>
 * <tr><td>{@code drop0.3}</td><td>Dropout with probability 0.3</td></tr>
 * </table>
 *
 * <p>Example: {@value #EXAMPLE}. Weights start as {@code --init} says: PyTorch's defaults, or
 * zero biases with {@code N(0, 1/fan_in)} ({@code xavier}) or {@code N(0, 2/fan_in)} ({@code he}).
 *
 * @param layers the layers, parsed
 */
public record CnnSpec(List<Layer> layers) implements ModelSpec {
    /** The README's recipe. */
    public static final String EXAMPLE = "cnn:c32k3,bn,relu,pool2,c64k3,bn,relu,pool2,fc128,relu,drop0.3";

    private static final Pattern CONV = Pattern.compile("c(\\d+)k(\\d+)(?:s(\\d+))?(?:p(\\d+))?");
    private static final Pattern POOL = Pattern.compile("(max|avg)?pool(\\d+)");
    private static final Pattern FC = Pattern.compile("fc(\\d+)");
    private static final Pattern DROP = Pattern.compile("drop(0?\\.\\d+|0)");

    /** One layer of the spec. */
    public sealed interface Layer {
    }

    /** A convolution: filters, square kernel, stride, padding on each side. */
    public record Conv(int filters, int kernel, int stride, int padding) implements Layer {
        @Override
        public String toString() {
            return "c" + filters + "k" + kernel + (stride != 1 ? "s" + stride : "")
                    + (padding != kernel / 2 ? "p" + padding : "");
        }
    }

    public record Norm() implements Layer {
        @Override
        public String toString() {
            return "bn";
        }
    }

    public record Activation(String name) implements Layer {
        @Override
        public String toString() {
            return name;
        }
    }

    /** A pooling window of {@code size} × {@code size}, stride {@code size}; max or average. */
    public record Pool(boolean max, int size) implements Layer {
        @Override
        public String toString() {
            return (max ? "pool" : "avgpool") + size;
        }
    }

    public record GlobalAveragePool() implements Layer {
        @Override
        public String toString() {
            return "gap";
        }
    }

    public record FullyConnected(int units) implements Layer {
        @Override
        public String toString() {
            return "fc" + units;
        }
    }

    public record Drop(double p) implements Layer {
        @Override
        public String toString() {
            return "drop" + p;
        }
    }

    /** Parses {@code cnn:LAYER,LAYER,...}; a one-line {@link UserError} naming the first wrong layer. */
    public static CnnSpec parse(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT).replace(" ", "");
        if (!t.startsWith("cnn:") || t.length() == 4) {
            throw new UserError("--model: expected cnn:LAYER,LAYER,... (e.g. " + EXAMPLE + "), got '" + text + "'");
        }
        List<Layer> layers = new ArrayList<>();
        for (String part : t.substring(4).split(",", -1)) {
            layers.add(layer(part, text));
        }
        return new CnnSpec(List.copyOf(layers));
    }

    private static Layer layer(String part, String text) {
        Matcher m;
        if ((m = CONV.matcher(part)).matches()) {
            int k = positive(m.group(2), part, text);
            int s = m.group(3) == null ? 1 : positive(m.group(3), part, text);
            int p = m.group(4) == null ? k / 2 : Integer.parseInt(m.group(4));
            return new Conv(positive(m.group(1), part, text), k, s, p);
        }
        if ((m = POOL.matcher(part)).matches()) {
            return new Pool(!"avg".equals(m.group(1)), positive(m.group(2), part, text));
        }
        if ((m = FC.matcher(part)).matches()) {
            return new FullyConnected(positive(m.group(1), part, text));
        }
        if ((m = DROP.matcher(part)).matches()) {
            return new Drop(Double.parseDouble(m.group(1)));
        }
        return switch (part) {
            case "bn" -> new Norm();
            case "relu", "tanh", "gelu" -> new Activation(part);
            case "gap" -> new GlobalAveragePool();
            default -> throw new UserError("--model: unknown layer '" + part + "' in '" + text + "' (layers: cNkK[sS][pP], "
                    + "bn, relu, tanh, gelu, poolK, avgpoolK, gap, fcN, dropP; e.g. " + EXAMPLE + ")");
        };
    }

    private static int positive(String digits, String part, String text) {
        try {
            int v = Integer.parseInt(digits);
            if (v >= 1) {
                return v;
            }
        } catch (NumberFormatException e) {
            // too many digits: reported below
        }
        throw new UserError("--model: sizes must be positive integers, got '" + part + "' in '" + text + "'");
    }

    /** The network for images {@code [C, H, W]}; a size that shrinks below 1 is a one-line error. */
    @Override
    public Module build(int[] featureShape, int outputs, Settings s) {
        if (featureShape.length != 3) {
            throw new UserError("--model: a cnn needs images [C, H, W], but the data's examples have shape "
                    + java.util.Arrays.toString(featureShape));
        }
        int channels = featureShape[0];
        int h = featureShape[1];
        int w = featureShape[2];
        int features = -1;   // after the first fc (or flatten): the width of a row
        Sequential net = new Sequential();
        for (int i = 0; i < layers.size(); i++) {
            Layer layer = layers.get(i);
            boolean images = features < 0;
            if (layer instanceof Conv c) {
                requireImages(images, c);
                boolean bias = !(i + 1 < layers.size() && layers.get(i + 1) instanceof Norm);
                Conv2dOptions o = Conv2dOptions.DEFAULT.stride(c.stride()).padding(c.padding());
                h = shrink(h, c.kernel(), c.stride(), c.padding(), c);
                w = shrink(w, c.kernel(), c.stride(), c.padding(), c);
                net.add(initialised(new Conv2d(channels, c.filters(), c.kernel(), c.kernel(), o, bias,
                        dev.descent.core.DType.FLOAT32, s.init()), s));
                channels = c.filters();
            } else if (layer instanceof Norm) {
                net.add(images ? new BatchNorm2d(channels) : new BatchNorm1d(features));
            } else if (layer instanceof Activation a) {
                net.add(MlpSpec.activation(a.name()));
            } else if (layer instanceof Pool p) {
                requireImages(images, p);
                h = shrink(h, p.size(), p.size(), 0, p);
                w = shrink(w, p.size(), p.size(), 0, p);
                net.add(p.max() ? new MaxPool2d(p.size()) : new AvgPool2d(p.size()));
            } else if (layer instanceof GlobalAveragePool g) {
                requireImages(images, g);
                h = 1;
                w = 1;
                net.add(new AdaptiveAvgPool2d(1));
            } else if (layer instanceof FullyConnected f) {
                if (images) {
                    net.add(new Flatten());
                    features = channels * h * w;
                }
                net.add(MlpSpec.initialised(new Linear(features, f.units(), s.init()), s.initScheme(), s.init()));
                features = f.units();
            } else if (layer instanceof Drop d) {
                net.add(new Dropout(d.p(), s.dropoutGen()));
            }
        }
        if (features < 0) {
            net.add(new Flatten());
            features = channels * h * w;
        }
        net.add(MlpSpec.initialised(new Linear(features, outputs, s.init()), s.initScheme(), s.init()));
        return net;
    }

    private static void requireImages(boolean images, Layer layer) {
        if (!images) {
            throw new UserError("--model: '" + layer + "' needs images, but it comes after an fc layer");
        }
    }

    private static int shrink(int size, int kernel, int stride, int padding, Layer layer) {
        int out = (size + 2 * padding - kernel) / stride + 1;
        if (size + 2 * padding < kernel || out < 1) {
            throw new UserError("--model: '" + layer + "' does not fit images of size " + size + " (with padding "
                    + padding + ")");
        }
        return out;
    }

    private static Conv2d initialised(Conv2d layer, Settings s) {
        Generator gen = s.init();
        return switch (s.initScheme()) {
            case PYTORCH -> layer;
            case HE -> layer.initHe(gen);
            case XAVIER -> {
                Init.xavierFanInNormal(layer.weight().data(), gen);
                if (layer.bias() != null) {
                    Init.zeros(layer.bias().data());
                }
                yield layer;
            }
        };
    }

    @Override
    public boolean takesImages() {
        return true;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("cnn:");
        for (int i = 0; i < layers.size(); i++) {
            sb.append(i == 0 ? "" : ",").append(layers.get(i));
        }
        return sb.toString();
    }
}
