package dev.descent.optim;

import dev.descent.autograd.Variable;
import dev.descent.core.Check;
import dev.descent.core.fused.Expr;
import dev.descent.core.fused.UpdateRule;
import java.util.List;

/**
 * RMSProp (Hinton et al. 2012; seed 001, seed 004 eq. 2.8): the step is divided by the root of
 * a moving average of squared gradients. With g the gradient (negated when maximize, plus λ·θ)
 * and ρ = {@code alpha}:
 *
 * <pre>
 * v ← ρ·v + (1 − ρ)·g²
 * centered:  ḡ ← ρ·ḡ + (1 − ρ)·g;  v' = v − ḡ²    (else v' = v)
 * d = √v' + ε             (PyTorch, the default)
 * d = √(v' + ε)           (epsInsideSqrt: seed 001, seed 004 eq. 2.8 with δ = ε)
 * momentum = 0:  θ ← θ − α·g / d
 * momentum μ:    b ← μ·b + g / d;   θ ← θ − α·b
 * </pre>
 *
 * Defaults (PyTorch): lr 1e-2, alpha 0.99, eps 1e-8, weightDecay 0, momentum 0, centered false.
 */
public final class RMSprop extends Optimizer {

    public RMSprop(List<Variable> params) {
        super("RMSprop", params, hyper("lr", 1e-2, "alpha", 0.99, "eps", 1e-8, "weightDecay", 0.0, "momentum", 0.0,
                "centered", false, "epsInsideSqrt", false, "fused", true));
    }

    public RMSprop(List<Variable> params, double lr) {
        this(params);
        set("lr", lr);
    }

    @Override
    protected void validate(ParamGroup g) {
        super.validate(g);
        range(g, "alpha", 0, 1, true);
        Check.argument(g.get("eps") >= 0, name(), "expected eps >= 0, got %s", g.get("eps"));
        Check.argument(g.get("momentum") >= 0, name(), "expected momentum >= 0, got %s", g.get("momentum"));
    }

    /**
     * The update, written once: tensors param, grad, squareAvg, then gradAvg if centered,
     * then momentumBuffer with momentum; scalars sign, weightDecay, alpha, oneMinusAlpha, eps,
     * momentum, lr.
     */
    public static UpdateRule rule(boolean centered, boolean momentum, boolean epsInsideSqrt) {
        return once(() -> {
            UpdateRule.Builder r = UpdateRule.builder("RMSprop");
            Expr p = r.tensor(PARAM);
            Expr g = effectiveGradient(r, p, r.tensor(GRAD));
            Expr sq = r.tensor("squareAvg");
            Expr mean = centered ? r.tensor("gradAvg") : null;
            Expr buf = momentum ? r.tensor("momentumBuffer") : null;
            Expr alpha = r.scalar("alpha");
            Expr oneMinusAlpha = r.scalar("oneMinusAlpha");
            Expr eps = r.scalar("eps");
            Expr mu = r.scalar("momentum");
            Expr avg = r.assign(sq, alpha.mul(sq).add(oneMinusAlpha.mul(g.square())));
            if (centered) {
                Expr mean2 = r.assign(mean, alpha.mul(mean).add(oneMinusAlpha.mul(g)));
                avg = avg.sub(mean2.square());
            }
            Expr denom = epsInsideSqrt ? avg.add(eps).sqrt() : avg.sqrt().add(eps);
            Expr step = g.div(denom);
            if (momentum) {
                step = r.assign(buf, mu.mul(buf).add(step));
            }
            r.assign(p, p.sub(r.scalar("lr").mul(step)));
            return r.build();
        }, RMSprop.class, centered, momentum, epsInsideSqrt);
    }

    @Override
    protected UpdateRule.Step update(ParamGroup g, ParamState s) {
        s.nextStep();
        double alpha = g.get("alpha");
        double mu = g.get("momentum");
        return rule(g.flag("centered"), mu > 0, g.flag("epsInsideSqrt")).step().set("sign", sign(g))
                .set("weightDecay", g.get("weightDecay")).set("alpha", alpha).set("oneMinusAlpha", 1 - alpha)
                .set("eps", g.get("eps")).set("momentum", mu).set("lr", g.lr());
    }
}
