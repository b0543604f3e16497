package dev.descent.optim;

import dev.descent.autograd.Variable;
import java.util.List;
import java.util.Map;

/**
 * Adam with decoupled weight decay (Loshchilov and Hutter 2019; seed 003 notes): the weights
 * shrink by {@code 1 − α·λ} before the Adam step instead of λ·θ being added to the gradient,
 * so the decay is not rescaled by the adaptive denominator.
 *
 * <pre>
 * θ ← θ·(1 − α·λ)
 * θ ← θ − α·m̂ / (√v̂ + ε)         (m̂, v̂ as in {@link Adam})
 * </pre>
 *
 * Defaults (PyTorch's {@code AdamW}): lr 1e-3, beta1 0.9, beta2 0.999, eps 1e-8,
 * weightDecay 1e-2, amsgrad false.
 */
public final class AdamW extends Adam {

    public AdamW(List<Variable> params) {
        super("AdamW", params, Map.of("weightDecay", 1e-2, "decoupledWeightDecay", true));
    }

    public AdamW(List<Variable> params, double lr, double weightDecay) {
        this(params);
        set("lr", lr);
        set("weightDecay", weightDecay);
    }
}
