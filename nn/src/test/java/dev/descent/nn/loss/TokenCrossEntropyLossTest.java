package dev.descent.nn.loss;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.autograd.Variable;
import dev.descent.core.DType;
import dev.descent.core.Generator;
import dev.descent.core.Scope;
import dev.descent.core.Tensor;
import org.junit.jupiter.api.Test;

class TokenCrossEntropyLossTest {

    /** The mean over positions of −log softmax(logits)[target], written out. */
    @Test
    void isTheMeanOfEachPositionsNegativeLogLikelihood() {
        try (Scope scope = Scope.open()) {
            Tensor logits = Tensor.randn(new Generator(1), DType.FLOAT64, 2, 3, 4);
            int[] targets = {0, 3, 1, 2, 2, 0};
            double[] x = logits.toDoubleArray();
            double expected = 0;
            for (int p = 0; p < 6; p++) {
                double m = Double.NEGATIVE_INFINITY;
                for (int c = 0; c < 4; c++) {
                    m = Math.max(m, x[p * 4 + c]);
                }
                double s = 0;
                for (int c = 0; c < 4; c++) {
                    s += Math.exp(x[p * 4 + c] - m);
                }
                expected += -(x[p * 4 + targets[p]] - m - Math.log(s)) / 6;
            }
            double got = new TokenCrossEntropyLoss().apply(Variable.of(logits), Tensor.of(targets, 2, 3)).item();
            assertEquals(expected, got, 1e-14);
        }
    }

    @Test
    void targetsOfAnotherShapeAreRefused() {
        try (Scope scope = Scope.open()) {
            var e = assertThrows(IllegalArgumentException.class, () -> new TokenCrossEntropyLoss()
                    .apply(Variable.of(Tensor.zeros(DType.FLOAT32, 2, 3, 4)), Tensor.of(new int[6], 3, 2)));
            assertTrue(e.getMessage().contains("expected targets of shape [2, 3]"), e.getMessage());
        }
    }
}
