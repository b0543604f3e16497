package dev.descent.nn.loss;

import static dev.descent.nn.Checks.assertAllClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.autograd.GradCheck;
import dev.descent.autograd.Variable;
import dev.descent.core.Scope;
import dev.descent.core.Tensor;
import java.util.List;
import java.util.function.DoubleBinaryOperator;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

class ElementwiseLossesTest {
    private static final double[] X = {0.5, -1.0, 2.0, 3.5, -0.25, 1.0};
    private static final double[] Y = {1.0, 1.0, -0.5, 0.0, 0.1, 0.2};

    /** Per-element, mean and sum against the reference; gradcheck for each reduction. */
    private static void check(Function<Reduction, Loss> make, DoubleBinaryOperator perElement) {
        double[] expected = new double[X.length];
        double sum = 0;
        for (int i = 0; i < X.length; i++) {
            expected[i] = perElement.applyAsDouble(X[i], Y[i]);
            sum += expected[i];
        }
        try (Scope scope = Scope.open()) {
            Variable x = Variable.of(Tensor.of(X, 2, 3));
            Variable y = Variable.of(Tensor.of(Y, 2, 3));
            Variable none = make.apply(Reduction.NONE).apply(x, y);
            assertArrayEquals(new int[] {2, 3}, none.shape().dims());
            assertAllClose(expected, none.toDoubleArray(), 1e-12);
            assertEquals(sum / X.length, make.apply(Reduction.MEAN).apply(x, y).item(), 1e-12);
            assertEquals(sum, make.apply(Reduction.SUM).apply(x, y).item(), 1e-12);
            for (Reduction r : Reduction.values()) {
                Loss loss = make.apply(r);
                var result = GradCheck.gradcheck(v -> loss.apply(v.get(0), v.get(1)),
                        List.of(Tensor.of(X, 2, 3), Tensor.of(Y, 2, 3)));
                assertTrue(result.passed(), r + ": " + result);
            }
        }
    }

    @Test
    void meanSquaredError() {
        check(MseLoss::new, (x, y) -> (x - y) * (x - y));
    }

    @Test
    void absoluteError() {
        check(L1Loss::new, (x, y) -> Math.abs(x - y));
    }

    /** δ = 1: the differences 0.5, 2, 2.5, 3.5, 0.35, 0.8 test both branches. */
    @Test
    void huberQuadraticInsideDeltaLinearOutside() {
        check(r -> new HuberLoss(1.0, r), (x, y) -> {
            double d = Math.abs(x - y);
            return d <= 1 ? 0.5 * d * d : d - 0.5;
        });
        check(r -> new HuberLoss(2.0, r), (x, y) -> {
            double d = Math.abs(x - y);
            return d <= 2 ? 0.5 * d * d : 2 * (d - 1);
        });
    }

    /** Targets in [0, 1]; the reference is the textbook −[y log σ + (1−y) log(1−σ)]. */
    @Test
    void binaryCrossEntropyFromLogits() {
        double[] targets = {1, 0, 0.3, 1, 0, 0.5};
        double[] expected = new double[X.length];
        for (int i = 0; i < X.length; i++) {
            double s = 1 / (1 + Math.exp(-X[i]));
            expected[i] = -(targets[i] * Math.log(s) + (1 - targets[i]) * Math.log(1 - s));
        }
        try (Scope scope = Scope.open()) {
            Variable out = new BceWithLogitsLoss(Reduction.NONE).apply(Variable.of(Tensor.of(X)),
                    Variable.of(Tensor.of(targets)));
            assertAllClose(expected, out.toDoubleArray(), 1e-12);
            for (Reduction r : Reduction.values()) {
                Loss loss = new BceWithLogitsLoss(r);
                var result = GradCheck.gradcheck(v -> loss.apply(v.get(0), v.get(1)),
                        List.of(Tensor.of(X), Tensor.of(targets)));
                assertTrue(result.passed(), r + ": " + result);
            }
        }
    }

    /**
     * At logits ±1e4 the naive form takes log(0); the stable one gives the exact values:
     * ℓ(1e4, 1) = 0, ℓ(1e4, 0) = 1e4, ℓ(−1e4, 1) = 1e4, ℓ(−1e4, 0) = 0.
     */
    @Test
    void binaryCrossEntropyIsExactForHugeLogits() {
        try (Scope scope = Scope.open()) {
            Variable x = Variable.of(Tensor.of(new double[] {1e4, 1e4, -1e4, -1e4}));
            Variable y = Variable.of(Tensor.of(new double[] {1, 0, 1, 0}));
            Variable logits = Variable.parameter(Tensor.of(new float[] {1e4f, -1e4f}));
            assertArrayEquals(new double[] {0, 1e4, 1e4, 0},
                    new BceWithLogitsLoss(Reduction.NONE).apply(x, y).toDoubleArray());
            Variable l = new BceWithLogitsLoss(Reduction.SUM).apply(logits, Tensor.of(new float[] {0, 1}));
            l.backward();
            assertArrayEquals(new float[] {1, -1}, logits.grad().toFloatArray());
        }
    }

    @Test
    void mismatchedShapesAndDTypesAreNamed() {
        try (Scope scope = Scope.open()) {
            Variable x = Variable.of(Tensor.zeros(2, 3));
            IllegalArgumentException shape = assertThrows(IllegalArgumentException.class,
                    () -> new MseLoss().apply(x, Tensor.zeros(3, 2)));
            assertTrue(shape.getMessage().startsWith("MseLoss: expected a target of the input's shape [2, 3], got [3, 2]"),
                    shape.getMessage());
            IllegalArgumentException dtype = assertThrows(IllegalArgumentException.class,
                    () -> new L1Loss().apply(x, Tensor.of(new int[] {1, 2, 3, 4, 5, 6}, 2, 3)));
            assertTrue(dtype.getMessage().contains("expected a target of the input's dtype float32, got int32"),
                    dtype.getMessage());
        }
    }
}
