package dev.descent.nn.loss;

import dev.descent.autograd.Variable;
import dev.descent.core.Check;

/**
 * Huber loss (Huber 1964), quadratic near 0 and linear beyond δ, as PyTorch's {@code HuberLoss}:
 * <pre>
 * ℓ_i = ½ d_i²            if |d_i| ≤ δ
 *       δ (|d_i| − ½ δ)    otherwise,          d = x − y
 * </pre>
 * computed as {@code ½ q² + δ (|d| − q)} with {@code q = min(|d|, δ)}. δ = 1 by default.
 */
public final class HuberLoss implements Loss {
    private final double delta;
    private final Reduction reduction;

    public HuberLoss() {
        this(1.0, Reduction.MEAN);
    }

    public HuberLoss(double delta, Reduction reduction) {
        Check.argument(delta > 0 && Double.isFinite(delta), "HuberLoss", "expected a finite delta > 0, got %s", delta);
        this.delta = delta;
        this.reduction = reduction;
    }

    @Override
    public Variable apply(Variable input, Variable target) {
        ElementwiseLosses.checkPair("HuberLoss", input, target);
        Variable abs = input.sub(target).abs();
        Variable q = abs.minimum(delta);
        Variable losses = q.square().mul(0.5).add(abs.sub(q).mul(delta));
        return reduction.reduce(losses);
    }
}
