package dev.descent.lab;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.descent.lab.support.LabData;
import dev.descent.train.data.FashionMnist;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The data of the network experiments: Fashion-MNIST when present, the built-in spirals otherwise. */
class LabDataTest {

    @Test
    void withoutFashionMnistTheSpiralsAreUsedAndTheReportSaysSo(@TempDir Path empty) {
        try (LabData.Loaded d = LabData.load(LabData.FASHION, 40, 20, 1, empty)) {
            assertFalse(d.fashionMnist());
            assertEquals(40, d.train().size());
            assertEquals(20, d.test().size());
            assertEquals(2, d.train().classes());
            assertArrayEquals(new int[] {2}, d.train().featureShape());
            assertTrue(d.description().contains("Fashion-MNIST is not in " + empty), d.description());
            assertTrue(d.description().contains("two spirals"), d.description());
        }
    }

    @Test
    void theSpiralsCanBeAskedForAndOtherNamesAreRefused() {
        try (LabData.Loaded d = LabData.load(LabData.SPIRALS, 10, 10, 1, FashionMnist.DEBIAN_DIR)) {
            assertFalse(d.fashionMnist());
            assertFalse(d.description().contains("not in"), d.description());
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> LabData.load("mnist", 10, 10, 1, FashionMnist.DEBIAN_DIR));
        assertTrue(e.getMessage().contains("fashion-mnist or spirals"), e.getMessage());
    }

    @Test
    void fashionMnistIsSubsampledWhenPresent() {
        assumeTrue(FashionMnist.isPresent(FashionMnist.DEBIAN_DIR),
                "Fashion-MNIST is not installed in " + FashionMnist.DEBIAN_DIR + " (Debian package dataset-fashion-mnist)");
        try (LabData.Loaded d = LabData.load(LabData.FASHION, 500, 200, 1, FashionMnist.DEBIAN_DIR)) {
            assertTrue(d.fashionMnist());
            assertEquals(500, d.train().size());
            assertEquals(200, d.test().size());
            assertEquals(10, d.train().classes());
            assertEquals(784, d.train().featureCount());
            assertTrue(d.description().contains("500 of the 60000 training images"), d.description());
        }
    }
}
