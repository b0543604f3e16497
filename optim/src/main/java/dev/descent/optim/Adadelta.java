package dev.descent.optim;

import dev.descent.autograd.Variable;
import dev.descent.core.Check;
import dev.descent.core.fused.Expr;
import dev.descent.core.fused.UpdateRule;
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

    /** The update, written once: tensors param, grad, squareAvg (v), accDelta (u); scalars sign, weightDecay, rho, oneMinusRho, eps, lr. */
    public static UpdateRule rule() {
        return once(() -> {
            UpdateRule.Builder r = UpdateRule.builder("Adadelta");
            Expr p = r.tensor(PARAM);
            Expr g = effectiveGradient(r, p, r.tensor(GRAD));
            Expr v = r.tensor("squareAvg");
            Expr u = r.tensor("accDelta");
            Expr rho = r.scalar("rho");
            Expr oneMinusRho = r.scalar("oneMinusRho");
            Expr eps = r.scalar("eps");
            Expr v2 = r.assign(v, rho.mul(v).add(oneMinusRho.mul(g.square())));
            Expr delta = u.add(eps).sqrt().div(v2.add(eps).sqrt()).mul(g);
            r.assign(u, rho.mul(u).add(oneMinusRho.mul(delta.square())));
            r.assign(p, p.sub(r.scalar("lr").mul(delta)));
            return r.build();
        }, Adadelta.class);
    }

    @Override
    protected UpdateRule.Step update(ParamGroup g, ParamState s) {
        s.nextStep();
        double rho = g.get("rho");
        return rule().step().set("sign", sign(g)).set("weightDecay", g.get("weightDecay")).set("rho", rho)
                .set("oneMinusRho", 1 - rho).set("eps", g.get("eps")).set("lr", g.lr());
    }
}
