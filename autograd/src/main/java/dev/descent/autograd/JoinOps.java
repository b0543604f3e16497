package dev.descent.autograd;

import dev.descent.core.Check;
import dev.descent.core.Shape;
import dev.descent.core.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * Joining and indexing. Concatenation and stacking hand each part its own piece of the
 * gradient. Gathering sends each gradient element back to the position it was read from,
 * adding where a position was read more than once: the backend's scatter-add, whose time and
 * memory are linear in the number of indices ({@code gather}'s gradient is a {@code scatterAdd},
 * {@code indexSelect}'s an {@code indexAdd}, and each of those differentiates back to the other).
 */
final class JoinOps {
    private JoinOps() {
    }

    static Variable concat(List<Variable> parts, int axis) {
        String op = "concat";
        Check.argument(!parts.isEmpty(), op, "expected at least one variable");
        List<Tensor> tensors = new ArrayList<>(parts.size());
        for (Variable v : parts) {
            tensors.add(v.use(op));
        }
        Tensor out = Tensor.concat(tensors, axis);
        int ax = Check.axis(op, axis, out.rank());
        int[] sizes = new int[parts.size()];
        int[] offsets = new int[parts.size()];
        for (int i = 0; i < sizes.length; i++) {
            sizes[i] = parts.get(i).size(ax);
            offsets[i] = i == 0 ? 0 : offsets[i - 1] + sizes[i - 1];
        }
        return Node.record(op, out, (n, g, i) -> g.narrow(ax, offsets[i], sizes[i]), parts.toArray(new Variable[0]));
    }

    static Variable stack(List<Variable> parts, int axis) {
        String op = "stack";
        Check.argument(!parts.isEmpty(), op, "expected at least one variable");
        List<Tensor> tensors = new ArrayList<>(parts.size());
        for (Variable v : parts) {
            tensors.add(v.use(op));
        }
        Tensor out = Tensor.stack(tensors, axis);
        int ax = axis < 0 ? axis + out.rank() : axis;
        return Node.record(op, out, (n, g, i) -> g.select(ax, i), parts.toArray(new Variable[0]));
    }

    static Variable gather(Variable a, int axis, Tensor index) {
        String op = "gather";
        Tensor x = a.use(op);
        Tensor out = x.gather(axis, index);
        int ax = Check.axis(op, axis, x.rank());
        Tensor kept = index.to(index.dtype());
        return Node.recordOwning(op, out, new Tensor[] {kept}, (n, g, i) -> scattered(a.shape(), ax, kept, g), a);
    }

    /**
     * Zeros of {@code shape} with {@code g} scattered in along {@code axis} at {@code index}: the
     * gradient of a gather, {@code result[..., j, ...] = Σ g[..., k, ...] over k with
     * index[..., k, ...] = j}, by one backend scatter-add (memory linear in the index). Recorded,
     * so that it can be differentiated again: its own gradient is {@code gather}.
     */
    private static Variable scattered(Shape shape, int axis, Tensor index, Variable g) {
        Tensor out = Tensor.zeros(g.device(), g.dtype(), shape.dims());
        try {
            out.scatterAddInPlace(axis, index, g.use("scatterAdd"));
        } catch (RuntimeException e) {
            out.close();
            throw e;
        }
        Tensor kept = index.to(index.dtype());
        return Node.recordOwning("scatterAdd", out, new Tensor[] {kept}, (n, gg, i) -> gg.gather(axis, kept), g);
    }

    /** As {@link Tensor#scatterAdd}; d/dself = g, d/dsrc = g gathered at the index. */
    static Variable scatterAdd(Variable self, int axis, Tensor index, Variable src) {
        String op = "scatterAdd";
        Tensor out = self.use(op).scatterAdd(axis, index, src.use(op));
        int ax = Check.axis(op, axis, out.rank());
        Tensor kept = index.to(index.dtype());
        return Node.recordOwning(op, out, new Tensor[] {kept}, (n, g, i) -> i == 0 ? g : g.gather(ax, kept), self,
                src);
    }

    static Variable indexSelect(Variable a, int axis, Tensor index) {
        String op = "indexSelect";
        Tensor x = a.use(op);
        Tensor out = x.indexSelect(axis, index);
        int ax = Check.axis(op, axis, x.rank());
        Tensor kept = index.to(index.dtype());
        return Node.recordOwning(op, out, new Tensor[] {kept}, (n, g, i) -> indexAdded(a.shape(), ax, kept, g), a);
    }

    /** Zeros of {@code shape} with the rows of {@code g} added at {@code index} along {@code axis}: indexSelect's gradient. */
    private static Variable indexAdded(Shape shape, int axis, Tensor index, Variable g) {
        try (Tensor zeros = Tensor.zeros(g.device(), g.dtype(), shape.dims())) {
            Tensor out = zeros.indexAdd(axis, index, g.use("indexAdd"));
            Tensor kept = index.to(index.dtype());
            return Node.recordOwning("indexAdd", out, new Tensor[] {kept}, (n, gg, i) -> gg.indexSelect(axis, kept), g);
        }
    }

    /** As {@link Tensor#indexAdd}; d/dself = g, d/dsource = g selected at the index. */
    static Variable indexAdd(Variable self, int axis, Tensor index, Variable source) {
        String op = "indexAdd";
        Tensor out = self.use(op).indexAdd(axis, index, source.use(op));
        int ax = Check.axis(op, axis, out.rank());
        Tensor kept = index.to(index.dtype());
        return Node.recordOwning(op, out, new Tensor[] {kept}, (n, g, i) -> i == 0 ? g : g.indexSelect(ax, kept),
                self, source);
    }
}
