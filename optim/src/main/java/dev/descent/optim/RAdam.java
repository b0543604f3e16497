package dev.descent.optim;

import dev.descent.autograd.Variable;
import dev.descent.core.Tensor;
import dev.descent.core.spi.ElementwiseProgram;
import java.util.List;

/**
 * Rectified Adam (Liu et al. 2021; seed 003 notes: an alternative to warm-up that damps the
 * adaptive step while the variance estimate is unreliable), as PyTorch implements it. At step
 * t, with g the gradient (negated when maximize; L2 or decoupled weight decay as in NAdam):
 *
 * <pre>
 * m ← β1·m + (1 − β1)·g,   v ← β2·v + (1 − β2)·g²,   m̂ = m / (1 − β1^t)
 * ρ∞ = 2/(1 − β2) − 1,     ρ_t = ρ∞ − 2t·β2^t / (1 − β2^t)
 * ρ_t > 5:  r_t = √((ρ_t − 4)(ρ_t − 2)ρ∞ / ((ρ∞ − 4)(ρ∞ − 2)ρ_t))
 *           θ ← θ − α·m̂·r_t·√(1 − β2^t) / (√v + ε)
 * else:     θ ← θ − α·m̂                                   (un-adapted momentum step)
 * </pre>
 *
 * Defaults (PyTorch): lr 1e-3, beta1 0.9, beta2 0.999, eps 1e-8, weightDecay 0,
 * decoupledWeightDecay false.
 */
public final class RAdam extends Optimizer {

    public RAdam(List<Variable> params) {
        super("RAdam", params, hyper("lr", 1e-3, "beta1", 0.9, "beta2", 0.999, "eps", 1e-8, "weightDecay", 0.0,
                "decoupledWeightDecay", false, "fused", true));
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
        double lr = g.lr();
        double b1 = g.get("beta1");
        double b2 = g.get("beta2");
        double wd = g.get("weightDecay");
        boolean decoupled = g.flag("decoupledWeightDecay");
        Tensor d = effectiveGradient(param, grad, g.flag("maximize"), decoupled ? 0 : wd);
        if (decoupled && wd != 0) {
            param.mulInPlace(1 - lr * wd);
        }
        Tensor m = s.tensor("expAvg", () -> zerosLike(param));
        Tensor v = s.tensor("expAvgSq", () -> zerosLike(param));
        m.mulInPlace(b1).addScaledInPlace(d, 1 - b1);
        v.mulInPlace(b2).addScaledInPlace(d.square(), 1 - b2);
        double c1 = 1 - Math.pow(b1, t);
        double c2 = 1 - Math.pow(b2, t);
        double rhoInf = 2 / (1 - b2) - 1;
        double rhoT = rhoInf - 2 * t * Math.pow(b2, t) / c2;
        if (rhoT > 5) {
            double r = Math.sqrt((rhoT - 4) * (rhoT - 2) * rhoInf / ((rhoInf - 4) * (rhoInf - 2) * rhoT));
            Tensor denom = v.sqrt().addInPlace(g.get("eps"));
            param.addScaledInPlace(m.div(denom), -lr / c1 * r * Math.sqrt(c2));
        } else {
            param.addScaledInPlace(m, -lr / c1);
        }
    }

    /** The same update as one program: tensors p, g, m, v. */
    @Override
    protected FusedStep fusedStep(ParamGroup g, Tensor param, Tensor grad, ParamState s) {
        long t = s.nextStep();
        double lr = g.lr();
        double b1 = g.get("beta1");
        double b2 = g.get("beta2");
        double wd = g.get("weightDecay");
        boolean decoupled = g.flag("decoupledWeightDecay");
        Tensor m = s.tensor("expAvg", () -> zerosLike(param));
        Tensor v = s.tensor("expAvgSq", () -> zerosLike(param));
        double c1 = 1 - Math.pow(b1, t);
        double c2 = 1 - Math.pow(b2, t);
        double rhoInf = 2 / (1 - b2) - 1;
        double rhoT = rhoInf - 2 * t * Math.pow(b2, t) / c2;
        boolean rectified = rhoT > 5;
        double coef = -lr / c1;
        if (rectified) {
            coef *= Math.sqrt((rhoT - 4) * (rhoT - 2) * rhoInf / ((rhoInf - 4) * (rhoInf - 2) * rhoT)) * Math.sqrt(c2);
        }
        ElementwiseProgram.Builder b = ElementwiseProgram.builder(4, 9);
        int d = effectiveGradient(b, 0, 1, b.scalar(0), b.scalar(1));
        int decayed = b.mul(b.scalar(2), b.tensor(0));
        int m2 = b.addScaled(b.mul(b.scalar(3), b.tensor(2)), b.scalar(4), d);
        int v2 = b.addScaled(b.mul(b.scalar(5), b.tensor(3)), b.scalar(6), b.square(d));
        int step = rectified ? b.div(m2, b.add(b.sqrt(v2), b.scalar(7))) : m2;
        int p2 = b.addScaled(decayed, b.scalar(8), step);
        return new FusedStep(b.store(0, p2).store(2, m2).store(3, v2).build(), List.of(param, grad, m, v),
                new double[] {sign(g), decoupled ? 0 : wd, decoupled ? 1 - lr * wd : 1, b1, 1 - b1, b2, 1 - b2,
                    g.get("eps"), coef});
    }
}
