package dev.descent.autograd;

import dev.descent.core.Check;
import dev.descent.core.Shape;
import dev.descent.core.Tensor;

/**
 * Reductions, each forward beside its backward rule. A reduction's gradient is the output's
 * gradient put back over the reduced axes: reshaped to keep them (size 1) and broadcast to the
 * input's shape ({@link #spread}).
 */
final class ReductionOps {
    private ReductionOps() {
    }

    /** d sum = 1 for every element. */
    static Variable sum(Variable a, int[] axes, boolean keepDim) {
        Tensor x = a.use("sum");
        int[] ax = Check.axes("sum", axes, x.rank());
        return Node.record("sum", x.sum(ax, keepDim), (n, g, i) -> spread(g, a.shape(), ax), a);
    }

    /** d mean = 1/N for every element. */
    static Variable mean(Variable a, int[] axes, boolean keepDim) {
        Tensor x = a.use("mean");
        int[] ax = Check.axes("mean", axes, x.rank());
        long count = count(x.shape(), ax);
        return Node.record("mean", x.mean(ax, keepDim), (n, g, i) -> spread(g.div(count), a.shape(), ax), a);
    }

    /** The gradient goes to the maximal elements, shared equally among ties (as PyTorch's amax). */
    static Variable max(Variable a, int[] axes, boolean keepDim) {
        Tensor x = a.use("max");
        int[] ax = Check.axes("max", axes, x.rank());
        return Node.record("max", x.max(ax, keepDim),
                (n, g, i) -> spread(g, a.shape(), ax).mul(Variable.constant(tieShares(n, a, ax))), a);
    }

    static Variable min(Variable a, int[] axes, boolean keepDim) {
        Tensor x = a.use("min");
        int[] ax = Check.axes("min", axes, x.rank());
        return Node.record("min", x.min(ax, keepDim),
                (n, g, i) -> spread(g, a.shape(), ax).mul(Variable.constant(tieShares(n, a, ax))), a);
    }

    /** 1/k at each of the k elements equal to the extreme of their slice, 0 elsewhere. */
    private static Tensor tieShares(Node n, Variable a, int[] axes) {
        Tensor x = n.saved(a).data();
        try (Tensor extreme = n.output().data().reshape(keptDims(x.shape(), axes));
             Tensor hits = x.eq(extreme);
             Tensor count = hits.sum(axes, true)) {
            return hits.div(count);
        }
    }

    /** d var = 2 (x - mean) / (N - correction). */
    static Variable var(Variable a, int[] axes, int correction, boolean keepDim) {
        Tensor x = a.use("var");
        int[] ax = Check.axes("var", axes, x.rank());
        long count = count(x.shape(), ax);
        return Node.record("var", x.var(ax, correction, keepDim), (n, g, i) -> {
            Variable v = n.saved(a);
            Variable centred = v.sub(v.mean(ax, true));
            return spread(g, a.shape(), ax).mul(centred).mul(2.0 / Math.max(count - correction, 0));
        }, a);
    }

    /** d logsumexp = softmax: exp(x - out). */
    static Variable logsumexp(Variable a, int[] axes, boolean keepDim) {
        Tensor x = a.use("logsumexp");
        int[] ax = Check.axes("logsumexp", axes, x.rank());
        return Node.record("logsumexp", x.logsumexp(ax, keepDim), (n, g, i) -> {
            Variable out = n.output().reshape(keptDims(a.shape(), ax));
            return spread(g, a.shape(), ax).mul(n.saved(a).sub(out).exp());
        }, a);
    }

    /**
     * d‖x‖_p = sign(x)·|x|^(p−1)/‖x‖^(p−1): x/‖x‖ for p = 2, sign(x) for p = 1, and for p = ∞ the
     * extreme elements' signs shared equally among ties (as max). Where the norm is 0 the
     * gradient is 0, as PyTorch's.
     */
    static Variable norm(Variable a, double p, int[] axes, boolean keepDim) {
        String op = "norm";
        Tensor x = a.use(op);
        int[] ax = Check.axes(op, axes, x.rank());
        Tensor out = x.norm(p, axes, keepDim);
        return Node.record(op, out, (n, g, i) -> {
            Variable v = n.saved(a);
            Variable spreadG = spread(g, a.shape(), ax);
            if (p == 1) {
                return spreadG.mul(v.sign());
            }
            Variable norm = spread(n.output(), a.shape(), ax);
            try (Tensor zero = norm.data().eq(0)) {
                // a zero norm divides by 1 instead, and its slice gets 0: g·0/1
                Variable safe = Variable.where(zero, Variable.constant(Tensor.ones(norm.device(), norm.dtype())),
                        norm);
                if (p == Double.POSITIVE_INFINITY) {
                    Tensor hits = v.data().abs().eq(norm.data());
                    Tensor shares;
                    try (Tensor count = hits.sum(ax, true)) {
                        shares = hits.div(count.maximum(1));
                    }
                    hits.close();
                    return spreadG.mul(v.sign()).mul(Variable.constant(shares));
                }
                Variable ratio = v.div(safe);
                // sign(x)·|x/‖x‖|^(p−1): 0 at x = 0 for p > 1 (ratio·|ratio|^(p−2) would be 0·∞ there for p < 2)
                Variable scaled = p == 2 ? ratio : ratio.abs().pow(p - 1).mul(ratio.sign());
                return Variable.where(zero, Variable.constant(Tensor.zeros(g.device(), g.dtype())),
                        spreadG.mul(scaled));
            }
        }, a);
    }

    /** The inverse of broadcasting: sums the axes that broadcasting added or stretched. */
    static Variable sumTo(Variable a, Shape target) {
        Tensor x = a.use("sumTo");
        if (x.shape().equals(target)) {
            return a;
        }
        return Node.record("sumTo", Broadcasting.sumTo("sumTo", x, target),
                (n, g, i) -> g.broadcastTo(a.shape()), a);
    }

    /** {@code g}, the gradient of a reduction over {@code axes}, spread back over {@code shape}. */
    static Variable spread(Variable g, Shape shape, int[] axes) {
        return g.reshape(keptDims(shape, axes)).broadcastTo(shape);
    }

    /** {@code shape} with size 1 at each reduced axis. */
    static int[] keptDims(Shape shape, int[] axes) {
        int[] dims = shape.dims();
        for (int a : axes) {
            dims[a] = 1;
        }
        return dims;
    }

    private static long count(Shape shape, int[] axes) {
        long n = 1;
        for (int a : axes) {
            n *= shape.dim(a);
        }
        return n;
    }
}
