package dev.descent.autograd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.descent.core.DType;
import dev.descent.core.Generator;
import dev.descent.core.Scope;
import dev.descent.core.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Seed 004 §2.A: for the two-layer network f(x) = softmax(W2 sigmoid(W1 x)) with the
 * cross-entropy loss L = -log f(x)_y, autograd's gradients equal the back-propagation
 * equations (2.15)-(2.18), here computed by hand with plain tensor ops.
 */
class TwoLayerBackpropTest {
    private static final int D = 4;
    private static final int M = 5;
    private static final int K = 3;
    private static final int LABEL = 2;
    private static final double TOL = 1e-13;

    @Test
    void gradientsEqualTheBackPropagationEquations() {
        try (Scope scope = Scope.open()) {
            Generator gen = new Generator(42);
            Tensor x = Tensor.randn(gen, DType.FLOAT64, D);
            Tensor w1 = Tensor.randn(gen, DType.FLOAT64, M, D);
            Tensor w2 = Tensor.randn(gen, DType.FLOAT64, K, M);

            // Autograd.
            Variable vw1 = Variable.parameter(w1.copy());
            Variable vw2 = Variable.parameter(w2.copy());
            Variable a1 = vw1.matmul(Variable.of(x.copy()));
            Variable z = a1.sigmoid();
            Variable a2 = vw2.matmul(z);
            Variable loss = a2.logSoftmax(0).select(0, LABEL).neg();
            List<Variable> deltas = Autograd.grad(List.of(loss), List.of(a1, a2), null, true, false);
            loss.backward();

            // By hand: delta2 = softmax(a2) - e_y (the derivative of -log softmax), then
            // (2.15) dL/dW2 = delta2 z^T, (2.18) delta1 = A1 W2^T delta2 with A1 = diag(z (1 - z)),
            // (2.17) dL/dW1 = delta1 x^T.
            Tensor ha1 = w1.matmul(x);
            Tensor hz = ha1.sigmoid();
            Tensor ha2 = w2.matmul(hz);
            Tensor oneHot = Tensor.of(new double[] {0, 0, 1});
            Tensor delta2 = ha2.softmax(0).sub(oneHot);
            Tensor dW2 = delta2.reshape(K, 1).matmul(hz.reshape(1, M));
            Tensor sigmoidPrime = hz.mul(hz.neg().add(1));
            Tensor delta1 = w2.t().matmul(delta2).mul(sigmoidPrime);
            Tensor dW1 = delta1.reshape(M, 1).matmul(x.reshape(1, D));

            assertArrayEquals(delta2.toDoubleArray(), deltas.get(1).toDoubleArray(), TOL, "delta2 = dL/da2");
            assertArrayEquals(delta1.toDoubleArray(), deltas.get(0).toDoubleArray(), TOL, "delta1, eq. 2.18");
            assertArrayEquals(dW2.toDoubleArray(), vw2.grad().toDoubleArray(), TOL, "dL/dW2, eq. 2.15");
            assertArrayEquals(dW1.toDoubleArray(), vw1.grad().toDoubleArray(), TOL, "dL/dW1, eq. 2.17");
            vw1.close();
            vw2.close();
        }
    }
}
