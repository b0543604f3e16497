package dev.descent.autograd;

import dev.descent.core.Check;
import dev.descent.core.DType;
import dev.descent.core.Device;
import dev.descent.core.Scope;
import dev.descent.core.Shape;
import dev.descent.core.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Joining and indexing. Concatenation and stacking hand each part its own piece of the
 * gradient. Gathering sends each gradient element back to the position it was read from,
 * adding where a position was read more than once; with no scatter primitive in the backend
 * SPI this is done with a one-hot mask (a matrix product for {@code indexSelect}), which costs
 * memory proportional to (number of indices) × (size of the indexed axis).
 */
final class JoinOps {
    private static final Map<PositionsKey, Tensor> POSITIONS = new ConcurrentHashMap<>();

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
        return Node.recordOwning(op, out, new Tensor[] {kept}, (n, g, i) -> scatterAdd(g, kept, ax, a.shape()), a);
    }

    /**
     * {@code result[..., j, ...] = sum of g[..., k, ...] over k with index[..., k, ...] = j}, zero
     * beyond the index's extent: the adjoint of {@link Tensor#gather}.
     */
    private static Variable scatterAdd(Variable g, Tensor index, int axis, Shape shape) {
        int size = shape.dim(axis);
        Tensor hits;
        try (Tensor idx = index.to(g.dtype());
             Tensor column = idx.unsqueeze(axis + 1);
             Tensor positions = positions(g, size, index.rank() + 1, axis + 1)) {
            hits = column.eq(positions);
        }
        Variable summed = g.unsqueeze(axis + 1).mul(Variable.constant(hits)).sum(new int[] {axis}, false);
        for (int d = 0; d < shape.rank(); d++) {
            if (summed.size(d) < shape.dim(d)) {
                int[] dims = summed.shape().dims();
                dims[d] = shape.dim(d);
                summed = ViewOps.embed(summed, Shape.of(dims), d, 0, 1);
            }
        }
        return summed;
    }

    static Variable indexSelect(Variable a, int axis, Tensor index) {
        String op = "indexSelect";
        Tensor x = a.use(op);
        Tensor out = x.indexSelect(axis, index);
        int ax = Check.axis(op, axis, x.rank());
        Tensor kept = index.to(index.dtype());
        return Node.recordOwning(op, out, new Tensor[] {kept}, (n, g, i) -> {
            // g moved so the indexed axis is last, times the one-hot [count, size], moved back.
            int last = g.rank() - 1;
            return g.transpose(ax, last).matmul(Variable.constant(oneHot(g, kept, a.size(ax)))).transpose(ax, last);
        }, a);
    }

    /** {@code [count, size]}: 1 where column j is the row's index. */
    private static Tensor oneHot(Variable like, Tensor index, int size) {
        try (Tensor idx = index.to(like.dtype());
             Tensor column = idx.unsqueeze(1);
             Tensor positions = positions(like, size, 2, 1)) {
            return column.eq(positions);
        }
    }

    /**
     * {@code 0, 1, ..., size-1} along axis {@code at} of a tensor of rank {@code rank} (size 1
     * elsewhere): a view of a vector kept per device, dtype and size, uploaded once rather than
     * at every backward pass through a gather (a training step's loss has one).
     */
    private static Tensor positions(Variable like, int size, int rank, int at) {
        Tensor iota = POSITIONS.computeIfAbsent(new PositionsKey(like.device(), like.dtype(), size), k -> {
            double[] values = new double[size];
            for (int j = 0; j < size; j++) {
                values[j] = j;
            }
            return Scope.escape(Tensor.of(k.device(), k.dtype(), values, size));
        });
        int[] dims = new int[rank];
        Arrays.fill(dims, 1);
        dims[at] = size;
        return iota.reshape(dims);
    }

    private record PositionsKey(Device device, DType dtype, int size) {
    }
}
