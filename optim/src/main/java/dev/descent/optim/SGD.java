package dev.descent.optim;

import dev.descent.autograd.Variable;
import dev.descent.core.Check;
import dev.descent.core.fused.Expr;
import dev.descent.core.fused.UpdateRule;
import java.util.List;

/**
 * Gradient descent with optional momentum, Nesterov momentum and L2 weight decay (PyTorch's
 * {@code torch.optim.SGD}). Full-batch, mini-batch and single-sample descent differ only in the
 * gradient they are given (seed 000; seed 003 eq. 6.10); the update is one:
 *
 * <pre>
 * g ← ∇L(θ) (negated when maximize) + λ·θ                                      (weight decay)
 * θ ← θ − α·g                                           (momentum = 0; seed 004 eq. 2.6)
 * </pre>
 *
 * <b>Classic momentum</b> ({@code emaMomentum = false}, the default; seed 004 eq. 2.7 written as
 * PyTorch writes it, which is the same for a constant α):
 * <pre>
 * b ← μ·b + (1 − dampening)·g     (b ← g on the first step)
 * θ ← θ − α·b                      Nesterov: θ ← θ − α·(g + μ·b)
 * </pre>
 *
 * <b>Momentum as an exponential moving average</b> ({@code emaMomentum = true}; seed 003
 * eq. 6.11, seed 001), with m₀ = 0 and β = {@code momentum}:
 * <pre>
 * m ← β·m + (1 − β)·g
 * θ ← θ − α·m                      Nesterov (seed 003 eq. 6.12, seed 001, in look-ahead form):
 *                                  θ ← θ − α·((1 − β)·g + β·m)
 * </pre>
 * The EMA form's step is (1 − β) times the classic one: multiply α by 1/(1 − β) to compare.
 *
 * <p>Defaults (PyTorch): lr 1e-3, momentum 0, dampening 0, weightDecay 0, nesterov false,
 * maximize false; {@code fused} true runs the update ({@link #rule}) as one backend pass over
 * all the group's parameters; false runs the same rule composed of tensor ops.
 */
public final class SGD extends Optimizer {

    public SGD(List<Variable> params) {
        super("SGD", params, hyper("lr", 1e-3, "momentum", 0.0, "dampening", 0.0, "weightDecay", 0.0,
                "nesterov", false, "emaMomentum", false, "fused", true));
    }

    /** SGD with learning rate {@code lr} and classic momentum {@code momentum}. */
    public SGD(List<Variable> params, double lr, double momentum) {
        this(params);
        set("lr", lr);
        set("momentum", momentum);
    }

    @Override
    protected void validate(ParamGroup g) {
        super.validate(g);
        Check.argument(g.get("momentum") >= 0, name(), "expected momentum >= 0, got %s", g.get("momentum"));
        Check.argument(g.get("weightDecay") >= 0, name(), "expected weightDecay >= 0, got %s", g.get("weightDecay"));
        Check.argument(!g.flag("nesterov") || g.get("momentum") > 0, name(), "Nesterov momentum requires momentum > 0");
        Check.argument(!g.flag("nesterov") || g.flag("emaMomentum") || g.get("dampening") == 0, name(),
                "Nesterov momentum requires zero dampening (or emaMomentum), got dampening %s", g.get("dampening"));
    }

    /**
     * The update, written once: tensors param, grad and (with momentum) momentumBuffer;
     * scalars sign, weightDecay, lr, momentum μ and keep = 1 − dampening. On a classic
     * buffer's first step ({@code firstStep}) the buffer takes the gradient itself.
     */
    public static UpdateRule rule(boolean momentum, boolean firstStep, boolean nesterov) {
        return once(() -> {
            UpdateRule.Builder r = UpdateRule.builder("SGD");
            Expr p = r.tensor(PARAM);
            Expr g = effectiveGradient(r, p, r.tensor(GRAD));
            Expr lr = r.scalar("lr");
            Expr mu = r.scalar("momentum");
            Expr keep = r.scalar("keep");
            Expr step = g;
            if (momentum) {
                Expr b = r.tensor("momentumBuffer");
                Expr b2 = r.assign(b, firstStep ? g : mu.mul(b).add(keep.mul(g)));
                step = nesterov ? keep.mul(g).add(mu.mul(b2)) : b2;
            }
            r.assign(p, p.sub(lr.mul(step)));
            return r.build();
        }, SGD.class, momentum, momentum && firstStep, momentum && nesterov);
    }

    /** The EMA form is the classic one with dampening β and the buffer starting at zero. */
    @Override
    protected UpdateRule.Step update(ParamGroup g, ParamState s) {
        s.nextStep();
        double mu = g.get("momentum");
        boolean ema = g.flag("emaMomentum");
        boolean first = mu != 0 && !ema && s.tensorOrNull("momentumBuffer") == null;
        return rule(mu != 0, first, g.flag("nesterov")).step().set("sign", sign(g))
                .set("weightDecay", g.get("weightDecay")).set("lr", g.lr()).set("momentum", mu)
                .set("keep", 1 - (ema ? mu : g.get("dampening")));
    }
}
