package dev.descent.optim;

import dev.descent.autograd.Variable;
import dev.descent.core.fused.Expr;
import dev.descent.core.fused.UpdateRule;
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

    /** The update, written once: tensors param, grad, expAvg; scalars sign, shrink, beta1, oneMinusBeta1, beta2, oneMinusBeta2, lr. */
    public static UpdateRule rule() {
        return once(() -> {
            UpdateRule.Builder r = UpdateRule.builder("Lion");
            Expr p = r.tensor(PARAM);
            Expr g = r.scalar("sign").mul(r.tensor(GRAD));
            Expr m = r.tensor("expAvg");
            Expr c = r.scalar("beta1").mul(m).add(r.scalar("oneMinusBeta1").mul(g));
            r.assign(p, r.scalar("shrink").mul(p).sub(r.scalar("lr").mul(c.sign())));
            r.assign(m, r.scalar("beta2").mul(m).add(r.scalar("oneMinusBeta2").mul(g)));
            return r.build();
        }, Lion.class);
    }

    /** shrink = 1 − α·λ (decoupled decay). */
    @Override
    protected UpdateRule.Step update(ParamGroup g, ParamState s) {
        s.nextStep();
        double b1 = g.get("beta1");
        double b2 = g.get("beta2");
        return rule().step().set("sign", sign(g)).set("shrink", 1 - g.lr() * g.get("weightDecay")).set("beta1", b1)
                .set("oneMinusBeta1", 1 - b1).set("beta2", b2).set("oneMinusBeta2", 1 - b2).set("lr", g.lr());
    }
}
