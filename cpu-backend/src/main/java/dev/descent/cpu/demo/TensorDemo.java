package dev.descent.cpu.demo;

import dev.descent.core.Backends;
import dev.descent.core.DType;
import dev.descent.core.Generator;
import dev.descent.core.Scope;
import dev.descent.core.Tensor;
import java.util.Locale;

/**
 * A tour of the tensor API on the CPU backend: gradient descent on L(x) = x² (seed 000,
 * Table 1-1), then a straight line fitted to noisy points by full-batch gradient descent with
 * the gradients written out by hand (seed 003, §6.1), every step in a {@link Scope} so memory
 * stays constant. Run it with {@code ./demo}.
 */
public final class TensorDemo {
    private TensorDemo() {
    }

    public static void main(String[] args) {
        System.out.println("Descent tensor demo on backend '" + Backends.defaultName() + "' (" + Backends.defaultDevice() + ")");
        quadratic();
        linearRegression();
    }

    /** x ← x − α·2x from x0 = 1 with α = 0.1: 0.8, 0.64, 0.512, ... */
    private static void quadratic() {
        System.out.println("\nGradient descent on L(x) = x^2, x0 = 1, alpha = 0.1 (seed 000, Table 1-1)");
        try (Tensor x = Tensor.scalar(1.0, DType.FLOAT64)) {
            for (int k = 1; k <= 500; k++) {
                try (Tensor grad = x.mul(2)) {
                    x.addScaledInPlace(grad, -0.1);
                }
                if (k <= 3 || k == 40 || k == 500) {
                    System.out.printf(Locale.ROOT, "  x_%-3d = %.6g%n", k, x.item());
                }
            }
        }
    }

    /** y ≈ φ0 + φ1·x by gradient descent on the mean squared error. */
    private static void linearRegression() {
        Generator gen = new Generator(2024);
        int n = 28;
        double phi0True = 0.4;
        double phi1True = 0.8;
        try (Tensor x = Tensor.uniform(gen, -1, 1, DType.FLOAT32, n, 1);
             Tensor noise = Tensor.normal(gen, 0, 0.05, DType.FLOAT32, n, 1);
             Tensor clean = x.mul(phi1True).add(phi0True);
             Tensor y = clean.add(noise);
             Tensor ones = Tensor.ones(DType.FLOAT32, n, 1);
             Tensor design = Tensor.concat(java.util.List.of(ones, x), 1);
             Tensor phi = Tensor.zeros(DType.FLOAT32, 2, 1)) {
            System.out.printf(Locale.ROOT, "%nLinear regression on %d noisy points of y = %.1f + %.1f x by gradient descent%n",
                    n, phi0True, phi1True);
            double alpha = 0.5;
            for (int step = 0; step <= 200; step++) {
                try (Scope scope = Scope.open()) {
                    Tensor residual = design.matmul(phi).sub(y);            // [n, 1]
                    double loss = residual.square().mean().item();
                    Tensor grad = design.t().matmul(residual).mul(2.0 / n); // dL/dphi, [2, 1]
                    phi.addScaledInPlace(grad, -alpha);
                    if (step % 40 == 0) {
                        float[] p = phi.toFloatArray();
                        System.out.printf(Locale.ROOT, "  step %3d  loss %.6f  phi0 %.4f  phi1 %.4f  (tensors freed: %d)%n",
                                step, loss, p[0], p[1], scope.size());
                    }
                }
            }
            System.out.println("\nfitted parameters:\n" + phi);
        }
    }
}
