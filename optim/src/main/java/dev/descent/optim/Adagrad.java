package dev.descent.optim;

import dev.descent.autograd.Variable;
import dev.descent.core.Check;
import dev.descent.core.Tensor;
import dev.descent.core.spi.ElementwiseProgram;
import java.util.List;

/**
 * AdaGrad (Duchi et al. 2011; seed 002, seed 003 notes): each coordinate's step is scaled by
 * the root of its accumulated squared gradients, so coordinates that moved a lot slow down.
 * At step t, with g the gradient (negated when maximize, plus λ·θ):
 *
 * <pre>
 * r ← r + g ⊙ g                                  (seed 002: r₀ = 0)
 * α_t = α / (1 + (t − 1)·lrDecay)
 * θ ← θ − α_t · g / (δ + √r)                     (seed 002; δ = eps)
 * </pre>
 *
 * Defaults (PyTorch): lr 1e-2, lrDecay 0, weightDecay 0, initialAccumulatorValue 0, eps 1e-10.
 */
public final class Adagrad extends Optimizer {

    public Adagrad(List<Variable> params) {
        super("Adagrad", params, hyper("lr", 1e-2, "lrDecay", 0.0, "weightDecay", 0.0, "initialAccumulatorValue", 0.0,
                "eps", 1e-10, "fused", true));
    }

    public Adagrad(List<Variable> params, double lr) {
        this(params);
        set("lr", lr);
    }

    @Override
    protected void validate(ParamGroup g) {
        super.validate(g);
        Check.argument(g.get("lrDecay") >= 0, name(), "expected lrDecay >= 0, got %s", g.get("lrDecay"));
        Check.argument(g.get("initialAccumulatorValue") >= 0, name(), "expected initialAccumulatorValue >= 0, got %s",
                g.get("initialAccumulatorValue"));
        Check.argument(g.get("eps") >= 0, name(), "expected eps >= 0, got %s", g.get("eps"));
    }

    @Override
    protected void updateParameter(ParamGroup g, Tensor param, Tensor grad, ParamState s) {
        long t = s.nextStep();
        Tensor sum = s.tensor("sum", () -> fullLike(param, g.get("initialAccumulatorValue")));
        Tensor d = effectiveGradient(param, grad, g.flag("maximize"), g.get("weightDecay"));
        double clr = g.lr() / (1 + (t - 1) * g.get("lrDecay"));
        sum.addInPlace(d.square());
        Tensor std = sum.sqrt().addInPlace(g.get("eps"));
        param.addScaledInPlace(d.div(std), -clr);
    }

    /** The same update as one program: tensors p, g, sum. */
    @Override
    protected FusedStep fusedStep(ParamGroup g, Tensor param, Tensor grad, ParamState s) {
        long t = s.nextStep();
        Tensor sum = s.tensor("sum", () -> fullLike(param, g.get("initialAccumulatorValue")));
        double clr = g.lr() / (1 + (t - 1) * g.get("lrDecay"));
        ElementwiseProgram.Builder b = ElementwiseProgram.builder(3, 4);
        int d = effectiveGradient(b, 0, 1, b.scalar(0), b.scalar(1));
        int sum2 = b.add(b.tensor(2), b.square(d));
        int p2 = b.addScaled(b.tensor(0), b.scalar(2), b.div(d, b.add(b.sqrt(sum2), b.scalar(3))));
        return new FusedStep(b.store(0, p2).store(2, sum2).build(), List.of(param, grad, sum),
                new double[] {sign(g), g.get("weightDecay"), -clr, g.get("eps")});
    }
}
