package dev.descent.train.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FashionMnistTest {
    @TempDir
    Path dir;

    /** Writes a Fashion-MNIST-shaped directory with {@code n} training and 2 test images. */
    private void writeTinySet(int n, int labelCount, boolean gzipped) throws IOException {
        for (String prefix : new String[] {"train", "t10k"}) {
            int count = prefix.equals("train") ? n : 2;
            byte[] pixels = new byte[count * 784];
            for (int i = 0; i < count; i++) {
                pixels[i * 784] = (byte) (255 - i);
            }
            byte[] labels = new byte[prefix.equals("train") ? labelCount : 2];
            for (int i = 0; i < labels.length; i++) {
                labels[i] = (byte) (i % 10);
            }
            byte[] images = IdxReaderTest.idx(0x08, new int[] {count, 28, 28}, pixels);
            byte[] labelFile = IdxReaderTest.idx(0x08, new int[] {labels.length}, labels);
            String suffix = gzipped ? ".gz" : "";
            Files.write(dir.resolve(prefix + "-images-idx3-ubyte" + suffix), gzipped ? IdxReaderTest.gzip(images) : images);
            Files.write(dir.resolve(prefix + "-labels-idx1-ubyte" + suffix),
                    gzipped ? IdxReaderTest.gzip(labelFile) : labelFile);
        }
    }

    @Test
    void loadsADirectoryOfFourIdxFilesScaledToUnitRange() throws IOException {
        writeTinySet(3, 3, true);
        assertTrue(FashionMnist.isPresent(dir));
        try (DataSplit split = FashionMnist.load(dir)) {
            assertEquals(3, split.train().size());
            assertEquals(2, split.test().size());
            assertArrayEquals(new int[] {1, 28, 28}, split.train().featureShape());
            assertEquals(10, split.train().classes());
            assertArrayEquals(new int[] {0, 1, 2}, split.train().targets().toIntArray());
            float[] x = split.train().features().toFloatArray();
            assertEquals(1.0f, x[0]);
            assertEquals(254 / 255.0f, x[784]);
            assertEquals(0.0f, x[1]);
        }
    }

    @Test
    void readsUncompressedFilesToo() throws IOException {
        writeTinySet(2, 2, false);
        try (DataSplit split = FashionMnist.load(dir)) {
            assertEquals(2, split.train().size());
        }
    }

    @Test
    void imagesAndLabelsOfDifferentCountsAreRefused() throws IOException {
        writeTinySet(3, 4, false);
        IdxFormatException e = assertThrows(IdxFormatException.class, () -> FashionMnist.load(dir));
        assertTrue(e.getMessage().contains("holds 4 labels") && e.getMessage().contains("holds 3 images"),
                e.getMessage());
    }

    @Test
    void aMissingFileIsNamed() throws IOException {
        writeTinySet(2, 2, true);
        Files.delete(dir.resolve("t10k-labels-idx1-ubyte.gz"));
        NoSuchFileException e = assertThrows(NoSuchFileException.class, () -> FashionMnist.load(dir));
        assertTrue(e.getMessage().contains("t10k-labels-idx1-ubyte"), e.getMessage());
    }

    @Test
    void theDebianPackagesTestSetHasTenThousandImagesOfTenClasses() throws IOException {
        assumeTrue(FashionMnist.isPresent(FashionMnist.DEBIAN_DIR),
                "Fashion-MNIST is not installed in " + FashionMnist.DEBIAN_DIR + " (apt-get install dataset-fashion-mnist)");
        IdxArray labels = IdxReader.read(FashionMnist.DEBIAN_DIR.resolve("t10k-labels-idx1-ubyte.gz"), IdxType.UBYTE, 1);
        IdxArray images = IdxReader.read(FashionMnist.DEBIAN_DIR.resolve("t10k-images-idx3-ubyte.gz"), IdxType.UBYTE, 3);
        assertArrayEquals(new int[] {10000}, labels.dims());
        assertArrayEquals(new int[] {10000, 28, 28}, images.dims());
        int[] counts = new int[10];
        for (int y : labels.toIntArray()) {
            counts[y]++;
        }
        assertArrayEquals(new int[] {1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000}, counts,
                "the test set is balanced, 1000 per class");
    }
}
