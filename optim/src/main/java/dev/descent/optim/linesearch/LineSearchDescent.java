package dev.descent.optim.linesearch;

import dev.descent.autograd.NoGrad;
import dev.descent.autograd.Variable;
import dev.descent.core.Scope;
import dev.descent.core.Tensor;
import dev.descent.optim.LossClosure;
import dev.descent.optim.Optimizer;
import dev.descent.optim.ParamGroup;
import java.util.ArrayList;
import java.util.List;

/**
 * Steepest descent with a line search (seed 003 §6.1 notes, fig. 6.10): the direction is
 * d = −∇L(θ) (+∇L when maximize), and the step length α comes from a {@link LineSearch} over
 * φ(α) = L(θ + α·d), which re-evaluates the loss through the closure:
 *
 * <pre>
 * θ ← θ + α*·d,   α* = lineSearch(φ)
 * </pre>
 *
 * Only {@link #step(LossClosure)} is meaningful; {@code lr} is unused (the search picks it).
 */
public final class LineSearchDescent extends Optimizer {
    private final LineSearch lineSearch;
    private double lastStep = Double.NaN;

    public LineSearchDescent(List<Variable> params, LineSearch lineSearch) {
        super("LineSearchDescent", params, hyper());
        this.lineSearch = lineSearch;
    }

    /** The step length the last search chose. */
    public double lastStepLength() {
        return lastStep;
    }

    @Override
    public void step() {
        throw new UnsupportedOperationException(name() + ".step: a line search re-evaluates the loss; call"
                + " step(closure)");
    }

    @Override
    public double step(LossClosure closure) {
        checkOpen("step");
        double loss0 = closure.evaluate();
        List<Variable> ps = params();
        List<Tensor> start = new ArrayList<>();
        List<Tensor> dir = new ArrayList<>();
        double slope = 0;
        try (Scope ignored = Scope.open()) {
            boolean maximize = paramGroups().get(0).flag("maximize");
            for (Variable p : ps) {
                start.add(p.data().copy());
                Tensor g = p.grad() == null ? p.data().mul(0) : p.grad().data();
                Tensor d = maximize ? g.copy() : g.neg();
                dir.add(d);
                slope += d.mul(g).sum().item();
            }
            // For maximisation search the minimum of −L along +∇L.
            double sign = maximize ? -1 : 1;
            double s0 = maximize ? -slope : slope;
            java.util.function.DoubleUnaryOperator phi = alpha -> {
                moveTo(ps, start, dir, alpha);
                return sign * closure.evaluate();
            };
            double alpha = lineSearch.search(phi, sign * loss0, s0);
            moveTo(ps, start, dir, alpha);
            lastStep = alpha;
        }
        return loss0;
    }

    private static void moveTo(List<Variable> ps, List<Tensor> start, List<Tensor> dir, double alpha) {
        try (NoGrad ng = NoGrad.open()) {
            for (int i = 0; i < ps.size(); i++) {
                ps.get(i).data().copyFrom(start.get(i)).addScaledInPlace(dir.get(i), alpha);
            }
        }
    }

    @Override
    protected void updateGroup(ParamGroup group, List<Variable> params, List<Tensor> grads) {
        throw new UnsupportedOperationException(name() + ": call step(closure)");
    }
}
