package dev.descent.optim;

import dev.descent.autograd.Variable;
import dev.descent.core.Check;
import dev.descent.core.FusedUpdates;
import dev.descent.core.Scope;
import dev.descent.core.Tensor;
import dev.descent.core.spi.AdamUpdate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Adam, adaptive moment estimation (Kingma and Ba 2015; seed 003 eqs. 6.15–6.18, seed 001),
 * with the AMSGrad variant (Reddi et al. 2018) and, through {@code decoupledWeightDecay},
 * AdamW (see {@link AdamW}). At the parameter's step t = 1, 2, ... with g its gradient
 * (negated when maximize, plus λ·θ for L2 weight decay):
 *
 * <pre>
 * m ← β1·m + (1 − β1)·g                               (eq. 6.15; β1 is the text's β)
 * v ← β2·v + (1 − β2)·g²                              (eq. 6.15; β2 is the text's γ)
 * m̂ = m / (1 − β1^t),  v̂ = v / (1 − β2^t)            (eq. 6.16, bias correction)
 * AMSGrad: v̂ = max(v̂max, v) / (1 − β2^t), keeping the running maximum of v
 * θ ← θ − α·m̂ / (√v̂ + ε)                             (PyTorch, the default)
 * θ ← θ − α·m̂ / √(v̂ + ε)                             (epsInsideSqrt: seed 003 eq. 6.17, seed 001)
 * </pre>
 *
 * Defaults (PyTorch): lr 1e-3, beta1 0.9, beta2 0.999, eps 1e-8, weightDecay 0, amsgrad false,
 * maximize false, epsInsideSqrt false, decoupledWeightDecay false; {@code fused} true runs the
 * step as one backend pass over p, g, m, v ({@link FusedUpdates#adam}).
 */
public class Adam extends Optimizer {

    public Adam(List<Variable> params) {
        this("Adam", params, Map.of());
    }

    /** Adam with learning rate {@code lr}. */
    public Adam(List<Variable> params, double lr) {
        this(params);
        set("lr", lr);
    }

    protected Adam(String name, List<Variable> params, Map<String, Object> overrides) {
        super(name, params, withOverrides(overrides));
    }

    private static Map<String, Object> withOverrides(Map<String, Object> overrides) {
        Map<String, Object> d = new LinkedHashMap<>(hyper("lr", 1e-3, "beta1", 0.9, "beta2", 0.999, "eps", 1e-8,
                "weightDecay", 0.0, "amsgrad", false, "decoupledWeightDecay", false, "epsInsideSqrt", false,
                "fused", true));
        d.putAll(overrides);
        return d;
    }

    @Override
    protected void validate(ParamGroup g) {
        super.validate(g);
        range(g, "beta1", 0, 1, false);
        range(g, "beta2", 0, 1, false);
        Check.argument(g.get("eps") >= 0, name(), "expected eps >= 0, got %s", g.get("eps"));
        Check.argument(g.get("weightDecay") >= 0, name(), "expected weightDecay >= 0, got %s", g.get("weightDecay"));
    }

    private static AdamUpdate hyperParameters(ParamGroup g, long step) {
        return new AdamUpdate(g.lr(), g.get("beta1"), g.get("beta2"), g.get("eps"), g.get("weightDecay"),
                g.flag("decoupledWeightDecay"), g.flag("amsgrad"), g.flag("epsInsideSqrt"), g.flag("maximize"), step);
    }

    @Override
    protected void updateGroup(ParamGroup group, List<Variable> params, List<Tensor> grads) {
        if (!group.flag("fused")) {
            super.updateGroup(group, params, grads);
            return;
        }
        boolean ams = group.flag("amsgrad");
        // Parameters that missed steps have other step counts: one fused call per count.
        Map<Long, List<Integer>> byStep = new LinkedHashMap<>();
        for (int i = 0; i < params.size(); i++) {
            byStep.computeIfAbsent(state(params.get(i)).nextStep(), k -> new ArrayList<>()).add(i);
        }
        for (Map.Entry<Long, List<Integer>> e : byStep.entrySet()) {
            List<Tensor> ps = new ArrayList<>();
            List<Tensor> gs = new ArrayList<>();
            List<Tensor> ms = new ArrayList<>();
            List<Tensor> vs = new ArrayList<>();
            List<Tensor> maxs = new ArrayList<>();
            for (int i : e.getValue()) {
                Tensor p = params.get(i).data();
                ParamState s = state(params.get(i));
                ps.add(p);
                gs.add(grads.get(i));
                ms.add(s.tensor("expAvg", () -> zerosLike(p)));
                vs.add(s.tensor("expAvgSq", () -> zerosLike(p)));
                if (ams) {
                    maxs.add(s.tensor("maxExpAvgSq", () -> zerosLike(p)));
                }
            }
            AdamUpdate u = hyperParameters(group, e.getKey());
            if (!FusedUpdates.adam(u, ps, gs, ms, vs, ams ? maxs : null)) {
                for (int k = 0; k < ps.size(); k++) {
                    try (Scope ignored = Scope.open()) {
                        composed(u, ps.get(k), gs.get(k), ms.get(k), vs.get(k), ams ? maxs.get(k) : null);
                    }
                }
            }
        }
    }

    @Override
    protected void updateParameter(ParamGroup g, Tensor param, Tensor grad, ParamState s) {
        long t = s.nextStep();
        Tensor m = s.tensor("expAvg", () -> zerosLike(param));
        Tensor v = s.tensor("expAvgSq", () -> zerosLike(param));
        Tensor vmax = g.flag("amsgrad") ? s.tensor("maxExpAvgSq", () -> zerosLike(param)) : null;
        composed(hyperParameters(g, t), param, grad, m, v, vmax);
    }

    /** The reference form, from ordinary tensor ops. */
    static void composed(AdamUpdate u, Tensor param, Tensor grad, Tensor m, Tensor v, Tensor vmax) {
        boolean decoupled = u.decoupledWeightDecay();
        Tensor g = effectiveGradient(param, grad, u.maximize(), decoupled ? 0 : u.weightDecay());
        if (decoupled && u.weightDecay() != 0) {
            param.mulInPlace(1 - u.lr() * u.weightDecay());
        }
        m.mulInPlace(u.beta1()).addScaledInPlace(g, 1 - u.beta1());
        v.mulInPlace(u.beta2()).addScaledInPlace(g.square(), 1 - u.beta2());
        Tensor second = v;
        if (vmax != null) {
            vmax.copyFrom(vmax.maximum(v));
            second = vmax;
        }
        double c1 = u.biasCorrection1();
        double c2 = u.biasCorrection2();
        Tensor denom = u.epsInsideSqrt()
                ? second.div(c2).addInPlace(u.eps()).sqrtInPlace()
                : second.sqrt().divInPlace(Math.sqrt(c2)).addInPlace(u.eps());
        param.addScaledInPlace(m.div(denom), -u.lr() / c1);
    }
}
