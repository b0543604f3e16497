package dev.descent.optim;

import dev.descent.autograd.Variable;
import dev.descent.core.Tensor;
import dev.descent.core.spi.ElementwiseProgram;
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

    @Override
    protected void updateParameter(ParamGroup g, Tensor param, Tensor grad, ParamState s) {
        long t = s.nextStep();
        double lr = g.lr();
        double b1 = g.get("beta1");
        double b2 = g.get("beta2");
        double psi = g.get("momentumDecay");
        double wd = g.get("weightDecay");
        boolean decoupled = g.flag("decoupledWeightDecay");
        Tensor d = effectiveGradient(param, grad, g.flag("maximize"), decoupled ? 0 : wd);
        if (decoupled && wd != 0) {
            param.mulInPlace(1 - lr * wd);
        }
        double[] c = stepCoefficients(lr, b1, psi, t, s);
        Tensor m = s.tensor("expAvg", () -> zerosLike(param));
        Tensor v = s.tensor("expAvgSq", () -> zerosLike(param));
        m.mulInPlace(b1).addScaledInPlace(d, 1 - b1);
        v.mulInPlace(b2).addScaledInPlace(d.square(), 1 - b2);
        Tensor denom = v.div(1 - Math.pow(b2, t)).sqrtInPlace().addInPlace(g.get("eps"));
        param.addScaledInPlace(d.div(denom), c[0]);
        param.addScaledInPlace(m.div(denom), c[1]);
    }

    /** The same update as one program: tensors p, g, m, v. */
    @Override
    protected FusedStep fusedStep(ParamGroup g, Tensor param, Tensor grad, ParamState s) {
        long t = s.nextStep();
        double lr = g.lr();
        double b1 = g.get("beta1");
        double b2 = g.get("beta2");
        double psi = g.get("momentumDecay");
        double wd = g.get("weightDecay");
        boolean decoupled = g.flag("decoupledWeightDecay");
        double[] c = stepCoefficients(lr, b1, psi, t, s);
        Tensor m = s.tensor("expAvg", () -> zerosLike(param));
        Tensor v = s.tensor("expAvgSq", () -> zerosLike(param));
        ElementwiseProgram.Builder b = ElementwiseProgram.builder(4, 11);
        int d = effectiveGradient(b, 0, 1, b.scalar(0), b.scalar(1));
        int decayed = b.mul(b.scalar(2), b.tensor(0));
        int m2 = b.addScaled(b.mul(b.scalar(3), b.tensor(2)), b.scalar(4), d);
        int v2 = b.addScaled(b.mul(b.scalar(5), b.tensor(3)), b.scalar(6), b.square(d));
        int denom = b.add(b.sqrt(b.div(v2, b.scalar(7))), b.scalar(8));
        int p2 = b.addScaled(b.addScaled(decayed, b.scalar(9), b.div(d, denom)), b.scalar(10), b.div(m2, denom));
        return new FusedStep(b.store(0, p2).store(2, m2).store(3, v2).build(), List.of(param, grad, m, v),
                new double[] {sign(g), decoupled ? 0 : wd, decoupled ? 1 - lr * wd : 1, b1, 1 - b1, b2, 1 - b2,
                    1 - Math.pow(b2, t), g.get("eps"), c[0], c[1]});
    }
}
