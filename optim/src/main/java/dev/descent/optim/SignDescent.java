package dev.descent.optim;

import dev.descent.autograd.Variable;
import dev.descent.core.Check;
import dev.descent.core.fused.Expr;
import dev.descent.core.fused.UpdateRule;
import java.util.List;

/**
 * The normalised gradient of seed 003 eqs. 6.13–6.14: each coordinate moves a fixed distance α
 * downhill, whatever the gradient's size. It makes good progress in every direction but does
 * not converge: near the minimum it bounces back and forth (seed 003 fig. 6.9c).
 *
 * <pre>
 * m = g,  v = g²                                 (eq. 6.13)
 * θ ← θ − α·m / (√v + ε) = θ − α·g / (|g| + ε)    (eq. 6.14)
 * eps = 0:  θ ← θ − α·sign(g)                     (sign descent; sign(0) = 0)
 * </pre>
 *
 * Defaults: lr 1e-3, eps 1e-8 (the text's small constant).
 */
public final class SignDescent extends Optimizer {

    public SignDescent(List<Variable> params) {
        super("SignDescent", params, hyper("lr", 1e-3, "eps", 1e-8, "fused", true));
    }

    public SignDescent(List<Variable> params, double lr, double eps) {
        this(params);
        set("lr", lr);
        set("eps", eps);
    }

    @Override
    protected void validate(ParamGroup g) {
        super.validate(g);
        Check.argument(g.get("eps") >= 0, name(), "expected eps >= 0, got %s", g.get("eps"));
    }

    /** The update, written once: tensors param, grad; scalars sign, lr, eps ({@code pureSign}: eps = 0, θ ← θ − α·sign(g)). */
    public static UpdateRule rule(boolean pureSign) {
        return once(() -> {
            UpdateRule.Builder r = UpdateRule.builder("SignDescent");
            Expr p = r.tensor(PARAM);
            Expr g = r.scalar("sign").mul(r.tensor(GRAD));
            Expr lr = r.scalar("lr");
            Expr eps = r.scalar("eps");
            Expr step = pureSign ? g.sign() : g.div(g.abs().add(eps));
            r.assign(p, p.sub(lr.mul(step)));
            return r.build();
        }, SignDescent.class, pureSign);
    }

    @Override
    protected UpdateRule.Step update(ParamGroup g, ParamState s) {
        s.nextStep();
        double eps = g.get("eps");
        return rule(eps == 0).step().set("sign", sign(g)).set("lr", g.lr()).set("eps", eps);
    }
}
