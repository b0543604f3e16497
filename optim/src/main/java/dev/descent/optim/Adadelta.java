package dev.descent.optim;

import dev.descent.autograd.Variable;
import dev.descent.core.Check;
import dev.descent.core.Tensor;
import dev.descent.core.spi.ElementwiseProgram;
import java.util.List;

/**
 * AdaDelta (Zeiler 2012; seed 003 notes): RMSProp whose step size is itself a running RMS of
 * past updates, so the units match and no global rate is strictly needed. With g the gradient
 * (negated when maximize, plus λ·θ):
 *
 * <pre>
 * v ← ρ·v + (1 − ρ)·g²
 * Δ = √(u + ε) / √(v + ε) · g
 * u ← ρ·u + (1 − ρ)·Δ²
 * θ ← θ − α·Δ
 * </pre>
 *
 * Defaults (PyTorch): lr 1.0, rho 0.9, eps 1e-6, weightDecay 0.
 */
public final class Adadelta extends Optimizer {

    public Adadelta(List<Variable> params) {
        super("Adadelta", params, hyper("lr", 1.0, "rho", 0.9, "eps", 1e-6, "weightDecay", 0.0, "fused", true));
    }

    @Override
    protected void validate(ParamGroup g) {
        super.validate(g);
        range(g, "rho", 0, 1, true);
        Check.argument(g.get("eps") >= 0, name(), "expected eps >= 0, got %s", g.get("eps"));
    }

    @Override
    protected void updateParameter(ParamGroup g, Tensor param, Tensor grad, ParamState s) {
        s.nextStep();
        double rho = g.get("rho");
        double eps = g.get("eps");
        Tensor d = effectiveGradient(param, grad, g.flag("maximize"), g.get("weightDecay"));
        Tensor v = s.tensor("squareAvg", () -> zerosLike(param));
        Tensor u = s.tensor("accDelta", () -> zerosLike(param));
        v.mulInPlace(rho).addScaledInPlace(d.square(), 1 - rho);
        Tensor delta = u.add(eps).sqrtInPlace().divInPlace(v.add(eps).sqrtInPlace()).mulInPlace(d);
        u.mulInPlace(rho).addScaledInPlace(delta.square(), 1 - rho);
        param.addScaledInPlace(delta, -g.lr());
    }

    /** The same update as one program: tensors p, g, v, u. */
    @Override
    protected FusedStep fusedStep(ParamGroup g, Tensor param, Tensor grad, ParamState s) {
        s.nextStep();
        double rho = g.get("rho");
        Tensor v = s.tensor("squareAvg", () -> zerosLike(param));
        Tensor u = s.tensor("accDelta", () -> zerosLike(param));
        ElementwiseProgram.Builder b = ElementwiseProgram.builder(4, 6);
        int d = effectiveGradient(b, 0, 1, b.scalar(0), b.scalar(1));
        int rhoR = b.scalar(2);
        int oneMinusRho = b.scalar(3);
        int eps = b.scalar(4);
        int v2 = b.addScaled(b.mul(rhoR, b.tensor(2)), oneMinusRho, b.square(d));
        int delta = b.mul(b.div(b.sqrt(b.add(b.tensor(3), eps)), b.sqrt(b.add(v2, eps))), d);
        int u2 = b.addScaled(b.mul(rhoR, b.tensor(3)), oneMinusRho, b.square(delta));
        int p2 = b.addScaled(b.tensor(0), b.scalar(5), delta);
        return new FusedStep(b.store(0, p2).store(2, v2).store(3, u2).build(), List.of(param, grad, v, u),
                new double[] {sign(g), g.get("weightDecay"), rho, 1 - rho, g.get("eps"), -g.lr()});
    }
}
