package dev.descent.optim;

import dev.descent.autograd.Variable;
import dev.descent.core.fused.Expr;
import dev.descent.core.fused.UpdateRule;
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

    /**
     * The update, written once: tensors param, grad, expAvg, expAvgSq; scalars sign,
     * weightDecay, shrink, beta1, oneMinusBeta1, beta2, oneMinusBeta2, eps, stepSize. The
     * rectified step divides by √v + ε; before rectification ({@code rectified} false) the
     * step is the bias-corrected momentum alone.
     */
    public static UpdateRule rule(boolean rectified) {
        return once(() -> {
            UpdateRule.Builder r = UpdateRule.builder("RAdam");
            Expr p = r.tensor(PARAM);
            Expr g = effectiveGradient(r, p, r.tensor(GRAD));
            Expr m = r.tensor("expAvg");
            Expr v = r.tensor("expAvgSq");
            Expr m2 = r.assign(m, r.scalar("beta1").mul(m).add(r.scalar("oneMinusBeta1").mul(g)));
            Expr v2 = r.assign(v, r.scalar("beta2").mul(v).add(r.scalar("oneMinusBeta2").mul(g.square())));
            Expr eps = r.scalar("eps");
            Expr step = rectified ? m2.div(v2.sqrt().add(eps)) : m2;
            r.assign(p, r.scalar("shrink").mul(p).sub(r.scalar("stepSize").mul(step)));
            return r.build();
        }, RAdam.class, rectified);
    }

    /** The switch ρ_t > 5 and the step size α/(1 − β1^t)·r_t·√(1 − β2^t), on the host. */
    @Override
    protected UpdateRule.Step update(ParamGroup g, ParamState s) {
        long t = s.nextStep();
        double lr = g.lr();
        double b1 = g.get("beta1");
        double b2 = g.get("beta2");
        double wd = g.get("weightDecay");
        boolean decoupled = g.flag("decoupledWeightDecay");
        double c1 = 1 - Math.pow(b1, t);
        double c2 = 1 - Math.pow(b2, t);
        double rhoInf = 2 / (1 - b2) - 1;
        double rhoT = rhoInf - 2 * t * Math.pow(b2, t) / c2;
        boolean rectified = rhoT > 5;
        double stepSize = lr / c1;
        if (rectified) {
            stepSize *= Math.sqrt((rhoT - 4) * (rhoT - 2) * rhoInf / ((rhoInf - 4) * (rhoInf - 2) * rhoT)) * Math.sqrt(c2);
        }
        return rule(rectified).step().set("sign", sign(g)).set("weightDecay", decoupled ? 0 : wd)
                .set("shrink", decoupled ? 1 - lr * wd : 1).set("beta1", b1).set("oneMinusBeta1", 1 - b1)
                .set("beta2", b2).set("oneMinusBeta2", 1 - b2).set("eps", g.get("eps")).set("stepSize", stepSize);
    }
}
