package dev.descent.train.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.core.DType;
import dev.descent.core.Generator;
import org.junit.jupiter.api.Test;

class GeneratedDataTest {

    @Test
    void theGaborModelMatchesEquationSixEight() {
        assertEquals(0.0, GeneratedData.gabor(0, 0, 16.6), 0.0);
        // z = 0.06 * 16.6 * 2 = 1.992; sin(z) * exp(-z^2 / 32) = 0.912597 * 0.883378 (Python, float64)
        double z = 1.992;
        assertEquals(Math.sin(z) * Math.exp(-z * z / 32), GeneratedData.gabor(2, 0, 16.6), 1e-15);
        assertEquals(0.806169, GeneratedData.gabor(2, 0, 16.6), 1e-6);
    }

    @Test
    void gaborDataIsTwentyEightNoisyPointsOnTheModelWithXInRange() {
        try (Dataset d = GeneratedData.gaborData(new Generator(3), DType.FLOAT64)) {
            assertEquals(28, d.size());
            assertArrayEquals(new int[] {28, 1}, d.features().shape().dims());
            double[] x = d.features().toDoubleArray();
            double[] y = d.targets().toDoubleArray();
            double sumSquares = 0;
            for (int i = 0; i < 28; i++) {
                assertTrue(x[i] >= -15 && x[i] < 15, "x = " + x[i]);
                double r = y[i] - GeneratedData.gabor(x[i], 0, 16.6);
                sumSquares += r * r;
            }
            // residuals are N(0, 0.15^2): the loss at the true phi has mean 0.63 and sd 0.17
            assertTrue(sumSquares > 0.1 && sumSquares < 1.5, "loss at the true parameters " + sumSquares);
        }
    }

    @Test
    void theSameSeedGivesTheSameDataAndAnotherSeedOther() {
        try (Dataset a = GeneratedData.gaborData(new Generator(5), DType.FLOAT64);
             Dataset b = GeneratedData.gaborData(new Generator(5), DType.FLOAT64);
             Dataset c = GeneratedData.gaborData(new Generator(6), DType.FLOAT64)) {
            assertArrayEquals(a.features().toDoubleArray(), b.features().toDoubleArray());
            assertArrayEquals(a.targets().toDoubleArray(), b.targets().toDoubleArray());
            assertTrue(a.features().toDoubleArray()[0] != c.features().toDoubleArray()[0]);
        }
    }

    @Test
    void theThreePointProblemIsSeedZerosMatrices() {
        try (Dataset d = GeneratedData.threePointProblem(DType.FLOAT64)) {
            assertArrayEquals(new double[] {0, 1, 1, 0.5, 1, -0.5}, d.features().toDoubleArray());
            assertArrayEquals(new double[] {0, 4, 0}, d.targets().toDoubleArray());
            // (2, 4/3) is the least-squares minimum: the normal equations X^T (X w - Y) = 0 hold there
            double[] w = {2, 4.0 / 3};
            double[] x = d.features().toDoubleArray();
            double[] y = d.targets().toDoubleArray();
            double g1 = 0;
            double g2 = 0;
            for (int i = 0; i < 3; i++) {
                double r = x[2 * i] * w[0] + x[2 * i + 1] * w[1] - y[i];
                g1 += r * x[2 * i];
                g2 += r * x[2 * i + 1];
            }
            assertEquals(0, g1, 1e-12);
            assertEquals(0, g2, 1e-12);
        }
    }

    @Test
    void linearRegressionDataLiesOnItsLineWithoutNoise() {
        try (Dataset d = GeneratedData.linearRegressionData(12, 0, 2, 0.5, -1.5, 0, new Generator(1), DType.FLOAT64)) {
            double[] x = d.features().toDoubleArray();
            double[] y = d.targets().toDoubleArray();
            for (int i = 0; i < 12; i++) {
                assertEquals(0.5 - 1.5 * x[i], y[i], 1e-12);
            }
        }
    }

    @Test
    void twoSpiralsHasBalancedClassesOnTwoArms() {
        try (Dataset d = GeneratedData.twoSpirals(50, 0, new Generator(2))) {
            assertEquals(100, d.size());
            assertEquals(2, d.classes());
            int[] y = d.targets().toIntArray();
            float[] x = d.features().toFloatArray();
            int ones = 0;
            for (int i = 0; i < 100; i++) {
                ones += y[i];
                double r = Math.hypot(x[2 * i], x[2 * i + 1]);
                assertTrue(r >= 0.1 - 1e-6 && r <= 1.0 + 1e-6, "radius " + r);
                // without noise, class 1 is class 0 turned by pi: angle - 3 pi t - c pi = 0 (mod 2 pi)
                double t = (r - 0.1) / 0.9;
                double angle = Math.atan2(x[2 * i + 1], x[2 * i]) - 3 * Math.PI * t - y[i] * Math.PI;
                assertEquals(0, Math.sin(angle), 1e-4, "point " + i);
            }
            assertEquals(50, ones);
        }
    }

    @Test
    void blobsOfASplitShareTheirCentres() {
        try (DataSplit s = GeneratedData.gaussianBlobs(200, 200, 3, 2, 5, 0.01, new Generator(4))) {
            float[] train = s.train().features().toFloatArray();
            float[] test = s.test().features().toFloatArray();
            for (int c = 0; c < 3; c++) {
                assertEquals(train[2 * c], test[2 * c], 0.1, "class " + c + " centre x");
                assertEquals(train[2 * c + 1], test[2 * c + 1], 0.1, "class " + c + " centre y");
            }
            assertArrayEquals(new int[] {0, 1, 2, 0}, java.util.Arrays.copyOf(s.train().targets().toIntArray(), 4));
        }
    }
}
