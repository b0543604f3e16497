package dev.descent.autograd;

import dev.descent.core.Check;
import dev.descent.core.DType;
import dev.descent.core.Shape;
import dev.descent.core.Tensor;

/**
 * Views and shape changes. Each gradient is the inverse rearrangement of the output's gradient:
 * reshape back, permute back, sum what was expanded, and put what was sliced into zeros of the
 * input's shape. A view shares its input's memory, so it shares its version counter.
 */
final class ViewOps {
    private ViewOps() {
    }

    static Variable reshape(Variable a, int[] dims) {
        Tensor x = a.use("reshape");
        int[] in = x.shape().dims();
        return maybeView("reshape", x, x.reshape(dims), (n, g, i) -> g.reshape(in), a);
    }

    static Variable permute(Variable a, int[] order) {
        Tensor x = a.use("permute");
        Tensor out = x.permute(order);
        int[] inverse = new int[order.length];
        for (int i = 0; i < order.length; i++) {
            inverse[Check.axis("permute", order[i], x.rank())] = i;
        }
        return Node.recordView("permute", out, (n, g, i) -> g.permute(inverse), a);
    }

    static Variable transpose(Variable a, int p, int q) {
        Tensor out = a.use("transpose").transpose(p, q);
        return Node.recordView("transpose", out, (n, g, i) -> g.transpose(p, q), a);
    }

    static Variable t(Variable a) {
        Tensor out = a.use("t").t();
        return Node.recordView("t", out, (n, g, i) -> g.t(), a);
    }

    static Variable narrow(Variable a, int axis, int start, int length) {
        Tensor x = a.use("narrow");
        Tensor out = x.narrow(axis, start, length);
        int ax = Check.axis("narrow", axis, x.rank());
        return Node.recordView("narrow", out, (n, g, i) -> embed(g, a.shape(), ax, start, 1), a);
    }

    static Variable slice(Variable a, int axis, int start, int end, int step) {
        Tensor x = a.use("slice");
        Tensor out = x.slice(axis, start, end, step);
        int ax = Check.axis("slice", axis, x.rank());
        int size = x.size(ax);
        // The first index taken, as Tensor.slice resolves negative and out-of-range bounds.
        int lo = Math.min(Math.max(start < 0 ? start + size : start, 0), size);
        return Node.recordView("slice", out, (n, g, i) -> embed(g, a.shape(), ax, lo, step), a);
    }

    static Variable select(Variable a, int axis, int index) {
        Tensor x = a.use("select");
        Tensor out = x.select(axis, index);
        int ax = Check.axis("select", axis, x.rank());
        int at = index < 0 ? index + x.size(ax) : index;
        return Node.recordView("select", out, (n, g, i) -> embed(g.unsqueeze(ax), a.shape(), ax, at, 1), a);
    }

    static Variable expand(Variable a, int[] dims) {
        Tensor out = a.use("expand").expand(dims);
        // The backward pass sums the gradient back to the input's shape.
        return Node.recordView("expand", out, (n, g, i) -> g, a);
    }

    static Variable broadcastTo(Variable a, Shape target) {
        Tensor out = a.use("broadcastTo").broadcastTo(target);
        return Node.recordView("broadcastTo", out, (n, g, i) -> g, a);
    }

    static Variable squeeze(Variable a) {
        Tensor x = a.use("squeeze");
        int[] in = x.shape().dims();
        return Node.recordView("squeeze", x.squeeze(), (n, g, i) -> g.reshape(in), a);
    }

    static Variable squeeze(Variable a, int axis) {
        Tensor x = a.use("squeeze");
        int[] in = x.shape().dims();
        return Node.recordView("squeeze", x.squeeze(axis), (n, g, i) -> g.reshape(in), a);
    }

    static Variable unsqueeze(Variable a, int axis) {
        Tensor x = a.use("unsqueeze");
        int[] in = x.shape().dims();
        return Node.recordView("unsqueeze", x.unsqueeze(axis), (n, g, i) -> g.reshape(in), a);
    }

    static Variable contiguous(Variable a) {
        Tensor x = a.use("contiguous");
        return maybeView("contiguous", x, x.contiguous(), (n, g, i) -> g, a);
    }

    /** A second value on the same memory, recorded as the identity (so it has a node of its own). */
    static Variable alias(Variable a) {
        Tensor x = a.use("alias");
        return Node.recordView("alias", x.to(x.dtype()), (n, g, i) -> g, a);
    }

    /** Between floating dtypes the gradient is converted back; to an integer dtype the result is a constant. */
    static Variable to(Variable a, DType target) {
        Tensor x = a.use("to");
        DType source = x.dtype();
        if (!target.isFloating()) {
            return Variable.constant(x.to(target));
        }
        return maybeView("to", x, x.to(target), (n, g, i) -> g.to(source), a);
    }

    /**
     * The gradient of a slice: zeros of {@code shape} with {@code g} written at
     * {@code start, start+step, ...} along {@code axis}. Its own gradient is that slice again.
     */
    static Variable embed(Variable g, Shape shape, int axis, int start, int step) {
        String op = "sliceBackward";
        Tensor src = g.use(op);
        int length = src.size(axis);
        int end = length == 0 ? start : start + (length - 1) * step + 1;
        Tensor out = Tensor.zeros(src.device(), src.dtype(), shape.dims());
        try (Tensor window = out.slice(axis, start, end, step)) {
            window.copyFrom(src);
        }
        return Node.record(op, out, (n, gg, i) -> gg.slice(axis, start, end, step), g);
    }

    /** Records {@code out} as a view when it shares {@code x}'s memory, else as a new value (a copy was made). */
    private static Variable maybeView(String op, Tensor x, Tensor out, Node.Rule rule, Variable a) {
        boolean shared = out.stridedView().storage() == x.stridedView().storage();
        return shared ? Node.recordView(op, out, rule, a) : Node.record(op, out, rule, a);
    }
}
