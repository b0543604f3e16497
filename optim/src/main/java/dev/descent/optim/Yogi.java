package dev.descent.optim;

import dev.descent.autograd.Variable;
import dev.descent.core.fused.Expr;
import dev.descent.core.fused.UpdateRule;
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

    /** The update, written once: tensors param, grad, expAvg, expAvgSq; scalars sign, beta1, oneMinusBeta1, oneMinusBeta2, eps, lr. */
    public static UpdateRule rule() {
        return once(() -> {
            UpdateRule.Builder r = UpdateRule.builder("Yogi");
            Expr p = r.tensor(PARAM);
            Expr g = r.scalar("sign").mul(r.tensor(GRAD));
            Expr m = r.tensor("expAvg");
            Expr v = r.tensor("expAvgSq");
            Expr m2 = r.assign(m, r.scalar("beta1").mul(m).add(r.scalar("oneMinusBeta1").mul(g)));
            Expr g2 = g.square();
            Expr v2 = r.assign(v, v.sub(r.scalar("oneMinusBeta2").mul(v.sub(g2).sign().mul(g2))));
            r.assign(p, p.sub(r.scalar("lr").mul(m2.div(v2.sqrt().add(r.scalar("eps"))))));
            return r.build();
        }, Yogi.class);
    }

    @Override
    protected UpdateRule.Step update(ParamGroup g, ParamState s) {
        s.nextStep();
        double b1 = g.get("beta1");
        return rule().step().set("sign", sign(g)).set("beta1", b1).set("oneMinusBeta1", 1 - b1)
                .set("oneMinusBeta2", 1 - g.get("beta2")).set("eps", g.get("eps")).set("lr", g.lr());
    }

    /** Both moments start at initialAccumulatorValue (optax). */
    @Override
    protected double initialState(ParamGroup g, String tensor) {
        return g.get("initialAccumulatorValue");
    }
}
