package dev.descent.optim;

import dev.descent.autograd.Variable;
import dev.descent.core.Scope;
import dev.descent.core.Tensor;
import dev.descent.core.fused.Expr;
import dev.descent.core.fused.UpdateRule;
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

    /**
     * The Adam phase, written once: tensors param, grad, expAvg, expAvgSq and adamStep (where
     * the step p is left, for the projections the switch needs); scalars sign, beta1,
     * oneMinusBeta1, beta2, oneMinusBeta2, eps and stepScale = −α·√(1 − β2^t)/(1 − β1^t).
     */
    public static UpdateRule adamPhase() {
        return once(() -> {
            UpdateRule.Builder r = UpdateRule.builder("Swats Adam phase");
            Expr p = r.tensor(PARAM);
            Expr g = r.scalar("sign").mul(r.tensor(GRAD));
            Expr m = r.tensor("expAvg");
            Expr v = r.tensor("expAvgSq");
            Expr step = r.tensor("adamStep");
            Expr m2 = r.assign(m, r.scalar("beta1").mul(m).add(r.scalar("oneMinusBeta1").mul(g)));
            Expr v2 = r.assign(v, r.scalar("beta2").mul(v).add(r.scalar("oneMinusBeta2").mul(g.square())));
            Expr step2 = r.assign(step, r.scalar("stepScale").mul(m2.div(v2.sqrt().add(r.scalar("eps")))));
            r.assign(p, p.add(step2));
            return r.build();
        }, Swats.class, "adam");
    }

    /** The SGD phase, written once: tensors param, grad, momentumBuffer; scalars sign, beta1, sgdStep = (1 − β1)·Λ. */
    public static UpdateRule sgdPhase() {
        return once(() -> {
            UpdateRule.Builder r = UpdateRule.builder("Swats SGD phase");
            Expr p = r.tensor(PARAM);
            Expr g = r.scalar("sign").mul(r.tensor(GRAD));
            Expr b = r.tensor("momentumBuffer");
            Expr b2 = r.assign(b, r.scalar("beta1").mul(b).add(g));
            r.assign(p, p.sub(r.scalar("sgdStep").mul(b2)));
            return r.build();
        }, Swats.class, "sgd");
    }

    /**
     * Each parameter in its own phase. The Adam phase reads pᵀg and pᵀp back from the device
     * every step: the switch is decided on the host (Algorithm 1 of the paper).
     */
    @Override
    protected void updateGroup(ParamGroup g, List<Variable> params, List<Tensor> grads) {
        double b1 = g.get("beta1");
        double b2 = g.get("beta2");
        double sign = sign(g);
        for (int i = 0; i < params.size(); i++) {
            Tensor param = params.get(i).data();
            Tensor grad = grads.get(i);
            ParamState s = state(params.get(i));
            if (s.scalar("sgdPhase", 0) != 0) {
                Tensor b = s.tensor("momentumBuffer", () -> fullLike(param, 0));
                sgdPhase().step().set("sign", sign).set("beta1", b1).set("sgdStep", (1 - b1) * s.scalar("sgdLr", 0))
                        .run(List.of(List.of(param, grad, b)));
                s.nextStep();
                continue;
            }
            long t = s.nextStep();
            double c2 = 1 - Math.pow(b2, t);
            Tensor m = s.tensor("expAvg", () -> fullLike(param, 0));
            Tensor v = s.tensor("expAvgSq", () -> fullLike(param, 0));
            try (Scope ignored = Scope.open()) {
                Tensor p = fullLike(param, 0);
                adamPhase().step().set("sign", sign).set("beta1", b1).set("oneMinusBeta1", 1 - b1).set("beta2", b2)
                        .set("oneMinusBeta2", 1 - b2).set("eps", g.get("eps"))
                        .set("stepScale", -g.lr() * Math.sqrt(c2) / (1 - Math.pow(b1, t)))
                        .run(List.of(List.of(param, grad, m, v, p)));
                double pg = sign * p.mul(grad).sum().item();
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
    }
}
