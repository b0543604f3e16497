package dev.descent.nn.activation;

import static dev.descent.nn.Checks.assertAllClose;
import static dev.descent.nn.Checks.gradcheckModule;

import dev.descent.autograd.Variable;
import dev.descent.core.DType;
import dev.descent.core.Scope;
import dev.descent.core.Tensor;
import dev.descent.nn.Module;
import java.util.function.DoubleUnaryOperator;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

class ActivationsTest {
    /** Away from the kinks of ReLU and leaky ReLU at 0 by far more than GradCheck's step. */
    private static final double[] X = {-3, -1.5, -0.2, 0.3, 1, 2.5};

    private static double erf(double x) {
        // Abramowitz–Stegun 7.1.26 is too coarse; integrate exp(-t²) by Simpson's rule instead.
        int steps = 2000;
        double h = x / steps;
        double s = 1 + Math.exp(-x * x);
        for (int i = 1; i < steps; i++) {
            double t = i * h;
            s += (i % 2 == 1 ? 4 : 2) * Math.exp(-t * t);
        }
        return 2 / Math.sqrt(Math.PI) * s * h / 3;
    }

    private static void check(Module module, Function<Variable, Variable> function, DoubleUnaryOperator reference) {
        double[] expected = new double[X.length];
        for (int i = 0; i < X.length; i++) {
            expected[i] = reference.applyAsDouble(X[i]);
        }
        try (Scope scope = Scope.open()) {
            Variable x = Variable.of(Tensor.of(X, 2, 3));
            assertAllClose(expected, module.forward(x).toDoubleArray(), 1e-12);
            assertAllClose(expected, function.apply(x).toDoubleArray(), 1e-12);
            Tensor input = Tensor.of(X, 2, 3);
            gradcheckModule(module.train(), input);
            gradcheckModule(module.eval(), input);
        }
    }

    @Test
    void sigmoid() {
        check(new Sigmoid(), Activations::sigmoid, x -> 1 / (1 + Math.exp(-x)));
    }

    @Test
    void tanh() {
        check(new Tanh(), Activations::tanh, Math::tanh);
    }

    @Test
    void relu() {
        check(new ReLU(), Activations::relu, x -> Math.max(x, 0));
    }

    @Test
    void leakyReluWithPyTorchsDefaultSlopeAndAnother() {
        check(new LeakyReLU(), x -> Activations.leakyRelu(x, 0.01), x -> x > 0 ? x : 0.01 * x);
        check(new LeakyReLU(0.2), x -> Activations.leakyRelu(x, 0.2), x -> x > 0 ? x : 0.2 * x);
    }

    @Test
    void geluIsXTimesTheNormalCdf() {
        check(new GELU(), Activations::gelu, x -> x / 2 * (1 + erf(x / Math.sqrt(2))));
    }

    @Test
    void softplus() {
        check(new Softplus(), Activations::softplus, x -> Math.log(1 + Math.exp(x)));
    }

    /** Rows of X as [2, 3]: softmax along the last axis, each row by hand. */
    @Test
    void softmaxAndLogSoftmaxAlongTheLastAxis() {
        double[] soft = new double[X.length];
        double[] logSoft = new double[X.length];
        for (int r = 0; r < 2; r++) {
            double z = 0;
            for (int j = 0; j < 3; j++) {
                z += Math.exp(X[r * 3 + j]);
            }
            for (int j = 0; j < 3; j++) {
                soft[r * 3 + j] = Math.exp(X[r * 3 + j]) / z;
                logSoft[r * 3 + j] = X[r * 3 + j] - Math.log(z);
            }
        }
        int[] i = {0};
        check(new Softmax(-1), x -> Activations.softmax(x, 1), x -> soft[i[0]++ % soft.length]);
        int[] k = {0};
        check(new LogSoftmax(1), x -> Activations.logSoftmax(x, -1), x -> logSoft[k[0]++ % logSoft.length]);
    }
}
