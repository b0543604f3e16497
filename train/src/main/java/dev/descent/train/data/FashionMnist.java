package dev.descent.train.data;

import dev.descent.core.Scope;
import dev.descent.core.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;

/**
 * Fashion-MNIST (Xiao, Rasul and Vollgraf 2017): 28×28 grey images of clothing in 10 classes,
 * 60,000 for training and 10,000 for testing, as four IDX files. Debian's
 * {@code dataset-fashion-mnist} package puts them in {@link #DEBIAN_DIR}; any directory
 * holding the four files (gzipped or not) works.
 *
 * <p>Images become float32 {@code [N, 1, 28, 28]} (one channel, as convolutions take them) with
 * pixels scaled to [0, 1]; labels int32 {@code [N]}. An MLP sees them as rows of 784 through
 * {@link DataSplit#withFeatureShape}.
 */
public final class FashionMnist {
    /** Where Debian's {@code dataset-fashion-mnist} package installs the files. */
    public static final Path DEBIAN_DIR = Path.of("/usr/share/datasets/fashion-mnist");

    /** The class names, by label. */
    public static final List<String> CLASSES = List.of("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
            "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot");

    private static final int SIDE = 28;

    private FashionMnist() {
    }

    /** The four files' names (each may also end in .gz). */
    public static final List<String> FILES = List.of("train-images-idx3-ubyte", "train-labels-idx1-ubyte",
            "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte");

    /** Whether the four files are in {@code dir}. */
    public static boolean isPresent(Path dir) {
        return missingFiles(dir).isEmpty();
    }

    /** Which of the four files {@code dir} lacks (plain or gzipped). */
    public static List<String> missingFiles(Path dir) {
        return FILES.stream().filter(base -> find(dir, base) == null).toList();
    }

    /** Loads the training and test sets from {@code dir}. */
    public static DataSplit load(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new NoSuchFileException(dir.toString(), null,
                    "no Fashion-MNIST directory here (install the Debian package dataset-fashion-mnist, "
                            + "or give a directory holding train-images-idx3-ubyte[.gz] and the three other files)");
        }
        Dataset train = load(dir, "train", "fashion-mnist-train");
        try {
            return new DataSplit(train, load(dir, "t10k", "fashion-mnist-test"));
        } catch (IOException | RuntimeException e) {
            train.close();
            throw e;
        }
    }

    private static Dataset load(Path dir, String prefix, String name) throws IOException {
        Path imagesPath = require(dir, prefix + "-images-idx3-ubyte");
        Path labelsPath = require(dir, prefix + "-labels-idx1-ubyte");
        IdxArray images = IdxReader.read(imagesPath, IdxType.UBYTE, 3);
        IdxArray labels = IdxReader.read(labelsPath, IdxType.UBYTE, 1);
        int n = images.dims()[0];
        if (n == 0) {
            throw new IdxFormatException(imagesPath + ": holds no images; a data set needs at least one example");
        }
        if (images.dims()[1] != SIDE || images.dims()[2] != SIDE) {
            throw new IdxFormatException(imagesPath + ": expected images of " + SIDE + "x" + SIDE + ", got "
                    + images.dims()[1] + "x" + images.dims()[2]);
        }
        if (labels.dims()[0] != n) {
            throw new IdxFormatException(labelsPath + ": holds " + labels.dims()[0] + " labels but " + imagesPath
                    + " holds " + n + " images");
        }
        int[] y = labels.toIntArray();
        for (int i = 0; i < y.length; i++) {
            if (y[i] < 0 || y[i] >= CLASSES.size()) {
                throw new IdxFormatException(labelsPath + ": label " + y[i] + " at position " + i
                        + " is out of range (expected 0..9)");
            }
        }
        try (Scope scope = Scope.open()) {
            Tensor x = Tensor.of(images.toFloatArray(1.0 / 255), n, 1, SIDE, SIDE);
            Tensor t = Tensor.of(y, n);
            return Dataset.classification(name, x, t, CLASSES.size());
        }
    }

    private static Path require(Path dir, String base) throws NoSuchFileException {
        Path p = find(dir, base);
        if (p == null) {
            throw new NoSuchFileException(dir.resolve(base).toString(), null,
                    "Fashion-MNIST file missing (looked for " + base + " and " + base + ".gz)");
        }
        return p;
    }

    private static Path find(Path dir, String base) {
        for (String name : List.of(base + ".gz", base)) {
            Path p = dir.resolve(name);
            if (Files.isRegularFile(p)) {
                return p;
            }
        }
        return null;
    }
}
