package dev.descent.optim;

import dev.descent.autograd.Variable;
import dev.descent.core.fused.Expr;
import dev.descent.core.fused.UpdateRule;
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

    /** The update, written once: tensors param, grad, expAvg (m), expInf (u); scalars sign, weightDecay, beta1, oneMinusBeta1, beta2, eps, stepSize. */
    public static UpdateRule rule() {
        return once(() -> {
            UpdateRule.Builder r = UpdateRule.builder("Adamax");
            Expr p = r.tensor(PARAM);
            Expr g = effectiveGradient(r, p, r.tensor(GRAD));
            Expr m = r.tensor("expAvg");
            Expr u = r.tensor("expInf");
            Expr m2 = r.assign(m, r.scalar("beta1").mul(m).add(r.scalar("oneMinusBeta1").mul(g)));
            Expr u2 = r.assign(u, r.scalar("beta2").mul(u).max(g.abs().add(r.scalar("eps"))));
            r.assign(p, p.sub(r.scalar("stepSize").mul(m2.div(u2))));
            return r.build();
        }, Adamax.class);
    }

    /** stepSize = α / (1 − β1^t). */
    @Override
    protected UpdateRule.Step update(ParamGroup g, ParamState s) {
        long t = s.nextStep();
        double b1 = g.get("beta1");
        return rule().step().set("sign", sign(g)).set("weightDecay", g.get("weightDecay")).set("beta1", b1)
                .set("oneMinusBeta1", 1 - b1).set("beta2", g.get("beta2")).set("eps", g.get("eps"))
                .set("stepSize", g.lr() / (1 - Math.pow(b1, t)));
    }
}
