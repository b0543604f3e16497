package dev.descent.autograd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.descent.core.DType;
import dev.descent.core.Generator;
import dev.descent.core.Scope;
import dev.descent.core.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Second derivatives: Hessians of functions with known closed forms, and Hessian-vector products. */
class HigherOrderTest {
    private static final double TOL = 1e-10;

    @Test
    void hessianOfAQuadraticFormIsTheMatrixPlusItsTranspose() {
        try (Scope scope = Scope.open()) {
            Generator gen = new Generator(7);
            Tensor a = Tensor.randn(gen, DType.FLOAT64, 4, 4);
            Tensor x = Tensor.randn(gen, DType.FLOAT64, 4);
            Tensor h = Autograd.hessian(v -> v.matmul(Variable.of(a.copy()).matmul(v)), x);
            assertArrayEquals(a.add(a.t()).toDoubleArray(), h.toDoubleArray(), TOL);
            assertArrayEquals(new int[] {4, 4}, h.shape().dims());
        }
    }

    @Test
    void gradientOfAQuadraticFormIsTheSymmetrisedMatrixTimesX() {
        try (Scope scope = Scope.open()) {
            Generator gen = new Generator(8);
            Tensor a = Tensor.randn(gen, DType.FLOAT64, 3, 3);
            Tensor x = Tensor.randn(gen, DType.FLOAT64, 3);
            Tensor g = Autograd.grad(v -> v.matmul(Variable.of(a.copy()).matmul(v)), x);
            assertArrayEquals(a.add(a.t()).matmul(x).toDoubleArray(), g.toDoubleArray(), TOL);
        }
    }

    @ParameterizedTest(name = "at ({0}, {1})")
    @CsvSource({"1, 1", "-1.2, 1", "0.3, -0.5", "2, 4.5"})
    void hessianOfRosenbrockMatchesItsClosedForm(double x, double y) {
        try (Scope scope = Scope.open()) {
            Tensor h = Autograd.hessian(HigherOrderTest::rosenbrock, Tensor.of(new double[] {x, y}));
            double[] expected = {2 - 400 * y + 1200 * x * x, -400 * x, -400 * x, 200};
            assertArrayEquals(expected, h.toDoubleArray(), TOL * 1000);
        }
    }

    @Test
    void hessianOfTheChainedRosenbrockIsTridiagonal() {
        try (Scope scope = Scope.open()) {
            double[] p = {0.5, -1.0, 1.5, 0.2, -0.7};
            int n = p.length;
            Tensor h = Autograd.hessian(HigherOrderTest::chainedRosenbrock, Tensor.of(p));
            double[] expected = new double[n * n];
            for (int i = 0; i < n; i++) {
                double d = 0;
                if (i < n - 1) {
                    d += 1200 * p[i] * p[i] - 400 * p[i + 1] + 2;
                    expected[i * n + i + 1] = -400 * p[i];
                    expected[(i + 1) * n + i] = -400 * p[i];
                }
                if (i > 0) {
                    d += 200;
                }
                expected[i * n + i] = d;
            }
            assertArrayEquals(expected, h.toDoubleArray(), 1e-9);
        }
    }

    @Test
    void hessianVectorProductEqualsHessianTimesVector() {
        try (Scope scope = Scope.open()) {
            Generator gen = new Generator(9);
            Tensor x = Tensor.randn(gen, DType.FLOAT64, 5);
            Tensor v = Tensor.randn(gen, DType.FLOAT64, 5);
            Tensor h = Autograd.hessian(HigherOrderTest::chainedRosenbrock, x);
            Tensor hv = Autograd.hvp(HigherOrderTest::chainedRosenbrock, x, v);
            assertArrayEquals(h.matmul(v).toDoubleArray(), hv.toDoubleArray(), 1e-9);

            Tensor h2 = Autograd.hessian(HigherOrderTest::smooth, x);
            Tensor hv2 = Autograd.hvp(HigherOrderTest::smooth, x, v);
            assertArrayEquals(h2.matmul(v).toDoubleArray(), hv2.toDoubleArray(), 1e-12);
        }
    }

    @Test
    void secondDerivativeBySeparateBackwardPassesOfACreatedGraph() {
        Variable x = Variable.parameter(Tensor.of(new double[] {0.5, -2, 3}));
        Variable y = x.pow(3).sum();
        Variable g = Autograd.grad(List.of(y), List.of(x), null, false, true).get(0);
        assertArrayEquals(new double[] {0.75, 12, 27}, g.toDoubleArray(), TOL);
        g.sum().backward();
        assertArrayEquals(new double[] {3, -12, 18}, x.grad().toDoubleArray(), TOL);
    }

    @Test
    void backwardWithCreateGraphLeavesADifferentiableGrad() {
        try (Scope scope = Scope.open()) {
            Variable x = Variable.parameter(Tensor.of(new double[] {1, 2}));
            x.exp().sum().backward(null, false, true);
            Variable firstGrad = x.grad();
            assertArrayEquals(new double[] {Math.exp(1), Math.exp(2)}, firstGrad.toDoubleArray(), TOL);
            List<Variable> second = Autograd.grad(List.of(firstGrad.sum()), List.of(x), null, false, false);
            assertArrayEquals(new double[] {Math.exp(1), Math.exp(2)}, second.get(0).toDoubleArray(), TOL);
        }
    }

    @Test
    void jacobianOfALinearMapIsItsMatrix() {
        try (Scope scope = Scope.open()) {
            Generator gen = new Generator(10);
            Tensor a = Tensor.randn(gen, DType.FLOAT64, 2, 3);
            Tensor x = Tensor.randn(gen, DType.FLOAT64, 3);
            Tensor j = Autograd.jacobian(v -> Variable.of(a.copy()).matmul(v), x);
            assertArrayEquals(new int[] {2, 3}, j.shape().dims());
            assertArrayEquals(a.toDoubleArray(), j.toDoubleArray(), TOL);
        }
    }

    @Test
    void jacobianOfAnElementwiseFunctionIsDiagonal() {
        try (Scope scope = Scope.open()) {
            double[] p = {-1, 0.5, 2};
            Tensor j = Autograd.jacobian(Variable::sigmoid, Tensor.of(p));
            double[] expected = new double[9];
            for (int i = 0; i < 3; i++) {
                double s = 1 / (1 + Math.exp(-p[i]));
                expected[i * 3 + i] = s * (1 - s);
            }
            assertArrayEquals(expected, j.toDoubleArray(), TOL);
        }
    }

    @Test
    void powerIterationWithHvpFindsTheLargestHessianEigenvalue() {
        // Seed 004: gradient descent converges near a minimum iff eta < 2 / lambda_1.
        try (Scope scope = Scope.open()) {
            double[] diag = {1, 3, 7};
            double c = Math.cos(0.4);
            double s = Math.sin(0.4);
            Tensor rotation = Tensor.of(new double[] {c, -s, 0, s, c, 0, 0, 0, 1}, 3, 3);
            Tensor hessian = rotation.matmul(Tensor.of(diag).reshape(3, 1).mul(rotation.t()));
            Tensor x = Tensor.of(new double[] {0.3, -0.2, 0.9});
            Tensor v = Tensor.of(new double[] {1, 1, 1});
            double lambda = 0;
            for (int k = 0; k < 200; k++) {
                Tensor hv = Autograd.hvp(w -> w.matmul(Variable.of(hessian.copy()).matmul(w)).mul(0.5), x, v);
                lambda = hv.norm(2).item();
                v = hv.div(lambda);
            }
            assertEquals(7, lambda, 1e-9);
        }
    }

    /** (1 - x)² + 100 (y - x²)². */
    static Variable rosenbrock(Variable p) {
        Variable x = p.select(0, 0);
        Variable y = p.select(0, 1);
        return x.rsub(1).square().add(y.sub(x.square()).square().mul(100));
    }

    /** Sum over i of 100 (x[i+1] - x[i]²)² + (1 - x[i])². */
    static Variable chainedRosenbrock(Variable p) {
        int n = p.size(0);
        Variable head = p.narrow(0, 0, n - 1);
        Variable tail = p.narrow(0, 1, n - 1);
        return tail.sub(head.square()).square().mul(100).add(head.rsub(1).square()).sum();
    }

    /** A smooth function mixing several ops, whose Hessian has no simple closed form. */
    static Variable smooth(Variable p) {
        return p.tanh().mul(p.sigmoid()).sum().add(p.logsumexp(0)).add(p.softmax(0).square().sum());
    }
}
