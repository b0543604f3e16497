package dev.descent.optim;

import dev.descent.autograd.Variable;
import dev.descent.core.Tensor;
import dev.descent.core.spi.ElementwiseProgram;
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
        super("Lion", params, hyper("lr", 1e-4, "beta1", 0.9, "beta2", 0.99, "weightDecay", 0.0, "fused", true));
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

    /** The same update as one program: tensors p, g, m. */
    @Override
    protected FusedStep fusedStep(ParamGroup g, Tensor param, Tensor grad, ParamState s) {
        s.nextStep();
        double b1 = g.get("beta1");
        double b2 = g.get("beta2");
        double lr = g.lr();
        Tensor m = s.tensor("expAvg", () -> zerosLike(param));
        ElementwiseProgram.Builder b = ElementwiseProgram.builder(3, 7);
        int d = b.mul(b.scalar(0), b.tensor(1));
        int decayed = b.mul(b.scalar(1), b.tensor(0));
        int c = b.addScaled(b.mul(b.scalar(2), b.tensor(2)), b.scalar(3), d);
        int p2 = b.addScaled(decayed, b.scalar(6), b.sign(c));
        int m2 = b.addScaled(b.mul(b.scalar(4), b.tensor(2)), b.scalar(5), d);
        return new FusedStep(b.store(0, p2).store(2, m2).build(), List.of(param, grad, m),
                new double[] {sign(g), 1 - lr * g.get("weightDecay"), b1, 1 - b1, b2, 1 - b2, -lr});
    }
}
