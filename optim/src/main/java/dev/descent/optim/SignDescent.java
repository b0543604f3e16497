package dev.descent.optim;

import dev.descent.autograd.Variable;
import dev.descent.core.Check;
import dev.descent.core.Tensor;
import dev.descent.core.spi.ElementwiseProgram;
import java.util.List;

/**
 * The normalised gradient of seed 003 eqs. 6.13–6.14: each coordinate moves a fixed distance α
 * downhill, whatever the gradient's size. It makes good progress in every direction but does
 * not converge: near the minimum it bounces back and forth (seed 003 fig. 6.9c).
 *
 * <pre>
 * m = g,  v = g²                                 (eq. 6.13)
 * θ ← θ − α·m / (√v + ε) = θ − α·g / (|g| + ε)    (eq. 6.14)
 * eps = 0:  θ ← θ − α·sign(g)                     (sign descent; sign(0) = 0)
 * </pre>
 *
 * Defaults: lr 1e-3, eps 1e-8 (the text's small constant).
 */
public final class SignDescent extends Optimizer {

    public SignDescent(List<Variable> params) {
        super("SignDescent", params, hyper("lr", 1e-3, "eps", 1e-8, "fused", true));
    }

    public SignDescent(List<Variable> params, double lr, double eps) {
        this(params);
        set("lr", lr);
        set("eps", eps);
    }

    @Override
    protected void validate(ParamGroup g) {
        super.validate(g);
        Check.argument(g.get("eps") >= 0, name(), "expected eps >= 0, got %s", g.get("eps"));
    }

    @Override
    protected void updateParameter(ParamGroup g, Tensor param, Tensor grad, ParamState s) {
        s.nextStep();
        Tensor d = effectiveGradient(param, grad, g.flag("maximize"), 0);
        double eps = g.get("eps");
        Tensor step = eps == 0 ? d.sign() : d.div(d.abs().addInPlace(eps));
        param.addScaledInPlace(step, -g.lr());
    }

    /** The same update as one program: tensors p, g. */
    @Override
    protected FusedStep fusedStep(ParamGroup g, Tensor param, Tensor grad, ParamState s) {
        s.nextStep();
        double eps = g.get("eps");
        ElementwiseProgram.Builder b = ElementwiseProgram.builder(2, 3);
        int d = b.mul(b.scalar(0), b.tensor(1));
        int step = eps == 0 ? b.sign(d) : b.div(d, b.add(b.abs(d), b.scalar(2)));
        int p2 = b.addScaled(b.tensor(0), b.scalar(1), step);
        return new FusedStep(b.store(0, p2).build(), List.of(param, grad), new double[] {sign(g), -g.lr(), eps});
    }
}
