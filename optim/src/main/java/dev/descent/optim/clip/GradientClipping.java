package dev.descent.optim.clip;

import dev.descent.autograd.NoGrad;
import dev.descent.autograd.Variable;
import dev.descent.core.Check;
import dev.descent.core.Scope;
import dev.descent.core.Tensor;
import java.util.List;

/**
 * Gradient clipping (seed 001, "cliffs": a step along a huge gradient throws the parameters
 * far away; clipping keeps the direction and bounds the length). Each method returns the
 * global gradient norm before clipping, so a trainer can plot it over time (seed 001: "plot
 * the norm of the gradient over time"). Parameters without a gradient are skipped.
 */
public final class GradientClipping {
    private GradientClipping() {
    }

    /** ‖(g₁, …, g_n)‖_p over every parameter's gradient taken together; p may be infinite. */
    public static double globalNorm(List<Variable> params, double p) {
        Check.argument(p > 0, "globalNorm", "expected a norm order p > 0, got %s", p);
        double total = 0;
        try (Scope ignored = Scope.open(); NoGrad ng = NoGrad.open()) {
            for (Variable v : params) {
                if (v.grad() == null) {
                    continue;
                }
                Tensor g = v.grad().data();
                double n = g.norm(p).item();
                if (Double.isInfinite(p)) {
                    total = Math.max(total, n);
                } else if (p == 2) {
                    total += n * n;
                } else {
                    total += Math.pow(n, p);
                }
            }
        }
        if (Double.isInfinite(p)) {
            return total;
        }
        return p == 2 ? Math.sqrt(total) : Math.pow(total, 1 / p);
    }

    /** {@link #clipByGlobalNorm(List, double, double, boolean)} with the 2-norm, not failing on NaN. */
    public static double clipByGlobalNorm(List<Variable> params, double maxNorm) {
        return clipByGlobalNorm(params, maxNorm, 2, false);
    }

    /**
     * Scales every gradient by {@code min(1, maxNorm / (norm + 1e-6))} (PyTorch's
     * {@code clip_grad_norm_}), so that their global norm is at most {@code maxNorm}.
     *
     * @param errorIfNonfinite throw when the norm is NaN or infinite (instead of scaling by NaN)
     * @return the global norm before clipping
     * @throws ArithmeticException when the norm is not finite and {@code errorIfNonfinite}
     */
    public static double clipByGlobalNorm(List<Variable> params, double maxNorm, double p, boolean errorIfNonfinite) {
        Check.argument(maxNorm >= 0, "clipByGlobalNorm", "expected maxNorm >= 0, got %s", maxNorm);
        double norm = globalNorm(params, p);
        if (errorIfNonfinite && !Double.isFinite(norm)) {
            throw new ArithmeticException("clipByGlobalNorm: the total " + p + "-norm of the gradients of "
                    + params.size() + " parameters is " + norm + "; set errorIfNonfinite to false to clip anyway");
        }
        double coefficient = maxNorm / (norm + 1e-6);
        if (coefficient < 1 || Double.isNaN(coefficient)) {
            for (Variable v : params) {
                if (v.grad() != null) {
                    v.grad().data().mulInPlace(coefficient);
                }
            }
        }
        return norm;
    }

    /**
     * Limits every gradient element to [−clipValue, clipValue] (PyTorch's
     * {@code clip_grad_value_}). Returns the global 2-norm before clipping.
     */
    public static double clipByValue(List<Variable> params, double clipValue) {
        Check.argument(clipValue >= 0, "clipByValue", "expected clipValue >= 0, got %s", clipValue);
        double norm = globalNorm(params, 2);
        for (Variable v : params) {
            if (v.grad() != null) {
                v.grad().data().clampInPlace(-clipValue, clipValue);
            }
        }
        return norm;
    }
}
