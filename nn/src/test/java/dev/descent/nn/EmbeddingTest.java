package dev.descent.nn;

import static dev.descent.nn.Checks.assertAllClose;
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

class EmbeddingTest {

    @Test
    void forwardPicksTheRowsOfTheIndicesInTheirShape() {
        try (Embedding e = new Embedding(5, 3, new Generator(1)); Scope scope = Scope.open()) {
            double[] w = e.weight().toDoubleArray();
            Tensor ids = Tensor.of(new int[] {4, 0, 4, 2, 1, 3}, 2, 3);
            Variable out = e.forward(Variable.of(ids));
            assertArrayEquals(new int[] {2, 3, 3}, out.shape().dims());
            double[] got = out.toDoubleArray();
            int[] flat = {4, 0, 4, 2, 1, 3};
            for (int p = 0; p < flat.length; p++) {
                for (int j = 0; j < 3; j++) {
                    assertEquals(w[flat[p] * 3 + j], got[p * 3 + j], 0.0, "position " + p + ", column " + j);
                }
            }
        }
    }

    /** The table's gradient adds the output's gradient row by row at each index: repeated indices add up. */
    @Test
    void backwardAddsEachPositionsGradientIntoItsRow() {
        try (Embedding e = new Embedding(4, 2, -1, DType.FLOAT64, new Generator(2)); Scope scope = Scope.open()) {
            int[] ids = {3, 1, 3, 3, 0};
            Variable out = e.forward(Variable.of(Tensor.of(ids, 5)));
            double[] seed = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
            out.backward(Tensor.of(seed, 5, 2));
            double[] expected = new double[8];
            for (int p = 0; p < ids.length; p++) {
                expected[ids[p] * 2] += seed[2 * p];
                expected[ids[p] * 2 + 1] += seed[2 * p + 1];
            }
            assertArrayEquals(expected, e.weight().grad().toDoubleArray(), 0.0);
        }
    }

    @Test
    void thePaddingRowStartsAtZeroAndGetsNoGradient() {
        try (Embedding e = new Embedding(4, 3, 2, DType.FLOAT64, new Generator(3)); Scope scope = Scope.open()) {
            double[] w = e.weight().toDoubleArray();
            assertArrayEquals(new double[] {0, 0, 0}, java.util.Arrays.copyOfRange(w, 6, 9), 0.0);
            Variable out = e.forward(Variable.of(Tensor.of(new int[] {2, 1, 2}, 3)));
            assertArrayEquals(new double[] {0, 0, 0}, java.util.Arrays.copyOfRange(out.toDoubleArray(), 0, 3), 0.0,
                    "the padding position reads the (zero) row");
            out.sum().backward();
            double[] g = e.weight().grad().toDoubleArray();
            assertArrayEquals(new double[] {0, 0, 0, 1, 1, 1, 0, 0, 0, 0, 0, 0}, g, 0.0);
        }
    }

    /** PyTorch's initialisation: N(0, 1). */
    @Test
    void weightsStartAsAStandardNormal() {
        try (Embedding e = new Embedding(200, 100, new Generator(4))) {
            double[] w = e.weight().toDoubleArray();
            double mean = 0;
            double sq = 0;
            for (double v : w) {
                mean += v;
                sq += v * v;
            }
            mean /= w.length;
            double var = sq / w.length - mean * mean;
            assertEquals(0, mean, 0.02);
            assertEquals(1, var, 0.03);
        }
    }

    @Test
    void anIndexOutOfRangeIsRefusedNamingIt() {
        try (Embedding e = new Embedding(4, 2, new Generator(5)); Scope scope = Scope.open()) {
            var ex = assertThrows(IndexOutOfBoundsException.class,
                    () -> e.forward(Variable.of(Tensor.of(new int[] {1, 4}, 2))));
            assertTrue(ex.getMessage().contains("index 4"), ex.getMessage());
            assertThrows(IllegalArgumentException.class, () -> e.forward(Variable.of(Tensor.of(new float[] {1}, 1))));
        }
    }

    @Test
    void layerNormMatchesItsFormulaAndStartsAsTheIdentityAffine() {
        try (LayerNorm ln = new LayerNorm(new int[] {4}, 1e-5, true, DType.FLOAT64); Scope scope = Scope.open()) {
            double[] x = {1, 2, 3, 4, -1, 0, 5, 2};
            Variable y = ln.forward(Variable.of(Tensor.of(x, 2, 4)));
            double[] expected = new double[8];
            for (int r = 0; r < 2; r++) {
                double mu = 0;
                for (int i = 0; i < 4; i++) {
                    mu += x[r * 4 + i] / 4;
                }
                double var = 0;
                for (int i = 0; i < 4; i++) {
                    var += (x[r * 4 + i] - mu) * (x[r * 4 + i] - mu) / 4;
                }
                for (int i = 0; i < 4; i++) {
                    expected[r * 4 + i] = (x[r * 4 + i] - mu) / Math.sqrt(var + 1e-5);
                }
            }
            assertAllClose(expected, y.toDoubleArray(), 1e-14);
            assertEquals(java.util.List.of("weight", "bias"), java.util.List.copyOf(ln.namedParameters().keySet()));
            Checks.gradcheckModule(ln, Tensor.randn(new Generator(6), DType.FLOAT64, 3, 4));
        }
    }
}
