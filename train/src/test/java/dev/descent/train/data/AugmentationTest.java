package dev.descent.train.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.core.DType;
import dev.descent.core.Generator;
import dev.descent.core.Scope;
import dev.descent.core.Tensor;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class AugmentationTest {
    private static final int N = 400;
    private static final int C = 2;
    private static final int H = 5;
    private static final int W = 6;

    /** Distinct pixel values, so that each output pixel says where it came from. */
    private static double pixel(int n, int c, int h, int w) {
        return 1 + ((n * C + c) * H + h) * W + w;
    }

    private static Tensor images() {
        double[] v = new double[N * C * H * W];
        for (int k = 0; k < v.length; k++) {
            v[k] = k + 1;
        }
        return Tensor.of(dev.descent.core.Device.cpu(), DType.FLOAT64, v, N, C, H, W);
    }

    /**
     * Each output image is its input padded by p with the fill, cut at one offset in [−p, p]² and
     * possibly mirrored (the same for both channels); over 400 images every offset and both
     * orientations occur, about half of them mirrored.
     */
    @Test
    void eachImageIsOneCropOfItsPaddedSelfMirroredHalfTheTime() {
        int p = 2;
        double fill = -7;
        Set<String> seen = new HashSet<>();
        int flipped = 0;
        try (Scope scope = Scope.open()) {
            double[] out = new Augmentation(p, true, fill).apply(images(), new Generator(3)).toDoubleArray();
            for (int n = 0; n < N; n++) {
                String match = null;
                for (int dy = -p; dy <= p && match == null; dy++) {
                    for (int dx = -p; dx <= p && match == null; dx++) {
                        for (boolean flip : new boolean[] {false, true}) {
                            if (matches(out, n, dy, dx, flip, fill)) {
                                match = dy + "," + dx + "," + flip;
                                flipped += flip ? 1 : 0;
                                break;
                            }
                        }
                    }
                }
                assertTrue(match != null, "image " + n + " is no crop of its padded self");
                seen.add(match);
            }
        }
        assertEquals(25 * 2, seen.size(), "every offset, both ways: " + seen);
        assertTrue(flipped > 150 && flipped < 250, flipped + " of 400 mirrored");
    }

    private static boolean matches(double[] out, int n, int dy, int dx, boolean flip, double fill) {
        for (int c = 0; c < C; c++) {
            for (int i = 0; i < H; i++) {
                for (int j = 0; j < W; j++) {
                    int si = i + dy;
                    int sj = (flip ? W - 1 - j : j) + dx;
                    boolean inside = si >= 0 && si < H && sj >= 0 && sj < W;
                    double expected = inside ? pixel(n, c, si, sj) : fill;
                    if (out[((n * C + c) * H + i) * W + j] != expected) {
                        return false;
                    }
                }
            }
        }
        return true;
    }

    @Test
    void theLoaderDrawsEachBatchFromItsSeedEpochAndNumber() {
        try (Dataset data = Dataset.classification("images", images(), Tensor.zeros(DType.INT32, N), 1)) {
            DataLoader loader = new DataLoader(data, 50, false, false, 9).augmented(new Augmentation(1, true, 0));
            double[] first;
            double[] again;
            double[] nextEpoch;
            try (Batch b = loader.epoch(0).iterator().next()) {
                first = b.features().toDoubleArray();
            }
            try (Batch b = loader.epoch(0).iterator().next()) {
                again = b.features().toDoubleArray();
            }
            try (Batch b = loader.epoch(1).iterator().next()) {
                nextEpoch = b.features().toDoubleArray();
            }
            assertArrayEquals(first, again, "the same batch twice");
            assertFalse(java.util.Arrays.equals(first, nextEpoch), "another epoch, other crops");
            try (Batch b = new DataLoader(data, 50, false, false, 9).epoch(0).iterator().next()) {
                assertFalse(java.util.Arrays.equals(first, b.features().toDoubleArray()), "augmented differs from plain");
            }
        }
    }

    @Test
    void augmentationNeedsImages() {
        try (Dataset rows = Dataset.classification("rows", Tensor.zeros(DType.FLOAT32, 4, 3), Tensor.zeros(DType.INT32, 4),
                1)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> new DataLoader(rows, 2, 1).augmented(new Augmentation(2, false, 0)));
            assertTrue(e.getMessage().contains("needs images [C, H, W]"), e.getMessage());
            assertTrue(new DataLoader(rows, 2, 1).augmented(Augmentation.NONE).augmentation().isNone());
        }
    }
}
