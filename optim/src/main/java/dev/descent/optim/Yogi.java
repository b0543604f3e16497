package dev.descent.optim;

import dev.descent.autograd.Variable;
import dev.descent.core.Tensor;
import dev.descent.core.spi.ElementwiseProgram;
import java.util.List;

/**
 * YOGI (Zaheer et al. 2018; seed 003 notes: an adaptive method with a convergence proof for
 * non-convex losses): Adam whose second moment moves additively, by at most (1 − β2)·g² per
 * step, so it cannot forget large past gradients at once. As optax's {@code yogi}, without bias
 * correction and with both moments starting at {@code initialAccumulatorValue}:
 *
 * <pre>
 * m ← β1·m + (1 − β1)·g
 * v ← v − (1 − β2)·sign(v − g²)·g²
 * θ ← θ − α·m / (√v + ε)
 * </pre>
 *
 * Defaults (optax and the paper; PyTorch has no YOGI): lr 1e-2, beta1 0.9, beta2 0.999,
 * eps 1e-3, initialAccumulatorValue 1e-6.
 */
public final class Yogi extends Optimizer {

    public Yogi(List<Variable> params) {
        super("Yogi", params, hyper("lr", 1e-2, "beta1", 0.9, "beta2", 0.999, "eps", 1e-3,
                "initialAccumulatorValue", 1e-6, "fused", true));
    }

    @Override
    protected void validate(ParamGroup g) {
        super.validate(g);
        range(g, "beta1", 0, 1, false);
        range(g, "beta2", 0, 1, false);
    }

    @Override
    protected void updateParameter(ParamGroup g, Tensor param, Tensor grad, ParamState s) {
        s.nextStep();
        double b1 = g.get("beta1");
        double b2 = g.get("beta2");
        double init = g.get("initialAccumulatorValue");
        Tensor d = effectiveGradient(param, grad, g.flag("maximize"), 0);
        Tensor m = s.tensor("expAvg", () -> fullLike(param, init));
        Tensor v = s.tensor("expAvgSq", () -> fullLike(param, init));
        m.mulInPlace(b1).addScaledInPlace(d, 1 - b1);
        Tensor g2 = d.square();
        v.addScaledInPlace(v.sub(g2).sign().mulInPlace(g2), -(1 - b2));
        param.addScaledInPlace(m.div(v.sqrt().addInPlace(g.get("eps"))), -g.lr());
    }

    /** The same update as one program: tensors p, g, m, v. */
    @Override
    protected FusedStep fusedStep(ParamGroup g, Tensor param, Tensor grad, ParamState s) {
        s.nextStep();
        double b1 = g.get("beta1");
        double init = g.get("initialAccumulatorValue");
        Tensor m = s.tensor("expAvg", () -> fullLike(param, init));
        Tensor v = s.tensor("expAvgSq", () -> fullLike(param, init));
        ElementwiseProgram.Builder b = ElementwiseProgram.builder(4, 6);
        int d = b.mul(b.scalar(0), b.tensor(1));
        int m2 = b.addScaled(b.mul(b.scalar(1), b.tensor(2)), b.scalar(2), d);
        int g2 = b.square(d);
        int v2 = b.addScaled(b.tensor(3), b.scalar(3), b.mul(b.sign(b.sub(b.tensor(3), g2)), g2));
        int p2 = b.addScaled(b.tensor(0), b.scalar(5), b.div(m2, b.add(b.sqrt(v2), b.scalar(4))));
        return new FusedStep(b.store(0, p2).store(2, m2).store(3, v2).build(), List.of(param, grad, m, v),
                new double[] {sign(g), b1, 1 - b1, -(1 - g.get("beta2")), g.get("eps"), -g.lr()});
    }
}
