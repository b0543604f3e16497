package dev.descent.optim;

import dev.descent.autograd.Variable;
import dev.descent.core.Check;
import dev.descent.core.fused.Expr;
import dev.descent.core.fused.UpdateRule;
import java.util.List;

/**
 * AdaGrad (Duchi et al. 2011; seed 002, seed 003 notes): each coordinate's step is scaled by
 * the root of its accumulated squared gradients, so coordinates that moved a lot slow down.
 * At step t, with g the gradient (negated when maximize, plus λ·θ):
 *
 * <pre>
 * r ← r + g ⊙ g                                  (seed 002: r₀ = 0)
 * α_t = α / (1 + (t − 1)·lrDecay)
 * θ ← θ − α_t · g / (δ + √r)                     (seed 002; δ = eps)
 * </pre>
 *
 * Defaults (PyTorch): lr 1e-2, lrDecay 0, weightDecay 0, initialAccumulatorValue 0, eps 1e-10.
 */
public final class Adagrad extends Optimizer {

    public Adagrad(List<Variable> params) {
        super("Adagrad", params, hyper("lr", 1e-2, "lrDecay", 0.0, "weightDecay", 0.0, "initialAccumulatorValue", 0.0,
                "eps", 1e-10, "fused", true));
    }

    public Adagrad(List<Variable> params, double lr) {
        this(params);
        set("lr", lr);
    }

    @Override
    protected void validate(ParamGroup g) {
        super.validate(g);
        Check.argument(g.get("lrDecay") >= 0, name(), "expected lrDecay >= 0, got %s", g.get("lrDecay"));
        Check.argument(g.get("initialAccumulatorValue") >= 0, name(), "expected initialAccumulatorValue >= 0, got %s",
                g.get("initialAccumulatorValue"));
        Check.argument(g.get("eps") >= 0, name(), "expected eps >= 0, got %s", g.get("eps"));
    }

    /** The update, written once: tensors param, grad, sum; scalars sign, weightDecay, clr (the decayed rate), eps. */
    public static UpdateRule rule() {
        return once(() -> {
            UpdateRule.Builder r = UpdateRule.builder("Adagrad");
            Expr p = r.tensor(PARAM);
            Expr g = effectiveGradient(r, p, r.tensor(GRAD));
            Expr sum = r.tensor("sum");
            Expr sum2 = r.assign(sum, sum.add(g.square()));
            r.assign(p, p.sub(r.scalar("clr").mul(g.div(sum2.sqrt().add(r.scalar("eps"))))));
            return r.build();
        }, Adagrad.class);
    }

    @Override
    protected UpdateRule.Step update(ParamGroup g, ParamState s) {
        long t = s.nextStep();
        return rule().step().set("sign", sign(g)).set("weightDecay", g.get("weightDecay"))
                .set("clr", g.lr() / (1 + (t - 1) * g.get("lrDecay"))).set("eps", g.get("eps"));
    }

    /** r₀ = initialAccumulatorValue. */
    @Override
    protected double initialState(ParamGroup g, String tensor) {
        return g.get("initialAccumulatorValue");
    }
}
