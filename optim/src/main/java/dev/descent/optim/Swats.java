package dev.descent.optim;

import dev.descent.autograd.Variable;
import dev.descent.core.Tensor;
import java.util.List;

/**
 * SWATS, switching from Adam to SGD (Keskar and Socher 2017; seed 003 notes: Adam for rapid
 * initial progress, then SGD for the final solution). Each parameter tensor starts with Adam
 * and estimates, from the projection of the Adam step onto the gradient, the SGD learning rate
 * that would take the same step; when that estimate settles it switches to SGD with momentum
 * at that rate for good (Algorithm 1 of the paper, per tensor):
 *
 * <pre>
 * Adam phase, step t:
 *   m ← β1·m + (1 − β1)·g,  v ← β2·v + (1 − β2)·g²
 *   p = −α·√(1 − β2^t)/(1 − β1^t) · m / (√v + ε);   θ ← θ + p
 *   if pᵀg ≠ 0:  γ = pᵀp / (−pᵀg);   λ ← β2·λ + (1 − β2)·γ
 *     switch when t > 1 and |λ/(1 − β2^t) − γ| < switchTolerance, with Λ = λ/(1 − β2^t)
 * SGD phase:
 *   b ← β1·b + g;   θ ← θ − (1 − β1)·Λ·b
 * </pre>
 *
 * {@link #switchedToSgd} and {@link #sgdLearningRate} report the switch. Defaults: those of
 * {@link Adam} (lr 1e-3, beta1 0.9, beta2 0.999, eps 1e-8) and switchTolerance 1e-9 (the
 * paper's ε).
 */
public final class Swats extends Optimizer {

    public Swats(List<Variable> params) {
        super("Swats", params, hyper("lr", 1e-3, "beta1", 0.9, "beta2", 0.999, "eps", 1e-8, "switchTolerance", 1e-9));
    }

    public Swats(List<Variable> params, double lr) {
        this(params);
        set("lr", lr);
    }

    @Override
    protected void validate(ParamGroup g) {
        super.validate(g);
        range(g, "beta1", 0, 1, false);
        range(g, "beta2", 0, 1, false);
    }

    /** Whether {@code param} has switched to SGD. */
    public boolean switchedToSgd(Variable param) {
        return state(param).scalar("sgdPhase", 0) != 0;
    }

    /** The SGD learning rate Λ chosen at the switch (NaN before it). */
    public double sgdLearningRate(Variable param) {
        return state(param).scalar("sgdLr", Double.NaN);
    }

    @Override
    protected void updateParameter(ParamGroup g, Tensor param, Tensor grad, ParamState s) {
        double b1 = g.get("beta1");
        double b2 = g.get("beta2");
        Tensor d = effectiveGradient(param, grad, g.flag("maximize"), 0);
        if (s.scalar("sgdPhase", 0) != 0) {
            Tensor b = s.tensor("momentumBuffer", () -> zerosLike(param));
            b.mulInPlace(b1).addInPlace(d);
            param.addScaledInPlace(b, -(1 - b1) * s.scalar("sgdLr", 0));
            s.nextStep();
            return;
        }
        long t = s.nextStep();
        Tensor m = s.tensor("expAvg", () -> zerosLike(param));
        Tensor v = s.tensor("expAvgSq", () -> zerosLike(param));
        m.mulInPlace(b1).addScaledInPlace(d, 1 - b1);
        v.mulInPlace(b2).addScaledInPlace(d.square(), 1 - b2);
        double c2 = 1 - Math.pow(b2, t);
        Tensor p = m.div(v.sqrt().addInPlace(g.get("eps"))).mulInPlace(-g.lr() * Math.sqrt(c2) / (1 - Math.pow(b1, t)));
        param.addInPlace(p);
        double pg = p.mul(d).sum().item();
        if (pg != 0) {
            double gamma = p.square().sum().item() / -pg;
            double lambda = b2 * s.scalar("lambda", 0) + (1 - b2) * gamma;
            s.setScalar("lambda", lambda);
            if (t > 1 && Math.abs(lambda / c2 - gamma) < g.get("switchTolerance")) {
                s.setScalar("sgdPhase", 1);
                s.setScalar("sgdLr", lambda / c2);
            }
        }
    }
}
