package dev.descent.cli;

import dev.descent.core.Generator;
import dev.descent.train.data.DataSplit;
import dev.descent.train.data.Dataset;
import dev.descent.train.data.FashionMnist;
import dev.descent.train.data.GeneratedData;
import dev.descent.train.data.Normalization;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * The data sets {@code --data} names: the generated {@code spirals} (2,000 training and 1,000
 * test points of two classes) and {@code blobs} (4 Gaussian blobs in the plane, 2,000 and 800
 * points), {@code fashion-mnist} from {@link FashionMnist#DEBIAN_DIR}, or a directory holding
 * the four MNIST-format IDX files (train-images-idx3-ubyte[.gz] and the others).
 */
public final class DataSpec {
    private DataSpec() {
    }

    /** A short name for the set {@code --data} names: its own name, or a directory's last part ("data" for a root). */
    public static String shortName(String data) {
        Path name = Path.of(data).normalize().getFileName();
        return name == null || name.toString().isEmpty() ? "data" : name.toString();
    }

    /**
     * Checks that {@code name} names a set: one of the generated ones or Fashion-MNIST's name, or a
     * directory holding the four IDX files (their content is checked when they are read).
     *
     * @throws UserError naming {@code --data} and what it expects
     */
    public static void check(String name) {
        if (List.of("spirals", "blobs", "fashion-mnist").contains(name.toLowerCase(Locale.ROOT))) {
            return;
        }
        Path dir = Path.of(name);
        if (!Files.isDirectory(dir)) {
            throw new UserError("--data: expected spirals, blobs, fashion-mnist or a directory of IDX files, got '"
                    + name + "' (no such directory)");
        }
        List<String> missing = FashionMnist.missingFiles(dir);
        if (!missing.isEmpty()) {
            throw new UserError("--data: expected spirals, blobs, fashion-mnist or a directory of the four "
                    + "MNIST-format IDX files, got '" + name + "', which lacks " + String.join(", ", missing)
                    + " (each may end in .gz)");
        }
    }

    /**
     * A loaded set.
     *
     * @param split the training and test sets
     * @param zero where an input of raw value 0 lies after standardisation ((0 − μ)/σ; 0 when not
     *     standardised): the value of padding around an image, such as a black border
     */
    public record Loaded(DataSplit split, double zero) implements AutoCloseable {
        @Override
        public void close() {
            split.close();
        }
    }

    /** Loads the named set; its inputs standardised with the training set's statistics when asked. */
    public static Loaded load(String name, long seed, boolean normalize) throws IOException {
        DataSplit raw = loadRaw(name, seed);
        if (!normalize) {
            return new Loaded(raw, 0);
        }
        try (raw) {
            Normalization n = normalization(raw);
            Dataset train = n.apply(raw.train());
            try {
                double zero = n.mode() == Normalization.Mode.GLOBAL ? -n.mean()[0] / n.std()[0] : 0;
                return new Loaded(new DataSplit(train, n.apply(raw.test())), zero);
            } catch (RuntimeException e) {
                train.close();
                throw e;
            }
        }
    }

    /**
     * The standardisation {@code train} uses for a set: per feature for a few features (the
     * generated sets), one μ and σ for images.
     */
    static Normalization normalization(DataSplit raw) {
        Normalization.Mode mode = raw.train().featureShape().length == 1 && raw.train().featureCount() <= 64
                ? Normalization.Mode.PER_FEATURE : Normalization.Mode.GLOBAL;
        return Normalization.fit(raw.train(), mode);
    }

    /** The named set as it is stored, unstandardised. */
    static DataSplit loadRaw(String name, long seed) throws IOException {
        Generator gen = new Generator(seed);
        switch (name.toLowerCase(Locale.ROOT)) {
            case "spirals":
                return GeneratedData.twoSpirals(1000, 500, 0.05, gen);
            case "blobs":
                return GeneratedData.gaussianBlobs(500, 200, 4, 2, 4, 1.0, gen);
            case "fashion-mnist":
                if (!FashionMnist.isPresent(FashionMnist.DEBIAN_DIR)) {
                    throw new NoSuchFileException(FashionMnist.DEBIAN_DIR.toString(), null,
                            "Fashion-MNIST is not installed: run 'apt-get install dataset-fashion-mnist' "
                                    + "or give --data DIR with its four IDX files");
                }
                return FashionMnist.load(FashionMnist.DEBIAN_DIR);
            default:
                check(name);
                return FashionMnist.load(Path.of(name));
        }
    }
}
