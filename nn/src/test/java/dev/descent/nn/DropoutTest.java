package dev.descent.nn;

import static dev.descent.nn.Checks.gradcheckModule;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.autograd.GradCheck;
import dev.descent.autograd.Variable;
import dev.descent.core.DType;
import dev.descent.core.Generator;
import dev.descent.core.Scope;
import dev.descent.core.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

class DropoutTest {

    @Test
    void evalModeIsTheIdentity() {
        try (Dropout d = new Dropout(0.5, new Generator(1)); Variable x = Variable.of(Tensor.ones(3, 3))) {
            d.eval();
            assertSame(x, d.forward(x));
        }
    }

    /**
     * Each element survives with probability 1 − p, scaled by 1/(1 − p). The number dropped
     * among n is Binomial(n, p) with sd √(n p (1 − p)); 5 sd bounds the draw (seeded, so the
     * test is deterministic; the bound only says the seed is not special).
     */
    @Test
    void trainingDropsAFractionPAndScalesTheRest() {
        double p = 0.3;
        int n = 20_000;
        try (Dropout d = new Dropout(p, new Generator(2)); Scope scope = Scope.open()) {
            float[] y = d.forward(Variable.of(Tensor.full(DType.FLOAT32, 2, n))).toFloatArray();
            int dropped = 0;
            for (float v : y) {
                if (v == 0) {
                    dropped++;
                } else {
                    assertEquals(2 / (1 - p), v, 1e-6);
                }
            }
            assertEquals(p * n, dropped, 5 * Math.sqrt(n * p * (1 - p)));
        }
    }

    @Test
    void theSeedFixesTheMasks() {
        try (Dropout a = new Dropout(0.5, new Generator(9)); Dropout b = new Dropout(0.5, new Generator(9));
             Scope scope = Scope.open()) {
            Variable x = Variable.of(Tensor.ones(50));
            assertArrayEquals(a.forward(x).toFloatArray(), b.forward(x).toFloatArray());
        }
    }

    @Test
    void probabilityZeroKeepsAndOneZeroesEverything() {
        try (Dropout none = new Dropout(0, new Generator(1)); Dropout all = new Dropout(1, new Generator(1));
             Scope scope = Scope.open()) {
            Variable x = Variable.of(Tensor.ones(10));
            assertSame(x, none.forward(x));
            assertArrayEquals(new float[10], all.forward(x).toFloatArray());
        }
    }

    @Test
    void aProbabilityOutsideZeroToOneIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new Dropout(1.5, new Generator(1)));
        assertTrue(e.getMessage().contains("expected a probability 0 <= p <= 1, got 1.5"), e.getMessage());
    }

    /** In training the mask must be the same on every call of the check: a fresh generator of one seed each time. */
    @Test
    void gradientsPassGradcheckInTrainAndEvalMode() {
        try (Tensor x = Tensor.normal(new Generator(4), 0, 1, DType.FLOAT64, 4, 5)) {
            assertTrue(GradCheck.gradcheck(xs -> {
                try (Dropout d = new Dropout(0.4, new Generator(17))) {
                    return d.forward(xs.get(0));
                }
            }, List.of(x)).passed());
            try (Dropout d = new Dropout(0.4, new Generator(17))) {
                gradcheckModule(d.eval(), x);
            }
        }
    }
}
