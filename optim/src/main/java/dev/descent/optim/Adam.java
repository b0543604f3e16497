package dev.descent.optim;

import dev.descent.autograd.Variable;
import dev.descent.core.Check;
import dev.descent.core.fused.Expr;
import dev.descent.core.fused.UpdateRule;
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
 * step as one backend pass over p, g, m, v for all the group's parameters ({@link #rule}); false
 * runs the same rule composed of tensor ops.
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

    /**
     * The update, written once: the fused and composed forms both run this rule. Tensors
     * param, grad, expAvg, expAvgSq (and maxExpAvgSq with AMSGrad); scalars computed per step
     * in {@link #update}.
     */
    public static UpdateRule rule(boolean amsgrad, boolean epsInsideSqrt) {
        return once(() -> {
            UpdateRule.Builder r = UpdateRule.builder(amsgrad ? "AMSGrad" : "Adam");
            Expr p = r.tensor(PARAM);
            Expr grad = r.tensor(GRAD);
            Expr m = r.tensor("expAvg");
            Expr v = r.tensor("expAvgSq");
            Expr vmax = amsgrad ? r.tensor("maxExpAvgSq") : null;
            Expr g = effectiveGradient(r, p, grad);
            Expr m2 = r.assign(m, r.scalar("beta1").mul(m).add(r.scalar("oneMinusBeta1").mul(g)));
            Expr v2 = r.assign(v, r.scalar("beta2").mul(v).add(r.scalar("oneMinusBeta2").mul(g.square())));
            Expr second = amsgrad ? r.assign(vmax, vmax.max(v2)) : v2;
            Expr eps = r.scalar("eps");
            Expr c2 = r.scalar("biasCorrection2");
            Expr sqrtC2 = r.scalar("sqrtBiasCorrection2");
            Expr denom = epsInsideSqrt ? second.div(c2).add(eps).sqrt() : second.sqrt().div(sqrtC2).add(eps);
            r.assign(p, r.scalar("shrink").mul(p).sub(r.scalar("stepSize").mul(m2.div(denom))));
            return r.build();
        }, Adam.class, amsgrad, epsInsideSqrt);
    }

    /**
     * Bias corrections c1 = 1 − β1^t and c2 = 1 − β2^t at the parameter's step t; L2 decay
     * enters the gradient, decoupled decay the factor {@code shrink} = 1 − α·λ.
     */
    @Override
    protected UpdateRule.Step update(ParamGroup g, ParamState s) {
        long t = s.nextStep();
        double lr = g.lr();
        double b1 = g.get("beta1");
        double b2 = g.get("beta2");
        double wd = g.get("weightDecay");
        boolean decoupled = g.flag("decoupledWeightDecay");
        double c1 = 1 - Math.pow(b1, t);
        double c2 = 1 - Math.pow(b2, t);
        return rule(g.flag("amsgrad"), g.flag("epsInsideSqrt")).step()
                .set("sign", sign(g)).set("weightDecay", decoupled ? 0 : wd).set("shrink", decoupled ? 1 - lr * wd : 1)
                .set("beta1", b1).set("oneMinusBeta1", 1 - b1).set("beta2", b2).set("oneMinusBeta2", 1 - b2)
                .set("eps", g.get("eps")).set("stepSize", lr / c1).set("biasCorrection2", c2)
                .set("sqrtBiasCorrection2", Math.sqrt(c2));
    }
}
