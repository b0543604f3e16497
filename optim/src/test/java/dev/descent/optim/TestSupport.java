package dev.descent.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.descent.autograd.Variable;
import dev.descent.core.DType;
import dev.descent.core.Tensor;
import java.util.Random;

/** Helpers for the optimiser tests: gradients of chosen values, random arrays, comparisons. */
final class TestSupport {
    private TestSupport() {
    }

    /** A float64 parameter holding {@code values}. */
    static Variable param(double... values) {
        return Variable.parameter(Tensor.of(values));
    }

    /** Sets {@code p.grad()} to exactly {@code g}: the gradient of sum(p ⊙ G) is G. */
    static void setGrad(Variable p, double[] g) {
        p.zeroGrad();
        try (Tensor gt = Tensor.of(p.device(), p.dtype(), g, p.shape().dims())) {
            Variable c = Variable.of(gt.copy());
            Variable loss = p.mul(c).sum();
            loss.backward();
            loss.close();
            c.close();
        }
    }

    static double[] random(Random r, int n, double scale) {
        double[] a = new double[n];
        for (int i = 0; i < n; i++) {
            a[i] = scale * r.nextGaussian();
        }
        return a;
    }

    static void assertClose(double[] expected, double[] actual, double relTol, String what) {
        assertEquals(expected.length, actual.length, what + ": length");
        for (int i = 0; i < expected.length; i++) {
            double tol = relTol * Math.max(1, Math.abs(expected[i]));
            assertEquals(expected[i], actual[i], tol, what + " [" + i + "]");
        }
    }

    static DType f64() {
        return DType.FLOAT64;
    }
}
