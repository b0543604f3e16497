package dev.descent.nn;

import static dev.descent.nn.Checks.assertAllClose;
import static dev.descent.nn.Checks.gradcheckModule;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.autograd.Variable;
import dev.descent.core.DType;
import dev.descent.core.Generator;
import dev.descent.core.Scope;
import dev.descent.core.Tensor;
import org.junit.jupiter.api.Test;

class BatchNorm1dTest {
    private static final double EPS = 1e-5;

    private static BatchNorm1d float64(int features) {
        return new BatchNorm1d(features, EPS, 0.1, true, DType.FLOAT64);
    }

    /** Column j of a row-major [n, c] array. */
    private static double[] column(double[] x, int n, int c, int j) {
        double[] col = new double[n];
        for (int i = 0; i < n; i++) {
            col[i] = x[i * c + j];
        }
        return col;
    }

    private static double mean(double[] v) {
        double s = 0;
        for (double e : v) {
            s += e;
        }
        return s / v.length;
    }

    /** Σ (v − mean)² / (n − correction). */
    private static double variance(double[] v, int correction) {
        double m = mean(v);
        double s = 0;
        for (double e : v) {
            s += (e - m) * (e - m);
        }
        return s / (v.length - correction);
    }

    /**
     * Before γ and β each feature of the output has mean 0 and (biased) variance
     * σ²/(σ² + ε), which is 1 up to ε/σ²: the ε of the denominator is the only difference.
     */
    @Test
    void trainingOutputHasMeanZeroAndVarianceOnePerFeature() {
        int n = 64;
        int c = 3;
        Generator gen = new Generator(1);
        try (BatchNorm1d bn = float64(c); Scope scope = Scope.open()) {
            Tensor x = Tensor.normal(gen, 3, 2, DType.FLOAT64, n, c);
            double[] in = x.toDoubleArray();
            double[] out = bn.forward(Variable.of(x)).toDoubleArray();
            for (int j = 0; j < c; j++) {
                double sigma2 = variance(column(in, n, c, j), 0);
                double[] col = column(out, n, c, j);
                assertEquals(0, mean(col), 1e-12);
                assertEquals(sigma2 / (sigma2 + EPS), variance(col, 0), 1e-12);
                assertEquals(1, variance(col, 0), 1e-5);
            }
        }
    }

    @Test
    void gammaAndBetaScaleAndShiftTheNormalisedValues() {
        int n = 8;
        int c = 2;
        try (BatchNorm1d bn = float64(c); Scope scope = Scope.open()) {
            bn.weight().data().copyFrom(Tensor.of(new double[] {2, -3}));
            bn.bias().data().copyFrom(Tensor.of(new double[] {0.5, 1}));
            Tensor x = Tensor.normal(new Generator(2), 0, 1, DType.FLOAT64, n, c);
            double[] in = x.toDoubleArray();
            double[] out = bn.forward(Variable.of(x)).toDoubleArray();
            double[] gamma = {2, -3};
            double[] beta = {0.5, 1};
            double[] expected = new double[n * c];
            for (int j = 0; j < c; j++) {
                double[] col = column(in, n, c, j);
                double mu = mean(col);
                double sd = Math.sqrt(variance(col, 0) + EPS);
                for (int i = 0; i < n; i++) {
                    expected[i * c + j] = gamma[j] * (col[i] - mu) / sd + beta[j];
                }
            }
            assertAllClose(expected, out, 1e-12);
        }
    }

    /**
     * After k steps from running_mean = 0, running_var = 1 with momentum m:
     * running_mean = Σ_t m (1−m)^{k−t} μ_t, running_var = (1−m)^k + Σ_t m (1−m)^{k−t} s²_t with
     * s²_t the unbiased variance of batch t (PyTorch's convention; seed 001's ρ is 1 − m).
     */
    @Test
    void runningAveragesAfterKStepsEqualTheClosedForm() {
        int n = 10;
        int c = 2;
        int k = 5;
        double m = 0.1;
        Generator gen = new Generator(3);
        double[] expectedMean = new double[c];
        double[] expectedVar = new double[c];
        for (int j = 0; j < c; j++) {
            expectedVar[j] = Math.pow(1 - m, k);
        }
        try (BatchNorm1d bn = float64(c); Scope scope = Scope.open()) {
            for (int t = 1; t <= k; t++) {
                Tensor x = Tensor.normal(gen, t, 1 + t, DType.FLOAT64, n, c);
                double[] in = x.toDoubleArray();
                double weight = m * Math.pow(1 - m, k - t);
                for (int j = 0; j < c; j++) {
                    expectedMean[j] += weight * mean(column(in, n, c, j));
                    expectedVar[j] += weight * variance(column(in, n, c, j), 1);
                }
                bn.forward(Variable.of(x));
            }
            assertAllClose(expectedMean, bn.runningMean().toDoubleArray(), 1e-12);
            assertAllClose(expectedVar, bn.runningVar().toDoubleArray(), 1e-12);
            assertEquals(k, bn.batchesTracked());
        }
    }

    @Test
    void evalUsesTheRunningStatisticsAndChangesNothing() {
        int n = 4;
        int c = 2;
        Generator gen = new Generator(4);
        try (BatchNorm1d bn = float64(c); Scope scope = Scope.open()) {
            bn.runningMean().copyFrom(Tensor.of(new double[] {1, -2}));
            bn.runningVar().copyFrom(Tensor.of(new double[] {4, 0.25}));
            bn.weight().data().copyFrom(Tensor.of(new double[] {3, 1}));
            bn.bias().data().copyFrom(Tensor.of(new double[] {0, 5}));
            bn.eval();
            Tensor x = Tensor.normal(gen, 0, 1, DType.FLOAT64, n, c);
            double[] in = x.toDoubleArray();
            double[] out = bn.forward(Variable.of(x)).toDoubleArray();
            double[] expected = new double[n * c];
            for (int i = 0; i < n; i++) {
                expected[i * c] = 3 * (in[i * c] - 1) / Math.sqrt(4 + EPS);
                expected[i * c + 1] = (in[i * c + 1] + 2) / Math.sqrt(0.25 + EPS) + 5;
            }
            assertAllClose(expected, out, 1e-12);
            assertArrayEquals(new double[] {1, -2}, bn.runningMean().toDoubleArray());
            assertArrayEquals(new double[] {4, 0.25}, bn.runningVar().toDoubleArray());
            assertEquals(0, bn.batchesTracked());
        }
    }

    /** For [N, C, L] the statistics of feature j are over all N·L values of it. */
    @Test
    void threeDimensionalInputNormalisesOverBatchAndLength() {
        int n = 3;
        int c = 2;
        int l = 4;
        try (BatchNorm1d bn = float64(c); Scope scope = Scope.open()) {
            Tensor x = Tensor.normal(new Generator(5), 1, 3, DType.FLOAT64, n, c, l);
            double[] in = x.toDoubleArray();
            double[] out = bn.forward(Variable.of(x)).toDoubleArray();
            for (int j = 0; j < c; j++) {
                double[] values = new double[n * l];
                double[] normalised = new double[n * l];
                for (int i = 0; i < n; i++) {
                    for (int t = 0; t < l; t++) {
                        values[i * l + t] = in[(i * c + j) * l + t];
                        normalised[i * l + t] = out[(i * c + j) * l + t];
                    }
                }
                double sigma2 = variance(values, 0);
                assertEquals(0, mean(normalised), 1e-12);
                assertEquals(sigma2 / (sigma2 + EPS), variance(normalised, 0), 1e-12);
                assertEquals(0.1 * variance(values, 1) + 0.9, bn.runningVar().toDoubleArray()[j], 1e-12);
            }
        }
    }

    @Test
    void withoutAffineThereAreNoParameters() {
        try (BatchNorm1d bn = new BatchNorm1d(3, EPS, 0.1, false, DType.FLOAT32)) {
            assertTrue(bn.parameters().isEmpty());
            assertEquals(3, bn.namedBuffers().size());
        }
    }

    @Test
    void badInputsAreNamed() {
        try (BatchNorm1d bn = new BatchNorm1d(3); Scope scope = Scope.open()) {
            IllegalArgumentException shape = assertThrows(IllegalArgumentException.class,
                    () -> bn.forward(Variable.of(Tensor.zeros(4, 2))));
            assertTrue(shape.getMessage().contains("expected input of shape [N, 3] or [N, 3, L], got [4, 2]"),
                    shape.getMessage());
            IllegalArgumentException single = assertThrows(IllegalArgumentException.class,
                    () -> bn.forward(Variable.of(Tensor.zeros(1, 3))));
            assertTrue(single.getMessage().contains("more than one value per feature"), single.getMessage());
        }
    }

    @Test
    void gradientsPassGradcheckInTrainAndEvalMode() {
        Generator gen = new Generator(6);
        try (BatchNorm1d bn = float64(3); BatchNorm1d bn3 = float64(2); Scope scope = Scope.open()) {
            bn.weight().data().copyFrom(Tensor.of(new double[] {1.5, -0.5, 2}));
            bn.bias().data().copyFrom(Tensor.of(new double[] {0.1, 0.2, -0.3}));
            bn.runningMean().copyFrom(Tensor.of(new double[] {0.3, -0.1, 0.2}));
            bn.runningVar().copyFrom(Tensor.of(new double[] {1.5, 0.7, 2}));
            Tensor x = Tensor.normal(gen, 0, 1, DType.FLOAT64, 5, 3);
            gradcheckModule(bn.train(), x);
            gradcheckModule(bn.eval(), x);
            Tensor x3 = Tensor.normal(gen, 0, 1, DType.FLOAT64, 3, 2, 2);
            gradcheckModule(bn3.train(), x3);
            gradcheckModule(bn3.eval(), x3);
        }
    }
}
