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

    /** Loads the named set; its inputs standardised with the training set's statistics when asked. */
    public static DataSplit load(String name, long seed, boolean normalize) throws IOException {
        DataSplit raw = loadRaw(name, seed);
        if (!normalize) {
            return raw;
        }
        try (raw) {
            Normalization.Mode mode = raw.train().featureShape().length == 1 && raw.train().featureCount() <= 64
                    ? Normalization.Mode.PER_FEATURE : Normalization.Mode.GLOBAL;
            Normalization n = Normalization.fit(raw.train(), mode);
            Dataset train = n.apply(raw.train());
            try {
                return new DataSplit(train, n.apply(raw.test()));
            } catch (RuntimeException e) {
                train.close();
                throw e;
            }
        }
    }

    private static DataSplit loadRaw(String name, long seed) throws IOException {
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
                Path dir = Path.of(name);
                if (!Files.isDirectory(dir)) {
                    throw new UserError("--data: expected spirals, blobs, fashion-mnist or a directory of IDX files, got '"
                            + name + "' (no such directory)");
                }
                return FashionMnist.load(dir);
        }
    }
}
