package dev.descent.optim;

import dev.descent.autograd.Variable;
import dev.descent.core.Tensor;
import dev.descent.core.spi.ElementwiseProgram;
import java.util.List;

/**
 * Adamax (Kingma and Ba 2015, §7.1): Adam with the infinity norm in place of the second moment.
 * At step t, with g the gradient (negated when maximize, plus λ·θ):
 *
 * <pre>
 * m ← β1·m + (1 − β1)·g
 * u ← max(β2·u, |g| + ε)
 * θ ← θ − α / (1 − β1^t) · m / u
 * </pre>
 *
 * Defaults (PyTorch): lr 2e-3, beta1 0.9, beta2 0.999, eps 1e-8, weightDecay 0.
 */
public final class Adamax extends Optimizer {

    public Adamax(List<Variable> params) {
        super("Adamax", params, hyper("lr", 2e-3, "beta1", 0.9, "beta2", 0.999, "eps", 1e-8, "weightDecay", 0.0, "fused", true));
    }

    @Override
    protected void validate(ParamGroup g) {
        super.validate(g);
        range(g, "beta1", 0, 1, false);
        range(g, "beta2", 0, 1, false);
    }

    @Override
    protected void updateParameter(ParamGroup g, Tensor param, Tensor grad, ParamState s) {
        long t = s.nextStep();
        double b1 = g.get("beta1");
        Tensor d = effectiveGradient(param, grad, g.flag("maximize"), g.get("weightDecay"));
        Tensor m = s.tensor("expAvg", () -> zerosLike(param));
        Tensor u = s.tensor("expInf", () -> zerosLike(param));
        m.mulInPlace(b1).addScaledInPlace(d, 1 - b1);
        u.copyFrom(u.mul(g.get("beta2")).maximum(d.abs().addInPlace(g.get("eps"))));
        param.addScaledInPlace(m.div(u), -g.lr() / (1 - Math.pow(b1, t)));
    }

    /** The same update as one program: tensors p, g, m, u. */
    @Override
    protected FusedStep fusedStep(ParamGroup g, Tensor param, Tensor grad, ParamState s) {
        long t = s.nextStep();
        double b1 = g.get("beta1");
        Tensor m = s.tensor("expAvg", () -> zerosLike(param));
        Tensor u = s.tensor("expInf", () -> zerosLike(param));
        ElementwiseProgram.Builder b = ElementwiseProgram.builder(4, 7);
        int d = effectiveGradient(b, 0, 1, b.scalar(0), b.scalar(1));
        int m2 = b.addScaled(b.mul(b.scalar(2), b.tensor(2)), b.scalar(3), d);
        int u2 = b.max(b.mul(b.scalar(4), b.tensor(3)), b.add(b.abs(d), b.scalar(5)));
        int p2 = b.addScaled(b.tensor(0), b.scalar(6), b.div(m2, u2));
        return new FusedStep(b.store(0, p2).store(2, m2).store(3, u2).build(), List.of(param, grad, m, u),
                new double[] {sign(g), g.get("weightDecay"), b1, 1 - b1, g.get("beta2"), g.get("eps"),
                    -g.lr() / (1 - Math.pow(b1, t))});
    }
}
