package dev.descent.lab.support;

import dev.descent.core.Generator;
import dev.descent.lab.Option;
import dev.descent.lab.Options;
import dev.descent.train.data.DataSplit;
import dev.descent.train.data.Dataset;
import dev.descent.train.data.FashionMnist;
import dev.descent.train.data.GeneratedData;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * The data of the network experiments ({@code batch-size}, {@code optimizers}, {@code landscape},
 * {@code init}): Fashion-MNIST when its files are in {@link FashionMnist#DEBIAN_DIR} (Debian's
 * {@code dataset-fashion-mnist}), otherwise, or when asked, the built-in two-spirals set of
 * {@link GeneratedData#twoSpirals}. Training and test examples can be subsampled (a seeded random
 * subset) to keep the default runs short; the {@link Loaded#description()} says what was used.
 */
public final class LabData {
    public static final String FASHION = "fashion-mnist";
    public static final String SPIRALS = "spirals";
    /** Coordinate noise of the built-in two spirals (arms of the two classes lie 0.3 apart). */
    public static final double SPIRAL_NOISE = 0.05;

    private LabData() {
    }

    /** The {@code --data} option. */
    public static Option option() {
        return new Option("data", FASHION, "fashion-mnist (falls back to the built-in set when "
                + FashionMnist.DEBIAN_DIR + " lacks it) or spirals (built-in two spirals)");
    }

    /** The data set used, and a sentence saying which it is. */
    public record Loaded(DataSplit split, String description, boolean fashionMnist) implements AutoCloseable {
        public Dataset train() {
            return split.train();
        }

        public Dataset test() {
            return split.test();
        }

        @Override
        public void close() {
            split.close();
        }
    }

    /** Reads {@code --data} and loads accordingly (see {@link #load(String, int, int, long, Path)}). */
    public static Loaded load(Options o, int trainExamples, int testExamples, long seed) {
        return load(o.string("data"), trainExamples, testExamples, seed, FashionMnist.DEBIAN_DIR);
    }

    /**
     * {@code trainExamples} training and {@code testExamples} test examples of {@code data}
     * ("fashion-mnist" or "spirals"); Fashion-MNIST is subsampled (seeded) when fewer than its
     * 60000 / 10000 are asked for, and replaced by the spirals when {@code dir} lacks it.
     */
    public static Loaded load(String data, int trainExamples, int testExamples, long seed, Path dir) {
        if (!data.equals(FASHION) && !data.equals(SPIRALS)) {
            throw new IllegalArgumentException("option --data: expected " + FASHION + " or " + SPIRALS + ", got '"
                    + data + "'");
        }
        if (data.equals(FASHION) && FashionMnist.isPresent(dir)) {
            DataSplit full;
            try (DataSplit images = FashionMnist.load(dir)) {
                full = images.withFeatureShape(784);   // the lab's networks take rows of pixels
            } catch (IOException e) {
                throw new UncheckedIOException("reading Fashion-MNIST from " + dir, e);
            }
            Generator gen = new Generator(seed);
            Dataset train = subsample(full.train(), trainExamples, gen);
            Dataset test = subsample(full.test(), testExamples, gen);
            String d = "Fashion-MNIST from " + dir + " (" + describe(train.size(), 60000, "training")
                    + ", " + describe(test.size(), 10000, "test") + "; 784 pixels in [0, 1], 10 classes)";
            return new Loaded(new DataSplit(train, test), d, true);
        }
        int perTrain = Math.max(1, trainExamples / 2);
        int perTest = Math.max(1, testExamples / 2);
        DataSplit split = GeneratedData.twoSpirals(perTrain, perTest, SPIRAL_NOISE, new Generator(seed));
        String d = (data.equals(FASHION) ? "Fashion-MNIST is not in " + dir + ", so the built-in set instead: " : "")
                + "the built-in two spirals (train's GeneratedData.twoSpirals, noise " + SPIRAL_NOISE + "; "
                + split.train().size() + " training and " + split.test().size() + " test points, 2 classes)";
        return new Loaded(split, d, false);
    }

    private static String describe(int n, int of, String what) {
        return n == of ? "all " + n + " " + what + " images" : n + " of the " + of + " " + what
                + " images, a seeded random subset";
    }

    /** {@code n} examples of {@code full} drawn without repetition (all of it, unchanged, when n >= its size). */
    private static Dataset subsample(Dataset full, int n, Generator gen) {
        if (n >= full.size()) {
            return full;
        }
        int[] idx = Arrays.copyOf(gen.permutation(full.size()), n);
        Arrays.sort(idx);
        try (full) {
            return full.subset(full.name() + "-" + n, idx);
        }
    }
}
