package dev.descent.lab.support;

import dev.descent.autograd.NoGrad;
import dev.descent.autograd.Variable;
import dev.descent.core.Scope;
import dev.descent.core.Tensor;
import dev.descent.optim.DivergenceDetector;
import dev.descent.optim.LossClosure;
import dev.descent.optim.Optimizer;
import java.util.function.Function;

/**
 * Runs a Descent optimiser on a small float64 parameter vector and records its trajectory:
 * each step zeroes the gradients, evaluates the loss through autograd, back-propagates and
 * calls the optimiser, inside a {@link Scope} so that a long run stays in constant memory.
 */
public final class Descend {
    private Descend() {
    }

    /** A float64 parameter holding {@code start}. */
    public static Variable parameter(double... start) {
        return Variable.parameter(Tensor.of(start, start.length));
    }

    /** The loss at {@code point}, evaluated without recording a graph. */
    public static double lossAt(Function<Variable, Variable> loss, double... point) {
        try (Scope ignored = Scope.open(); NoGrad off = NoGrad.open()) {
            return loss.apply(Variable.of(Tensor.of(point, point.length))).item();
        }
    }

    /** The gradient at {@code point}, by autograd. */
    public static double[] gradientAt(Function<Variable, Variable> loss, double... point) {
        try (Scope ignored = Scope.open()) {
            Variable x = Variable.of(Tensor.of(point, point.length), true);
            Variable l = loss.apply(x);
            l.backward();
            double[] g = x.grad().data().toDoubleArray();
            x.close();
            return g;
        }
    }

    /**
     * {@code steps} optimiser steps of {@code param} on {@code loss}. The trajectory holds
     * θ_0..θ_n with their losses; with a detector the run stops at the first loss it flags.
     */
    public static Trajectory run(Variable param, Optimizer opt, Function<Variable, Variable> loss, int steps,
            DivergenceDetector detector) {
        Trajectory t = new Trajectory();
        for (int k = 0; k <= steps; k++) {
            try (Scope ignored = Scope.open()) {
                opt.zeroGrad();
                Variable l = loss.apply(param);
                double value = l.item();
                t.add(param.data().toDoubleArray(), value);
                if (detector != null && detector.observe(value)) {
                    l.freeGraph();
                    t.markDiverged();
                    break;
                }
                if (k == steps) {
                    l.freeGraph();
                    break;
                }
                l.backward();
                opt.step();
            }
        }
        opt.zeroGrad();
        return t;
    }

    /** As {@link #run}, for optimisers that re-evaluate the loss (line searches, L-BFGS). */
    public static Trajectory runWithClosure(Variable param, Optimizer opt, Function<Variable, Variable> loss,
            int steps) {
        LossClosure closure = () -> {
            try (Scope ignored = Scope.open()) {
                opt.zeroGrad();
                Variable l = loss.apply(param);
                double v = l.item();
                l.backward();
                return v;
            }
        };
        Trajectory t = new Trajectory();
        t.add(param.data().toDoubleArray(), lossAt(loss, param.data().toDoubleArray()));
        for (int k = 0; k < steps; k++) {
            try (Scope ignored = Scope.open()) {
                opt.step(closure);
            }
            double[] p = param.data().toDoubleArray();
            t.add(p, lossAt(loss, p));
        }
        opt.zeroGrad();
        return t;
    }
}
