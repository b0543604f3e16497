package dev.descent.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.autograd.Variable;
import dev.descent.core.Scope;
import dev.descent.optim.secondorder.LBFGS;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Steps worked out by hand, SWATS against its algorithm written as loops, L-BFGS resumed. */
class HandComputedStepsTest {

    @Test
    void adamsFirstStepIsTheLearningRateAlongTheSign() {
        // m̂ = g and v̂ = g² after one step, so θ moves by α·g/(|g| + ε).
        try (Variable p = TestSupport.param(1, 1, 1); Adam opt = new Adam(List.of(p), 0.1)) {
            TestSupport.setGrad(p, new double[] {2, -0.5, 0});
            opt.step();
            assertArrayEquals(new double[] {1 - 0.1 * 2 / (2 + 1e-8), 1 + 0.1 * 0.5 / (0.5 + 1e-8), 1},
                    p.toDoubleArray(), 1e-15);
            p.zeroGrad();
        }
    }

    @Test
    void momentumSumsPastGradientsAsTheTextSays() {
        // Seed 004 eq. 2.7 with a constant gradient g: steps α·g·(1 + μ + μ² + ...).
        try (Variable p = TestSupport.param(0); SGD opt = new SGD(List.of(p), 0.1, 0.5)) {
            double[] expected = {-0.1, -0.1 - 0.15, -0.1 - 0.15 - 0.175};
            for (double e : expected) {
                TestSupport.setGrad(p, new double[] {1});
                opt.step();
                assertEquals(e, p.item(), 1e-15);
            }
            p.zeroGrad();
        }
    }

    @Test
    void adagradSlowsAsSquaredGradientsAccumulate() {
        // Seed 002: r = 4, then 8; steps α·2/(δ + 2) and α·2/(δ + √8).
        try (Variable p = TestSupport.param(0); Adagrad opt = new Adagrad(List.of(p), 1.0)) {
            TestSupport.setGrad(p, new double[] {2});
            opt.step();
            assertEquals(-2 / (2 + 1e-10), p.item(), 1e-15);
            TestSupport.setGrad(p, new double[] {2});
            opt.step();
            assertEquals(-2 / (2 + 1e-10) - 2 / (Math.sqrt(8) + 1e-10), p.item(), 1e-15);
            p.zeroGrad();
        }
    }

    @Test
    void swatsFollowsAlgorithmOneOfThePaper() {
        double lr = 0.05;
        double b1 = 0.9;
        double b2 = 0.999;
        double eps = 1e-8;
        double tol = 1e-2;
        Random r = new Random(3);
        double[] x = {1, -2, 0.5};
        double[] m = new double[3];
        double[] v = new double[3];
        double[] buf = new double[3];
        double lambda = 0;
        double sgdLr = 0;
        boolean sgd = false;
        try (Variable p = TestSupport.param(x.clone()); Swats opt = new Swats(List.of(p), lr)) {
            opt.set("switchTolerance", tol);
            for (int t = 1; t <= 300; t++) {
                double[] g = {x[0] + 0.01 * r.nextGaussian(), 3 * x[1], 0.5 * x[2]};
                TestSupport.setGrad(p, g);
                opt.step();
                if (sgd) {
                    for (int i = 0; i < 3; i++) {
                        buf[i] = b1 * buf[i] + g[i];
                        x[i] -= (1 - b1) * sgdLr * buf[i];
                    }
                } else {
                    double[] step = new double[3];
                    double pg = 0;
                    double pp = 0;
                    for (int i = 0; i < 3; i++) {
                        m[i] = b1 * m[i] + (1 - b1) * g[i];
                        v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i];
                        step[i] = -lr * Math.sqrt(1 - Math.pow(b2, t)) / (1 - Math.pow(b1, t)) * m[i]
                                / (Math.sqrt(v[i]) + eps);
                        x[i] += step[i];
                        pg += step[i] * g[i];
                        pp += step[i] * step[i];
                    }
                    if (pg != 0) {
                        double gamma = pp / -pg;
                        lambda = b2 * lambda + (1 - b2) * gamma;
                        if (t > 1 && Math.abs(lambda / (1 - Math.pow(b2, t)) - gamma) < tol) {
                            sgd = true;
                            sgdLr = lambda / (1 - Math.pow(b2, t));
                        }
                    }
                }
                TestSupport.assertClose(x, p.toDoubleArray(), 1e-10, "step " + t);
                assertEquals(sgd, opt.switchedToSgd(p), "switched at step " + t);
            }
            assertTrue(sgd, "the run switches to SGD");
            p.zeroGrad();
        }
    }

    @Test
    void resumedLbfgsContinuesExactly() throws IOException {
        try (Variable p = TestSupport.param(-1.5, 2); Variable q = TestSupport.param(0, 0);
             LBFGS full = new LBFGS(List.of(p)); LBFGS resumed = new LBFGS(List.of(q))) {
            full.set("strongWolfe", true).set("maxIter", 5.0);
            resumed.set("strongWolfe", true).set("maxIter", 5.0);
            full.step(closure(full, p));
            full.step(closure(full, p));
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            full.saveState().write(bytes);
            q.data().copyFrom(p.data());
            full.step(closure(full, p));
            full.step(closure(full, p));
            resumed.loadState(OptimizerState.read(new ByteArrayInputStream(bytes.toByteArray())));
            resumed.step(closure(resumed, q));
            resumed.step(closure(resumed, q));
            assertArrayEquals(p.toDoubleArray(), q.toDoubleArray(), 0);
            assertEquals(full.iterations(), resumed.iterations());
            p.zeroGrad();
            q.zeroGrad();
        }
    }

    private static LossClosure closure(Optimizer opt, Variable p) {
        return () -> {
            opt.zeroGrad();
            try (Scope s = Scope.open()) {
                Variable l = ConvergenceTest.rosenbrock(p);
                double v = l.item();
                l.backward();
                return v;
            }
        };
    }
}
