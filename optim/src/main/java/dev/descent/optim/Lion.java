package dev.descent.optim;

import dev.descent.autograd.Variable;
import dev.descent.core.Tensor;
import java.util.List;

/**
 * Lion, "evolved sign momentum" (Chen et al. 2023): a sign-descent step along an interpolation
 * of the momentum and the gradient, with decoupled weight decay. With g the gradient (negated
 * when maximize):
 *
 * <pre>
 * θ ← θ·(1 − α·λ)
 * θ ← θ − α·sign(β1·m + (1 − β1)·g)
 * m ← β2·m + (1 − β2)·g
 * </pre>
 *
 * Defaults (the paper and optax; PyTorch has no Lion): lr 1e-4, beta1 0.9, beta2 0.99,
 * weightDecay 0.
 */
public final class Lion extends Optimizer {

    public Lion(List<Variable> params) {
        super("Lion", params, hyper("lr", 1e-4, "beta1", 0.9, "beta2", 0.99, "weightDecay", 0.0));
    }

    @Override
    protected void validate(ParamGroup g) {
        super.validate(g);
        range(g, "beta1", 0, 1, true);
        range(g, "beta2", 0, 1, true);
    }

    @Override
    protected void updateParameter(ParamGroup g, Tensor param, Tensor grad, ParamState s) {
        s.nextStep();
        double b1 = g.get("beta1");
        double b2 = g.get("beta2");
        double lr = g.lr();
        Tensor d = effectiveGradient(param, grad, g.flag("maximize"), 0);
        Tensor m = s.tensor("expAvg", () -> zerosLike(param));
        if (g.get("weightDecay") != 0) {
            param.mulInPlace(1 - lr * g.get("weightDecay"));
        }
        Tensor c = m.mul(b1).addScaledInPlace(d, 1 - b1);
        param.addScaledInPlace(c.sign(), -lr);
        m.mulInPlace(b2).addScaledInPlace(d, 1 - b2);
    }
}
