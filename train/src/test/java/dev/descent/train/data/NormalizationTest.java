package dev.descent.train.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.descent.core.DType;
import dev.descent.core.Device;
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
}
