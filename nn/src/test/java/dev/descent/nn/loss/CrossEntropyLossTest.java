package dev.descent.nn.loss;

import static dev.descent.nn.Checks.assertAllClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.autograd.GradCheck;
import dev.descent.autograd.Variable;
import dev.descent.core.DType;
import dev.descent.core.Scope;
import dev.descent.core.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

class CrossEntropyLossTest {
    private static final double[] LOGITS = {1, 2, 3, -1, 0, 4};
    private static final int[] LABELS = {2, 0};

    /** −log softmax(row)[label], by hand. */
    private static double[] expectedPerRow(double[] logits, int[] labels, int c) {
        double[] out = new double[labels.length];
        for (int i = 0; i < labels.length; i++) {
            double z = 0;
            for (int j = 0; j < c; j++) {
                z += Math.exp(logits[i * c + j]);
            }
            out[i] = -Math.log(Math.exp(logits[i * c + labels[i]]) / z);
        }
        return out;
    }

    /**
     * Row [1, 2, 3], label 2: −log(e³/(e+e²+e³)) = log(1 + e⁻¹ + e⁻²) ≈ 0.40760596;
     * row [−1, 0, 4], label 0: 5 + log(1 + e⁻⁴ + e⁻⁵) ≈ 5.02476.
     */
    @Test
    void equalsMinusLogSoftmaxAtTheLabel() {
        double first = Math.log(1 + Math.exp(-1) + Math.exp(-2));
        assertEquals(0.40760596444, first, 1e-10);
        double second = 5 + Math.log(1 + Math.exp(-4) + Math.exp(-5));
        try (Scope scope = Scope.open()) {
            Variable logits = Variable.of(Tensor.of(LOGITS, 2, 3));
            Variable none = new CrossEntropyLoss(Reduction.NONE).apply(logits, Tensor.of(LABELS));
            assertAllClose(new double[] {first, second}, none.toDoubleArray(), 1e-12);
            assertAllClose(expectedPerRow(LOGITS, LABELS, 3), none.toDoubleArray(), 1e-12);
            assertEquals((first + second) / 2, new CrossEntropyLoss().apply(logits, Tensor.of(LABELS)).item(), 1e-12);
            assertEquals(first + second,
                    new CrossEntropyLoss(Reduction.SUM).apply(logits, Tensor.of(new long[] {2, 0})).item(), 1e-12);
        }
    }

    /** Logits ±1e4: exp overflows in a naive softmax; log-softmax keeps the exact values 0 and 2e4. */
    @Test
    void staysFiniteForHugeLogits() {
        try (Scope scope = Scope.open()) {
            for (DType dtype : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
                Variable logits = Variable.parameter(Tensor.of(dev.descent.core.Backends.defaultDevice(),
                        dtype, new double[] {1e4, -1e4, -1e4, 1e4}, 2, 2));
                Variable loss = new CrossEntropyLoss(Reduction.NONE).apply(logits, Tensor.of(new int[] {0, 0}));
                double[] values = loss.toDoubleArray();
                assertEquals(0, values[0], 0.0);
                assertEquals(2e4, values[1], 0.0);
                loss.sum().backward();
                for (double g : logits.grad().toDoubleArray()) {
                    assertTrue(Double.isFinite(g), dtype + ": gradient " + g);
                }
            }
        }
    }

    @Test
    void oneHotProbabilitiesGiveTheSameLossAsLabels() {
        try (Scope scope = Scope.open()) {
            Variable logits = Variable.of(Tensor.of(LOGITS, 2, 3));
            Variable q = Variable.of(Tensor.of(new double[] {0, 0, 1, 1, 0, 0}, 2, 3));
            CrossEntropyLoss loss = new CrossEntropyLoss(Reduction.NONE);
            assertAllClose(loss.apply(logits, Tensor.of(LABELS)).toDoubleArray(), loss.apply(logits, q).toDoubleArray(),
                    1e-12);
        }
    }

    /** Soft targets: −Σ_c q_c log p_c, by hand. */
    @Test
    void probabilityTargets() {
        double[] q = {0.2, 0.3, 0.5, 0.6, 0.4, 0};
        double[] expected = new double[2];
        for (int i = 0; i < 2; i++) {
            double z = 0;
            for (int j = 0; j < 3; j++) {
                z += Math.exp(LOGITS[i * 3 + j]);
            }
            for (int j = 0; j < 3; j++) {
                expected[i] -= q[i * 3 + j] * (LOGITS[i * 3 + j] - Math.log(z));
            }
        }
        try (Scope scope = Scope.open()) {
            Variable out = new CrossEntropyLoss(Reduction.NONE).apply(Variable.of(Tensor.of(LOGITS, 2, 3)),
                    Tensor.of(q, 2, 3));
            assertAllClose(expected, out.toDoubleArray(), 1e-12);
        }
    }

    /** With ε the target is (1 − ε) onehot + ε/C; the loss is the cross-entropy against it, by hand. */
    @Test
    void labelSmoothingMixesInTheUniformDistribution() {
        double eps = 0.1;
        double[] expected = new double[2];
        for (int i = 0; i < 2; i++) {
            double z = 0;
            for (int j = 0; j < 3; j++) {
                z += Math.exp(LOGITS[i * 3 + j]);
            }
            for (int j = 0; j < 3; j++) {
                double target = (j == LABELS[i] ? 1 - eps : 0) + eps / 3;
                expected[i] -= target * (LOGITS[i * 3 + j] - Math.log(z));
            }
        }
        try (Scope scope = Scope.open()) {
            Variable logits = Variable.of(Tensor.of(LOGITS, 2, 3));
            CrossEntropyLoss loss = new CrossEntropyLoss(Reduction.NONE, eps);
            assertAllClose(expected, loss.apply(logits, Tensor.of(LABELS)).toDoubleArray(), 1e-12);
            assertAllClose(expected, loss.apply(logits, Tensor.of(new double[] {0, 0, 1, 1, 0, 0}, 2, 3))
                    .toDoubleArray(), 1e-12);
        }
    }

    @Test
    void gradientsPassGradcheckForLabelsAndProbabilitiesWithEveryReduction() {
        try (Tensor labels = Tensor.of(LABELS); Tensor q = Tensor.of(new double[] {0.2, 0.3, 0.5, 0.6, 0.4, 0}, 2, 3)) {
            for (Reduction r : Reduction.values()) {
                for (double eps : new double[] {0, 0.2}) {
                    CrossEntropyLoss loss = new CrossEntropyLoss(r, eps);
                    var withLabels = GradCheck.gradcheck(v -> loss.apply(v.get(0), labels),
                            List.of(Tensor.of(LOGITS, 2, 3)));
                    assertTrue(withLabels.passed(), r + " " + eps + ": " + withLabels);
                    var withProbabilities = GradCheck.gradcheck(v -> loss.apply(v.get(0), v.get(1)),
                            List.of(Tensor.of(LOGITS, 2, 3), q));
                    assertTrue(withProbabilities.passed(), r + " " + eps + ": " + withProbabilities);
                }
            }
        }
    }

    @Test
    void badLabelsAreNamedWithWhatWasExpectedAndGiven() {
        try (Scope scope = Scope.open()) {
            Variable logits = Variable.of(Tensor.of(LOGITS, 2, 3));
            CrossEntropyLoss loss = new CrossEntropyLoss();
            IllegalArgumentException range = assertThrows(IllegalArgumentException.class,
                    () -> loss.apply(logits, Tensor.of(new int[] {1, 3})));
            assertEquals("CrossEntropyLoss: class index 3 at position 1 is out of range for 3 classes (expected 0..2)",
                    range.getMessage());
            IllegalArgumentException negative = assertThrows(IllegalArgumentException.class,
                    () -> loss.apply(logits, Tensor.of(new int[] {-1, 0})));
            assertTrue(negative.getMessage().contains("class index -1 at position 0"), negative.getMessage());
            IllegalArgumentException shape = assertThrows(IllegalArgumentException.class,
                    () -> loss.apply(logits, Tensor.of(new int[] {0, 1, 2})));
            assertEquals("CrossEntropyLoss: expected class indices of shape [2] (one per row of the input), got [3]",
                    shape.getMessage());
            IllegalArgumentException dtype = assertThrows(IllegalArgumentException.class,
                    () -> loss.apply(logits, Tensor.of(new float[] {0, 1})));
            assertEquals("CrossEntropyLoss: expected int32/int64 class indices of shape [2] or float64 probabilities"
                    + " of shape [2, 3], got float32[2]", dtype.getMessage());
            IllegalArgumentException input = assertThrows(IllegalArgumentException.class,
                    () -> loss.apply(Variable.of(Tensor.of(LOGITS)), Tensor.of(LABELS)));
            assertTrue(input.getMessage().contains("expected an input of shape [N, C] (batch, classes), got [6]"),
                    input.getMessage());
        }
    }

    /** NLL of log-softmax is cross-entropy; NLL itself is −x[i, y_i]. */
    @Test
    void negativeLogLikelihood() {
        try (Scope scope = Scope.open(); Tensor labels = Tensor.of(LABELS)) {
            Variable logp = Variable.of(Tensor.of(LOGITS, 2, 3));
            assertAllClose(new double[] {-3, 1}, new NllLoss(Reduction.NONE).apply(logp, labels).toDoubleArray(), 0);
            assertEquals(-1, new NllLoss().apply(logp, labels).item(), 0);
            assertEquals(new CrossEntropyLoss().apply(logp, labels).item(),
                    new NllLoss().apply(logp.logSoftmax(1), labels).item(), 1e-12);
            for (Reduction r : Reduction.values()) {
                var result = GradCheck.gradcheck(v -> new NllLoss(r).apply(v.get(0).logSoftmax(1), labels),
                        List.of(Tensor.of(LOGITS, 2, 3)));
                assertTrue(result.passed(), r + ": " + result);
            }
            IllegalArgumentException range = assertThrows(IllegalArgumentException.class,
                    () -> new NllLoss().apply(logp, Tensor.of(new long[] {0, 7})));
            assertTrue(range.getMessage().startsWith("NllLoss: class index 7"), range.getMessage());
        }
    }
}
