package dev.descent.optim;

import dev.descent.autograd.Variable;
import dev.descent.core.Check;
import dev.descent.core.FusedUpdates;
import dev.descent.core.Scope;
import dev.descent.core.Tensor;
import dev.descent.core.spi.SgdUpdate;
import java.util.ArrayList;
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
 * maximize false; {@code fused} true runs the update as one backend pass
 * ({@link FusedUpdates#sgd}); false runs the composed reference form.
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

    private static double dampening(ParamGroup g) {
        return g.flag("emaMomentum") ? g.get("momentum") : g.get("dampening");
    }

    @Override
    protected void updateGroup(ParamGroup group, List<Variable> params, List<Tensor> grads) {
        if (!group.flag("fused")) {
            super.updateGroup(group, params, grads);
            return;
        }
        double mu = group.get("momentum");
        boolean ema = group.flag("emaMomentum");
        List<Tensor> ps = new ArrayList<>();
        List<Tensor> gs = new ArrayList<>();
        List<Tensor> bs = new ArrayList<>();
        List<Tensor> firstPs = new ArrayList<>();
        List<Tensor> firstGs = new ArrayList<>();
        List<Tensor> firstBs = new ArrayList<>();
        for (int i = 0; i < params.size(); i++) {
            ParamState s = state(params.get(i));
            Tensor p = params.get(i).data();
            boolean first = mu != 0 && !ema && s.tensorOrNull("momentumBuffer") == null;
            Tensor b = mu == 0 ? null : s.tensor("momentumBuffer", () -> zerosLike(p));
            s.nextStep();
            (first ? firstPs : ps).add(p);
            (first ? firstGs : gs).add(grads.get(i));
            (first ? firstBs : bs).add(b);
        }
        run(group, false, ps, gs, bs);
        run(group, true, firstPs, firstGs, firstBs);
    }

    private static void run(ParamGroup g, boolean first, List<Tensor> ps, List<Tensor> gs, List<Tensor> bs) {
        if (ps.isEmpty()) {
            return;
        }
        double mu = g.get("momentum");
        SgdUpdate u = new SgdUpdate(g.lr(), g.get("weightDecay"), mu, dampening(g), g.flag("nesterov"),
                g.flag("maximize"), first);
        if (FusedUpdates.sgd(u, ps, gs, mu == 0 ? null : bs)) {
            return;
        }
        for (int i = 0; i < ps.size(); i++) {
            try (Scope ignored = Scope.open()) {
                composed(g, ps.get(i), gs.get(i), mu == 0 ? null : bs.get(i), first);
            }
        }
    }

    @Override
    protected void updateParameter(ParamGroup g, Tensor param, Tensor grad, ParamState s) {
        double mu = g.get("momentum");
        boolean first = mu != 0 && !g.flag("emaMomentum") && s.tensorOrNull("momentumBuffer") == null;
        Tensor b = mu == 0 ? null : s.tensor("momentumBuffer", () -> zerosLike(param));
        s.nextStep();
        composed(g, param, grad, b, first);
    }

    /** The reference form, from ordinary tensor ops. */
    private static void composed(ParamGroup g, Tensor param, Tensor grad, Tensor buf, boolean first) {
        double lr = g.lr();
        double mu = g.get("momentum");
        Tensor d = effectiveGradient(param, grad, g.flag("maximize"), g.get("weightDecay"));
        if (buf == null) {
            param.addScaledInPlace(d, -lr);
            return;
        }
        double damp = dampening(g);
        if (first) {
            buf.copyFrom(d);
        } else {
            buf.mulInPlace(mu).addScaledInPlace(d, 1 - damp);
        }
        if (g.flag("nesterov")) {
            param.addScaledInPlace(d, -lr * (1 - damp)).addScaledInPlace(buf, -lr * mu);
        } else {
            param.addScaledInPlace(buf, -lr);
        }
    }
}
