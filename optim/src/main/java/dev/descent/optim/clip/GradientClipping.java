package dev.descent.optim.clip;

import dev.descent.autograd.NoGrad;
import dev.descent.autograd.Variable;
import dev.descent.core.Backends;
import dev.descent.core.Check;
import dev.descent.core.DType;
import dev.descent.core.Scope;
import dev.descent.core.Tensor;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Gradient clipping (seed 001, "cliffs": a step along a huge gradient throws the parameters
 * far away; clipping keeps the direction and bounds the length). Each method returns the
 * global gradient norm before clipping, so a trainer can plot it over time (seed 001: "plot
 * the norm of the gradient over time"). Parameters without a gradient are skipped.
 *
 * <p>The norm and the clipping are computed on the gradients' device: {@link #norm} gives the
 * global norm as a device scalar and {@link #clipToNorm} scales by it there, so a training step
 * can clip without reading anything and read the norm with its loss, in one read. The methods
 * that return a {@code double} read it once.
 */
public final class GradientClipping {
    /** PyTorch's {@code clip_grad_norm_}: the coefficient is {@code maxNorm / (norm + 1e-6)}. */
    private static final double EPS = 1e-6;

    private GradientClipping() {
    }

    /**
     * {@code ‖(g₁, …, g_n)‖_p} over every parameter's gradient taken together, p possibly
     * infinite, as a one-element float64 tensor on the gradients' device (in the caller's scope);
     * nothing is read to the host. Each gradient is reduced once ({@code Σ|g|^p}, or
     * {@code max|g|}); the partial results are combined in float64, in the parameters' order.
     */
    public static Tensor norm(List<Variable> params, double p) {
        Check.argument(p > 0, "globalNorm", "expected a norm order p > 0, got %s", p);
        Tensor total = null;
        try (NoGrad ng = NoGrad.open()) {
            for (Variable v : params) {
                if (v.grad() == null) {
                    continue;
                }
                Tensor g = v.grad().data();
                Tensor part;
                try (Scope s = Scope.open()) {
                    Tensor folded = Double.isInfinite(p) ? g.abs().max() : p == 2 ? g.square().sum()
                            : g.abs().pow(p).sum();
                    part = s.keep(folded.to(DType.FLOAT64));
                }
                if (total == null) {
                    total = part;
                } else {
                    try (part) {
                        if (Double.isInfinite(p)) {
                            Check.sameDevice("globalNorm", total, part);
                            try (Tensor larger = total.maximum(part)) {
                                total.copyFrom(larger);
                            }
                        } else {
                            total.addInPlace(part);
                        }
                    }
                }
            }
            if (total == null) {
                return Tensor.zeros(params.isEmpty() ? Backends.defaultDevice() : params.get(0).device(),
                        DType.FLOAT64);
            }
            if (Double.isInfinite(p)) {
                return total;
            }
            try (Tensor sum = total) {
                return p == 2 ? sum.sqrt() : sum.pow(1 / p);
            }
        }
    }

    /** {@link #norm}, read to the host (one read). */
    public static double globalNorm(List<Variable> params, double p) {
        try (Tensor n = norm(params, p)) {
            return n.item();
        }
    }

    /**
     * Scales every gradient by {@code min(1, maxNorm / (norm + 1e-6))} on the device (PyTorch's
     * {@code clip_grad_norm_}), reading nothing: {@code norm} is their global norm from
     * {@link #norm}. A NaN norm makes every gradient NaN, as in PyTorch; a trainer that checks
     * the norm before stepping never applies them.
     */
    public static void clipToNorm(List<Variable> params, Tensor norm, double maxNorm) {
        Check.argument(maxNorm >= 0, "clipByGlobalNorm", "expected maxNorm >= 0, got %s", maxNorm);
        Check.argument(norm.numel() == 1, "clipByGlobalNorm", "expected the norm as one value, got shape %s",
                norm.shape());
        try (Scope ignored = Scope.open(); NoGrad ng = NoGrad.open()) {
            Tensor denominator = norm.to(DType.FLOAT64).add(EPS);
            Tensor coefficient = Tensor.full(norm.device(), DType.FLOAT64, maxNorm).div(denominator).minimum(1.0);
            Map<DType, Tensor> byDType = new EnumMap<>(DType.class);
            for (Variable v : params) {
                if (v.grad() != null) {
                    Tensor g = v.grad().data();
                    g.mulInPlace(byDType.computeIfAbsent(g.dtype(), coefficient::to));
                }
            }
        }
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
     * @return the global norm before clipping (one read from the device)
     * @throws ArithmeticException when the norm is not finite and {@code errorIfNonfinite}
     */
    public static double clipByGlobalNorm(List<Variable> params, double maxNorm, double p, boolean errorIfNonfinite) {
        Check.argument(maxNorm >= 0, "clipByGlobalNorm", "expected maxNorm >= 0, got %s", maxNorm);
        try (Tensor n = norm(params, p)) {
            double norm = n.item();
            if (errorIfNonfinite && !Double.isFinite(norm)) {
                throw new ArithmeticException("clipByGlobalNorm: the total " + p + "-norm of the gradients of "
                        + params.size() + " parameters is " + norm + "; set errorIfNonfinite to false to clip anyway");
            }
            clipToNorm(params, n, maxNorm);
            return norm;
        }
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
