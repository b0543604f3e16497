package dev.descent.core;

import dev.descent.core.spi.AdamUpdate;
import dev.descent.core.spi.Backend;
import dev.descent.core.spi.SgdUpdate;
import dev.descent.core.spi.ElementwiseProgram;
import dev.descent.core.spi.StridedView;
import java.util.List;

/**
 * Optimiser updates fused into one pass over each tensor's memory, on backends that offer them
 * ({@link Backend#fusedSgd}, {@link Backend#fusedAdam}). Each method validates its tensors and
 * returns false when the backend (or the tensors' layout) has no fused kernel, so that the
 * caller falls back to the composed form of the same update built from ordinary tensor ops.
 * The optimisers of the {@code optim} module keep that composed form beside the fused one and
 * test one against the other.
 */
public final class FusedUpdates {
    private FusedUpdates() {
    }

    /**
     * The SGD step of {@link SgdUpdate} on every parameter of the list, in place.
     *
     * @param buffers momentum buffers, one per parameter; ignored when momentum is 0
     * @return false when no fused kernel applies (nothing was changed)
     */
    public static boolean sgd(SgdUpdate u, List<Tensor> params, List<Tensor> grads, List<Tensor> buffers) {
        String op = "FusedUpdates.sgd";
        boolean momentum = u.momentum() != 0;
        int n = params.size();
        checkCount(op, "grads", n, grads);
        if (momentum) {
            checkCount(op, "buffers", n, buffers);
        }
        if (n == 0) {
            return true;
        }
        for (int i = 0; i < n; i++) {
            checkLike(op, "grad", params.get(i), grads.get(i), i);
            if (momentum) {
                checkLike(op, "momentum buffer", params.get(i), buffers.get(i), i);
            }
        }
        if (!fusable(params, grads, momentum ? buffers : null)) {
            return false;
        }
        Backend b = params.get(0).backend();
        return b.fusedSgd(u, views(params), views(grads), momentum ? views(buffers) : null);
    }

    /**
     * The Adam step of {@link AdamUpdate} on every parameter of the list, in place.
     *
     * @param maxExpAvgSq running maxima, one per parameter; ignored without AMSGrad
     * @return false when no fused kernel applies (nothing was changed)
     */
    public static boolean adam(AdamUpdate u, List<Tensor> params, List<Tensor> grads, List<Tensor> expAvg,
            List<Tensor> expAvgSq, List<Tensor> maxExpAvgSq) {
        String op = "FusedUpdates.adam";
        Check.argument(u.step() >= 1, op, "expected step >= 1 (steps count from 1), got %d", u.step());
        int n = params.size();
        checkCount(op, "grads", n, grads);
        checkCount(op, "expAvg", n, expAvg);
        checkCount(op, "expAvgSq", n, expAvgSq);
        if (u.amsgrad()) {
            checkCount(op, "maxExpAvgSq", n, maxExpAvgSq);
        }
        if (n == 0) {
            return true;
        }
        for (int i = 0; i < n; i++) {
            checkLike(op, "grad", params.get(i), grads.get(i), i);
            checkLike(op, "expAvg", params.get(i), expAvg.get(i), i);
            checkLike(op, "expAvgSq", params.get(i), expAvgSq.get(i), i);
            if (u.amsgrad()) {
                checkLike(op, "maxExpAvgSq", params.get(i), maxExpAvgSq.get(i), i);
            }
        }
        if (!fusable(params, grads, expAvg, expAvgSq, u.amsgrad() ? maxExpAvgSq : null)) {
            return false;
        }
        Backend b = params.get(0).backend();
        return b.fusedAdam(u, views(params), views(grads), views(expAvg), views(expAvgSq),
                u.amsgrad() ? views(maxExpAvgSq) : null);
    }

    private static void checkCount(String op, String what, int n, List<Tensor> list) {
        Check.argument(list != null && list.size() == n, op, "expected %d %s (one per parameter), got %s", n, what,
                list == null ? "none" : String.valueOf(list.size()));
    }

    private static void checkLike(String op, String what, Tensor param, Tensor t, int i) {
        param.checkOpen(op);
        t.checkOpen(op);
        Check.floating(op, param);
        Check.sameDType(op, param, t);
        Check.sameDevice(op, param, t);
        Check.argument(param.shape().equals(t.shape()), op, "%s %d has shape %s, expected the parameter's shape %s",
                what, i, t.shape(), param.shape());
    }

    /**
     * Runs an elementwise program (see {@link ElementwiseProgram}) over tensors of one shape,
     * dtype and device, in one pass on backends that offer it.
     *
     * @return false when the backend has no program kernel (nothing was changed)
     */
    public static boolean run(ElementwiseProgram program, List<Tensor> tensors, double... scalars) {
        String op = "FusedUpdates.run";
        checkProgramArguments(op, program, tensors, scalars);
        Tensor first = tensors.get(0);
        StridedView[] views = views(tensors);
        for (ElementwiseProgram.Store s : program.stores()) {
            Check.argument(views[s.tensor()].isContiguous() || noRepeats(views[s.tensor()]), op,
                    "tensor %d is stored into but repeats elements (a broadcast view)", s.tensor());
        }
        for (Tensor t : tensors) {
            if (t.backend() != first.backend()) {
                return false;
            }
        }
        return first.backend().runProgram(program, views, scalars);
    }

    /**
     * Runs {@code program} fused where the backend can ({@link #run}), else evaluates it step
     * by step with ordinary tensor ops (temporaries included): the same values either way, so
     * a caller needs no second code path.
     */
    public static void runOrCompose(ElementwiseProgram program, List<Tensor> tensors, double... scalars) {
        if (!run(program, tensors, scalars)) {
            compose(program, tensors, scalars);
        }
    }

    /**
     * Evaluates {@code program} step by step with ordinary tensor ops, each step a full-size
     * temporary: the composed reference form of any program, and the fallback of backends
     * without a program kernel.
     */
    public static void compose(ElementwiseProgram program, List<Tensor> tensors, double... scalars) {
        checkProgramArguments("FusedUpdates.compose", program, tensors, scalars);
        Tensor first = tensors.get(0);
        try (Scope scope = Scope.open()) {
            Tensor[] reg = new Tensor[program.registers()];
            for (int i = 0; i < program.tensors(); i++) {
                reg[i] = tensors.get(i);
            }
            for (int i = 0; i < program.scalars(); i++) {
                reg[program.tensors() + i] = Tensor.full(first.device(), first.dtype(), scalars[i]);
            }
            int r = program.tensors() + program.scalars();
            for (ElementwiseProgram.Step step : program.steps()) {
                reg[r++] = step.unary() != null ? reg[step.a()].apply(step.unary())
                        : reg[step.a()].apply(step.binary(), reg[step.b()]);
            }
            // Copies first, then stores: a store must not change what another store reads.
            Tensor[] values = new Tensor[program.stores().size()];
            for (int k = 0; k < values.length; k++) {
                values[k] = reg[program.stores().get(k).register()].broadcastTo(first.shape()).copy();
            }
            for (int k = 0; k < values.length; k++) {
                tensors.get(program.stores().get(k).tensor()).copyFrom(values[k]);
            }
        }
    }

    /** The counts the program expects, and one shape, floating dtype and device for all tensors. */
    private static void checkProgramArguments(String op, ElementwiseProgram program, List<Tensor> tensors,
            double[] scalars) {
        Check.argument(tensors.size() == program.tensors(), op, "the program reads %d tensors, got %d",
                program.tensors(), tensors.size());
        Check.argument(scalars.length == program.scalars(), op, "the program takes %d scalars, got %d",
                program.scalars(), scalars.length);
        for (int i = 0; i < tensors.size(); i++) {
            checkLike(op, "tensor", tensors.get(0), tensors.get(i), i);
        }
    }

    private static boolean noRepeats(StridedView v) {
        for (int d = 0; d < v.rank(); d++) {
            if (v.shape()[d] > 1 && v.strides()[d] == 0) {
                return false;
            }
        }
        return true;
    }

    /** One backend for all, and contiguous memory: what the kernels are written for. */
    @SafeVarargs
    private static boolean fusable(List<Tensor>... lists) {
        Backend first = null;
        for (List<Tensor> list : lists) {
            if (list == null) {
                continue;
            }
            for (Tensor t : list) {
                if (!t.isContiguous()) {
                    return false;
                }
                if (first == null) {
                    first = t.backend();
                } else if (t.backend() != first) {
                    return false;
                }
            }
        }
        return true;
    }

    private static StridedView[] views(List<Tensor> ts) {
        StridedView[] v = new StridedView[ts.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = ts.get(i).stridedView();
        }
        return v;
    }
}
