package dev.descent.nn.loss;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.autograd.GradCheck;
import dev.descent.autograd.Variable;
import dev.descent.core.Scope;
import dev.descent.core.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

class L2PenaltyTest {

    /** λ/2 (1² + 2² + (−3)² + 0.5²) = 0.1/2 · 14.25; gradient λ p. */
    @Test
    void isHalfLambdaTimesTheSumOfSquaresWithGradientLambdaP() {
        try (Scope scope = Scope.open()) {
            Variable a = Variable.parameter(Tensor.of(new double[] {1, 2}));
            Variable b = Variable.parameter(Tensor.of(new double[] {-3, 0.5}, 1, 2));
            Variable penalty = new L2Penalty(0.1).of(List.of(a, b));
            assertEquals(0.05 * 14.25, penalty.item(), 1e-15);
            penalty.backward();
            assertArrayEquals(new double[] {0.1, 0.2}, a.grad().toDoubleArray(), 1e-15);
            assertArrayEquals(new double[] {-0.3, 0.05}, b.grad().toDoubleArray(), 1e-15);
            var check = GradCheck.gradcheck(v -> new L2Penalty(0.3).of(v),
                    List.of(Tensor.of(new double[] {1, 2}), Tensor.of(new double[] {-3, 0.5})));
            assertTrue(check.passed(), check.toString());
        }
    }

    @Test
    void refusesANegativeLambdaAndAnEmptyList() {
        assertThrows(IllegalArgumentException.class, () -> new L2Penalty(-1));
        IllegalArgumentException empty = assertThrows(IllegalArgumentException.class,
                () -> new L2Penalty(1).of(List.of()));
        assertTrue(empty.getMessage().contains("expected at least one parameter"), empty.getMessage());
    }
}
