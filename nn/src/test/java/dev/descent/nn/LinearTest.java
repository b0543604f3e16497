package dev.descent.nn;

import static dev.descent.nn.Checks.assertAllClose;
import static dev.descent.nn.Checks.gradcheckModule;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.autograd.Variable;
import dev.descent.core.DType;
import dev.descent.core.Generator;
import dev.descent.core.Scope;
import dev.descent.core.Tensor;
import org.junit.jupiter.api.Test;

class LinearTest {

    @Test
    void computesXTimesWTransposedPlusBias() {
        try (Linear layer = new Linear(3, 2, new Generator(1)); Scope scope = Scope.open()) {
            layer.weight().data().copyFrom(Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3));
            layer.bias().data().copyFrom(Tensor.of(new float[] {0.5f, -1}));
            Variable y = layer.forward(Variable.of(Tensor.of(new float[] {1, 0, -1, 2, 1, 0}, 2, 3)));
            // row 1: [1-3, 4-6] + b = [-1.5, -3]; row 2: [2+2, 8+5] + b = [4.5, 12]
            assertArrayEquals(new float[] {-1.5f, -3f, 4.5f, 12f}, y.toFloatArray());
        }
    }

    @Test
    void withoutBiasHasOnlyAWeight() {
        try (Linear layer = new Linear(3, 2, false, DType.FLOAT64, new Generator(1)); Scope scope = Scope.open()) {
            assertNull(layer.bias());
            assertEquals(1, layer.parameters().size());
            layer.weight().data().copyFrom(Tensor.of(new double[] {1, 0, 0, 0, 1, 0}, 2, 3));
            Variable y = layer.forward(Variable.of(Tensor.of(new double[] {7, 8, 9})));
            assertArrayEquals(new double[] {7, 8}, y.toDoubleArray());
        }
    }

    @Test
    void batchDimensionsInFrontArePassedThrough() {
        try (Linear layer = new Linear(3, 2, new Generator(1)); Scope scope = Scope.open()) {
            Variable y = layer.forward(Variable.of(Tensor.ones(4, 5, 3)));
            assertArrayEquals(new int[] {4, 5, 2}, y.shape().dims());
        }
    }

    /**
     * PyTorch's default: kaiming_uniform(a = √5) gives bound gain·√(3/fan_in) with
     * gain = √(2/(1+5)), i.e. exactly 1/√fan_in; the bias uses the same bound.
     */
    @Test
    void defaultInitIsUniformWithinOneOverRootFanIn() {
        int in = 250;
        try (Linear layer = new Linear(in, 400, true, DType.FLOAT64, new Generator(7))) {
            double bound = 1 / Math.sqrt(in);
            double[] w = layer.weight().toDoubleArray();
            double sum = 0;
            double sumSq = 0;
            for (double v : w) {
                assertTrue(Math.abs(v) <= bound, "weight " + v + " outside ±" + bound);
                sum += v;
                sumSq += v * v;
            }
            int n = w.length;
            double variance = bound * bound / 3;
            // standard errors: sd/√n for the mean; for U(±b) the sample variance has sd √(0.8/n)·variance
            assertEquals(0, sum / n, 5 * Math.sqrt(variance / n));
            assertEquals(variance, sumSq / n, 5 * Math.sqrt(0.8 / n) * variance);
            for (double v : layer.bias().toDoubleArray()) {
                assertTrue(Math.abs(v) <= bound);
            }
        }
    }

    /** Seed 001 §8: W ~ N(0, 1/n_in) (Xavier) or N(0, 2/n_in) (He), biases zero; 5 standard errors as in InitTest. */
    @Test
    void seed001InitialisationsHaveTheirVarianceAndZeroBias() {
        int in = 200;
        try (Linear xavier = new Linear(in, 300, true, DType.FLOAT64, new Generator(8)).initXavierFanIn(
                new Generator(9));
                Linear he = new Linear(in, 300, true, DType.FLOAT64, new Generator(8)).initHe(new Generator(9))) {
            assertNormalWeightsAndZeroBias(xavier, 1.0 / in);
            assertNormalWeightsAndZeroBias(he, 2.0 / in);
        }
    }

    private static void assertNormalWeightsAndZeroBias(Linear layer, double variance) {
        double[] w = layer.weight().toDoubleArray();
        double sum = 0;
        double sumSq = 0;
        for (double v : w) {
            sum += v;
            sumSq += v * v;
        }
        int n = w.length;
        assertEquals(0, sum / n, 5 * Math.sqrt(variance / n));
        assertEquals(variance, sumSq / n, 5 * Math.sqrt(2.0 / n) * variance);
        assertArrayEquals(new double[(int) layer.bias().data().numel()], layer.bias().toDoubleArray());
    }

    @Test
    void sameSeedGivesSameWeights() {
        try (Linear a = new Linear(5, 4, new Generator(42)); Linear b = new Linear(5, 4, new Generator(42))) {
            assertArrayEquals(a.weight().toFloatArray(), b.weight().toFloatArray());
            assertArrayEquals(a.bias().toFloatArray(), b.bias().toFloatArray());
        }
    }

    @Test
    void wrongInputWidthIsNamed() {
        try (Linear layer = new Linear(3, 2, new Generator(1)); Variable x = Variable.of(Tensor.ones(2, 4))) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> layer.forward(x));
            assertTrue(e.getMessage().startsWith("Linear.forward: expected input of shape [..., 3], got [2, 4]"),
                    e.getMessage());
        }
    }

    @Test
    void gradientsPassGradcheckInTrainAndEvalMode() {
        Generator gen = new Generator(3);
        try (Linear withBias = new Linear(3, 2, true, DType.FLOAT64, gen);
             Linear noBias = new Linear(3, 2, false, DType.FLOAT64, gen);
             Tensor x = Tensor.normal(gen, 0, 1, DType.FLOAT64, 4, 3)) {
            for (Linear layer : new Linear[] {withBias, noBias}) {
                gradcheckModule(layer.train(), x);
                gradcheckModule(layer.eval(), x);
            }
        }
    }

    /**
     * Seed 004 §2.A, eqs. 2.15–2.18, for f(x) = softmax(W2 σ(W1 x)) with σ the sigmoid and the
     * loss −log f_y: δ2 = f − onehot(y), ∂L/∂W2 = δ2 zᵀ, δ1 = A1 W2ᵀ δ2 with A1 = diag(σ'(a1)),
     * ∂L/∂W1 = δ1 xᵀ, computed by hand in double arithmetic and compared with autograd.
     */
    @Test
    void twoLayerGradientsMatchTheBackpropagationEquationsOfSeed004() {
        int d = 3;
        int m = 4;
        int k = 2;
        Generator gen = new Generator(11);
        try (Linear l1 = new Linear(d, m, false, DType.FLOAT64, gen);
             Linear l2 = new Linear(m, k, false, DType.FLOAT64, gen);
             Scope scope = Scope.open()) {
            double[] x = {0.5, -1.0, 2.0};
            int y = 1;
            double[] w1 = l1.weight().toDoubleArray();
            double[] w2 = l2.weight().toDoubleArray();

            double[] a1 = new double[m];
            double[] z = new double[m];
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < d; j++) {
                    a1[i] += w1[i * d + j] * x[j];
                }
                z[i] = 1 / (1 + Math.exp(-a1[i]));
            }
            double[] a2 = new double[k];
            for (int j = 0; j < k; j++) {
                for (int i = 0; i < m; i++) {
                    a2[j] += w2[j * m + i] * z[i];
                }
            }
            double norm = Math.exp(a2[0]) + Math.exp(a2[1]);
            double[] delta2 = {Math.exp(a2[0]) / norm - (y == 0 ? 1 : 0), Math.exp(a2[1]) / norm - (y == 1 ? 1 : 0)};
            double[] gradW2 = new double[k * m];
            for (int j = 0; j < k; j++) {
                for (int i = 0; i < m; i++) {
                    gradW2[j * m + i] = delta2[j] * z[i];
                }
            }
            double[] gradW1 = new double[m * d];
            for (int i = 0; i < m; i++) {
                double delta1 = 0;
                for (int j = 0; j < k; j++) {
                    delta1 += delta2[j] * w2[j * m + i];
                }
                delta1 *= z[i] * (1 - z[i]);
                for (int c = 0; c < d; c++) {
                    gradW1[i * d + c] = delta1 * x[c];
                }
            }

            Variable logits = l2.forward(l1.forward(Variable.of(Tensor.of(x, 1, d))).sigmoid());
            Variable loss = logits.logSoftmax(1).select(1, y).sum().neg();
            loss.backward();
            assertAllClose(gradW2, l2.weight().grad().toDoubleArray(), 1e-12);
            assertAllClose(gradW1, l1.weight().grad().toDoubleArray(), 1e-12);
        }
    }
}
