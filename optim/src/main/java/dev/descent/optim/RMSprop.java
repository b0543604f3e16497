package dev.descent.optim;

import dev.descent.autograd.Variable;
import dev.descent.core.Check;
import dev.descent.core.Tensor;
import dev.descent.core.spi.ElementwiseProgram;
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

    @Override
    protected void updateParameter(ParamGroup g, Tensor param, Tensor grad, ParamState s) {
        s.nextStep();
        double rho = g.get("alpha");
        double eps = g.get("eps");
        Tensor d = effectiveGradient(param, grad, g.flag("maximize"), g.get("weightDecay"));
        Tensor sq = s.tensor("squareAvg", () -> zerosLike(param));
        sq.mulInPlace(rho).addScaledInPlace(d.square(), 1 - rho);
        Tensor avg;
        if (g.flag("centered")) {
            Tensor mean = s.tensor("gradAvg", () -> zerosLike(param));
            mean.mulInPlace(rho).addScaledInPlace(d, 1 - rho);
            avg = sq.sub(mean.square());
        } else {
            avg = sq.copy();
        }
        Tensor denom = g.flag("epsInsideSqrt") ? avg.addInPlace(eps).sqrtInPlace() : avg.sqrtInPlace().addInPlace(eps);
        double mu = g.get("momentum");
        if (mu > 0) {
            Tensor buf = s.tensor("momentumBuffer", () -> zerosLike(param));
            buf.mulInPlace(mu).addInPlace(d.div(denom));
            param.addScaledInPlace(buf, -g.lr());
        } else {
            param.addScaledInPlace(d.div(denom), -g.lr());
        }
    }

    /** The same update as one program: tensors p, g, squareAvg, then gradAvg if centered, then the momentum buffer. */
    @Override
    protected FusedStep fusedStep(ParamGroup g, Tensor param, Tensor grad, ParamState s) {
        s.nextStep();
        double rho = g.get("alpha");
        double mu = g.get("momentum");
        boolean centered = g.flag("centered");
        List<Tensor> tensors = new java.util.ArrayList<>(List.of(param, grad, s.tensor("squareAvg", () -> zerosLike(param))));
        if (centered) {
            tensors.add(s.tensor("gradAvg", () -> zerosLike(param)));
        }
        if (mu > 0) {
            tensors.add(s.tensor("momentumBuffer", () -> zerosLike(param)));
        }
        ElementwiseProgram.Builder b = ElementwiseProgram.builder(tensors.size(), 7);
        int d = effectiveGradient(b, 0, 1, b.scalar(0), b.scalar(1));
        int rhoR = b.scalar(2);
        int oneMinusRho = b.scalar(3);
        int eps = b.scalar(4);
        int sq2 = b.addScaled(b.mul(rhoR, b.tensor(2)), oneMinusRho, b.square(d));
        b.store(2, sq2);
        int avg = sq2;
        if (centered) {
            int mean2 = b.addScaled(b.mul(rhoR, b.tensor(3)), oneMinusRho, d);
            b.store(3, mean2);
            avg = b.sub(sq2, b.square(mean2));
        }
        int denom = g.flag("epsInsideSqrt") ? b.sqrt(b.add(avg, eps)) : b.add(b.sqrt(avg), eps);
        int step = b.div(d, denom);
        if (mu > 0) {
            int buf = tensors.size() - 1;
            step = b.add(b.mul(b.scalar(5), b.tensor(buf)), step);
            b.store(buf, step);
        }
        int p2 = b.addScaled(b.tensor(0), b.scalar(6), step);
        return new FusedStep(b.store(0, p2).build(), tensors,
                new double[] {sign(g), g.get("weightDecay"), rho, 1 - rho, g.get("eps"), mu, -g.lr()});
    }
}
