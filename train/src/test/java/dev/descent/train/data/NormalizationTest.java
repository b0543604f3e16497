package dev.descent.train.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.descent.core.DType;
import dev.descent.core.Device;
import dev.descent.core.Generator;
import dev.descent.core.Tensor;
import org.junit.jupiter.api.Test;

class NormalizationTest {

    private static Dataset rows(double[] x, int n, int d) {
        return Dataset.regression("rows", Tensor.of(Device.cpu(), DType.FLOAT64, x, n, d),
                Tensor.of(Device.cpu(), DType.FLOAT64, new double[n], n, 1));
    }

    @Test
    void perFeatureStandardisationUsesTheTrainingSetsMeanAndPopulationDeviation() {
        // feature 0: 1, 3 -> mean 2, sd 1; feature 1: constant 5 -> sd 0, replaced by 1
        try (Dataset train = rows(new double[] {1, 5, 3, 5}, 2, 2);
             Dataset test = rows(new double[] {4, 7}, 1, 2)) {
            Normalization n = Normalization.fit(train, Normalization.Mode.PER_FEATURE);
            assertArrayEquals(new double[] {2, 5}, n.mean(), 1e-12);
            assertArrayEquals(new double[] {1, 1}, n.std(), 1e-12);
            try (Dataset a = n.apply(train); Dataset b = n.apply(test)) {
                assertArrayEquals(new double[] {-1, 0, 1, 0}, a.features().toDoubleArray(), 1e-12);
                assertArrayEquals(new double[] {2, 2}, b.features().toDoubleArray(), 1e-12);
                assertArrayEquals(new double[] {1, 5, 3, 5}, train.features().toDoubleArray(), "input untouched");
            }
        }
    }

    @Test
    void globalStandardisationUsesOneMeanAndDeviationForEveryFeature() {
        // values 0, 0, 2, 6: mean 2, population variance (4 + 4 + 0 + 16) / 4 = 6
        try (Dataset train = rows(new double[] {0, 0, 2, 6}, 2, 2)) {
            Normalization n = Normalization.fit(train, Normalization.Mode.GLOBAL);
            assertEquals(2, n.mean()[0], 1e-12);
            assertEquals(Math.sqrt(6), n.std()[0], 1e-12);
            try (Dataset a = n.apply(train)) {
                double s = Math.sqrt(6);
                assertArrayEquals(new double[] {-2 / s, -2 / s, 0, 4 / s}, a.features().toDoubleArray(), 1e-12);
            }
        }
    }

    /**
     * float32 features (Fashion-MNIST's) are measured in double from their float32 values, over
     * several chunks of rows: the statistics equal a two-pass double reference to 1e-12, where
     * float32 sums of 3 × 10^5 values were off by about 1e-6.
     */
    @Test
    void float32FeaturesAreMeasuredInDoubleOverChunksOfRows() {
        int n = 100_000;
        int d = 3;
        Generator gen = new Generator(4);
        try (Tensor x = Tensor.rand(gen, DType.FLOAT32, n, d).mul(0.25).add(1000);
             Dataset train = Dataset.regression("f32", x.copy(), Tensor.zeros(DType.FLOAT32, n, 1))) {
            float[] v = x.toFloatArray();
            double mean = 0;
            for (float f : v) {
                mean += f;
            }
            mean /= v.length;
            double squares = 0;
            for (float f : v) {
                squares += (f - mean) * (f - mean);
            }
            double sd = Math.sqrt(squares / v.length);
            Normalization g = Normalization.fit(train, Normalization.Mode.GLOBAL);
            assertEquals(mean, g.mean()[0], 1e-12 * mean);
            assertEquals(sd, g.std()[0], 1e-12 * sd);
            double[] perFeature = new double[d];
            for (int i = 0; i < v.length; i++) {
                perFeature[i % d] += v[i];
            }
            Normalization p = Normalization.fit(train, Normalization.Mode.PER_FEATURE);
            for (int j = 0; j < d; j++) {
                assertEquals(perFeature[j] / n, p.mean()[j], 1e-12 * 1000);
            }
        }
    }
}
