package dev.descent.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.autograd.Autograd;
import dev.descent.autograd.Variable;
import dev.descent.core.Tensor;
import java.util.List;
import java.util.Random;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** The worked examples of the texts, reproduced with the optimisers. */
class TextsCasesTest {

    /** One GD step on L(x) = x² through autograd; returns the loss before the step. */
    private static double stepSquare(Variable x, SGD opt) {
        opt.zeroGrad();
        Variable loss = x.square().sum();
        double l = loss.item();
        loss.backward();
        loss.close();
        opt.step();
        return l;
    }

    @Test
    void gradientDescentOnXSquaredReproducesTable1_1() {
        try (Variable x = TestSupport.param(1.0); SGD opt = new SGD(List.of(x), 0.1, 0)) {
            double[] expected = {0.8, 0.64, 0.512};
            for (int t = 1; t <= 500; t++) {
                stepSquare(x, opt);
                double v = x.item();
                assertEquals(Math.pow(0.8, t), v, 1e-12 * Math.pow(0.8, t), "x" + t);
                if (t <= 3) {
                    assertEquals(expected[t - 1], v, 1e-15, "x" + t);
                }
                if (t == 40) {
                    assertEquals(1.3e-4, v, 0.05e-4, "x40 (seed 000: about 0.00013)");
                }
            }
            assertEquals(3.5e-49, x.item(), 0.05e-49, "x500 (seed 000: about 3.5e-49)");
            x.zeroGrad();
        }
    }

    @Test
    void learningRateOneOscillatesBetweenOneAndMinusOne() {
        try (Variable x = TestSupport.param(1.0); SGD opt = new SGD(List.of(x), 1.0, 0)) {
            for (int t = 1; t <= 10; t++) {
                stepSquare(x, opt);
                assertEquals(t % 2 == 0 ? 1.0 : -1.0, x.item(), 0, "x" + t);
            }
            x.zeroGrad();
        }
    }

    @Test
    void learningRateAboveOneDivergesAndIsDetected() {
        try (Variable x = TestSupport.param(1.0); SGD opt = new SGD(List.of(x), 1.01, 0)) {
            DivergenceDetector detector = new DivergenceDetector();
            ArithmeticException e = assertThrows(ArithmeticException.class, () -> {
                for (int t = 0; t < 1000; t++) {
                    detector.check(stepSquare(x, opt));
                }
            });
            assertTrue(e.getMessage().contains("diverged"), e.getMessage());
            // x_t = (1 − 2·1.01)^t = (−1.02)^t: the magnitude grows by 1.02 each step.
            assertEquals(Math.pow(1.02, opt.stepCount()), Math.abs(x.item()), 1e-9 * Math.abs(x.item()));
            x.zeroGrad();
        }
    }

    @Test
    void xPlusSinXFromTwoPointFiveFollowsTheRecursionForEachRate() {
        for (double alpha : new double[] {1, 0.1, 0.01}) {
            double ref = 2.5;
            try (Variable x = TestSupport.param(2.5); SGD opt = new SGD(List.of(x), alpha, 0)) {
                for (int t = 0; t < 200; t++) {
                    // d/dx (x + sin x) = 1 + cos x (autograd has no sin yet).
                    TestSupport.setGrad(x, new double[] {1 + Math.cos(x.item())});
                    opt.step();
                    ref = ref - alpha * (1 + Math.cos(ref));
                    assertEquals(ref, x.item(), 1e-12, "alpha " + alpha + " step " + t);
                }
                x.zeroGrad();
            }
            if (alpha == 0.01) {
                assertTrue(ref > 1.5, "alpha 0.01 is slow: after 200 steps x is still " + ref);
            } else {
                assertEquals(-Math.PI, ref, 0.15, "alpha " + alpha + " ends near the stationary point -pi");
            }
        }
    }

    @Test
    void sgdOnTheThreePointProblemEndsNearTwoFourThirds() {
        double[][] xs = {{0, 1}, {1, 0.5}, {1, -0.5}};
        double[] ys = {0, 4, 0};
        Random pick = new Random(7);
        try (Variable w = TestSupport.param(0, 0); SGD opt = new SGD(List.of(w), 0.002, 0)) {
            for (int t = 0; t < 20000; t++) {
                int i = pick.nextInt(3);
                opt.zeroGrad();
                Variable xi = Variable.of(Tensor.of(xs[i]));
                Variable loss = w.mul(xi).sum().sub(ys[i]).square().mul(0.5);
                loss.backward();
                loss.close();
                xi.close();
                opt.step();
            }
            double[] v = w.toDoubleArray();
            assertEquals(2, v[0], 0.05, "w1");
            assertEquals(4.0 / 3, v[1], 0.05, "w2");
            w.zeroGrad();
        }
    }

    @Test
    void gradientDescentConvergesBelowTwoOverLambdaOneAndDivergesAbove() {
        // L(θ) = ½ θᵀAθ with A = [[3, 1], [1, 2]]: seed 004 says GD converges iff η < 2/λ1.
        Function<Variable, Variable> loss = th -> {
            Variable a = Variable.of(Tensor.of(new double[] {3, 1, 1, 2}, 2, 2));
            return th.mul(a.matmul(th.reshape(2, 1)).reshape(2)).sum().mul(0.5);
        };
        double lambda1;
        try (Tensor at = Tensor.of(new double[] {0.5, -0.3}); Tensor h = Autograd.hessian(loss, at)) {
            double[] m = h.toDoubleArray();
            double tr = m[0] + m[3];
            double det = m[0] * m[3] - m[1] * m[2];
            lambda1 = tr / 2 + Math.sqrt(tr * tr / 4 - det);
        }
        assertEquals(2.5 + Math.sqrt(1.25), lambda1, 1e-12);
        assertTrue(runGd(loss, 0.95 * 2 / lambda1) < 1e-6, "eta just below 2/lambda1 converges");
        assertTrue(runGd(loss, 1.05 * 2 / lambda1) > 1e3, "eta just above 2/lambda1 diverges");
    }

    private static double runGd(Function<Variable, Variable> loss, double eta) {
        try (Variable th = TestSupport.param(0.5, -0.3); SGD opt = new SGD(List.of(th), eta, 0)) {
            double l = 0;
            for (int t = 0; t < 400; t++) {
                opt.zeroGrad();
                try (dev.descent.core.Scope s = dev.descent.core.Scope.open()) {
                    Variable v = loss.apply(th);
                    l = v.item();
                    v.backward();
                }
                opt.step();
            }
            th.zeroGrad();
            return l;
        }
    }
}
