package dev.descent.optim;

import dev.descent.autograd.Variable;
import dev.descent.core.fused.Expr;
import dev.descent.core.fused.UpdateRule;
import java.util.List;

/**
 * NAdam (Dozat 2016; seed 003 notes: "Nesterov momentum incorporated into Adam"), as PyTorch
 * implements it, with the momentum schedule μ_t = β1·(1 − ½·0.96^(t·ψ)). At step t, with g the
 * gradient (negated when maximize; plus λ·θ, or θ ← θ·(1 − αλ) when decoupledWeightDecay):
 *
 * <pre>
 * μ_t = β1·(1 − ½·0.96^(tψ)),  μ_{t+1} = β1·(1 − ½·0.96^((t+1)ψ)),  Π_t = Π_{t−1}·μ_t
 * m ← β1·m + (1 − β1)·g,        v ← β2·v + (1 − β2)·g²
 * d = √(v / (1 − β2^t)) + ε
 * θ ← θ − α·(1 − μ_t)/(1 − Π_t) · g/d − α·μ_{t+1}/(1 − Π_t·μ_{t+1}) · m/d
 * </pre>
 *
 * Defaults (PyTorch): lr 2e-3, beta1 0.9, beta2 0.999, eps 1e-8, weightDecay 0,
 * momentumDecay (ψ) 4e-3, decoupledWeightDecay false.
 */
public final class NAdam extends Optimizer {

    public NAdam(List<Variable> params) {
        super("NAdam", params, hyper("lr", 2e-3, "beta1", 0.9, "beta2", 0.999, "eps", 1e-8, "weightDecay", 0.0,
                "momentumDecay", 4e-3, "decoupledWeightDecay", false, "fused", true));
    }

    @Override
    protected void validate(ParamGroup g) {
        super.validate(g);
        range(g, "beta1", 0, 1, false);
        range(g, "beta2", 0, 1, false);
    }

    /**
     * The step's two coefficients, {@code −lr·(1−μ_t)/(1−Π μ)} on the gradient and
     * {@code −lr·μ_{t+1}/(1−Π μ·μ_{t+1})} on the momentum, with the momentum schedule
     * {@code μ_t = β1·(1 − ½·0.96^(t·ψ))}; advances the running product {@code Π μ} in the state.
     */
    private static double[] stepCoefficients(double lr, double b1, double psi, long t, ParamState s) {
        double mu = b1 * (1 - 0.5 * Math.pow(0.96, t * psi));
        double muNext = b1 * (1 - 0.5 * Math.pow(0.96, (t + 1) * psi));
        double product = s.scalar("muProduct", 1) * mu;
        s.setScalar("muProduct", product);
        return new double[] {-lr * (1 - mu) / (1 - product), -lr * muNext / (1 - product * muNext)};
    }

    /**
     * The update, written once: tensors param, grad, expAvg, expAvgSq; scalars sign,
     * weightDecay, shrink, beta1, oneMinusBeta1, beta2, oneMinusBeta2, biasCorrection2, eps,
     * gradStep = α·(1 − μ_t)/(1 − Π_t) and momentumStep = α·μ_{t+1}/(1 − Π_t·μ_{t+1}).
     */
    public static UpdateRule rule() {
        return once(() -> {
            UpdateRule.Builder r = UpdateRule.builder("NAdam");
            Expr p = r.tensor(PARAM);
            Expr g = effectiveGradient(r, p, r.tensor(GRAD));
            Expr m = r.tensor("expAvg");
            Expr v = r.tensor("expAvgSq");
            Expr m2 = r.assign(m, r.scalar("beta1").mul(m).add(r.scalar("oneMinusBeta1").mul(g)));
            Expr v2 = r.assign(v, r.scalar("beta2").mul(v).add(r.scalar("oneMinusBeta2").mul(g.square())));
            Expr denom = v2.div(r.scalar("biasCorrection2")).sqrt().add(r.scalar("eps"));
            r.assign(p, r.scalar("shrink").mul(p).sub(r.scalar("gradStep").mul(g.div(denom)))
                    .sub(r.scalar("momentumStep").mul(m2.div(denom))));
            return r.build();
        }, NAdam.class);
    }

    /**
     * The momentum schedule {@code μ_t = β1·(1 − ½·0.96^(t·ψ))} and the running product
     * {@code Π_t = Π_{t−1}·μ_t}, advanced in the state.
     */
    @Override
    protected UpdateRule.Step update(ParamGroup g, ParamState s) {
        long t = s.nextStep();
        double lr = g.lr();
        double b1 = g.get("beta1");
        double b2 = g.get("beta2");
        double psi = g.get("momentumDecay");
        double wd = g.get("weightDecay");
        boolean decoupled = g.flag("decoupledWeightDecay");
        double mu = b1 * (1 - 0.5 * Math.pow(0.96, t * psi));
        double muNext = b1 * (1 - 0.5 * Math.pow(0.96, (t + 1) * psi));
        double product = s.scalar("muProduct", 1) * mu;
        s.setScalar("muProduct", product);
        return rule().step().set("sign", sign(g)).set("weightDecay", decoupled ? 0 : wd)
                .set("shrink", decoupled ? 1 - lr * wd : 1).set("beta1", b1).set("oneMinusBeta1", 1 - b1)
                .set("beta2", b2).set("oneMinusBeta2", 1 - b2).set("biasCorrection2", 1 - Math.pow(b2, t))
                .set("eps", g.get("eps")).set("gradStep", lr * (1 - mu) / (1 - product))
                .set("momentumStep", lr * muNext / (1 - product * muNext));
    }
}
