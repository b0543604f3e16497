package dev.descent.nn;

import dev.descent.autograd.Variable;
import dev.descent.core.Check;
import dev.descent.core.DType;
import dev.descent.core.Generator;
import dev.descent.core.Tensor;
import dev.descent.nn.init.Init;

/**
 * A lookup table, as PyTorch's {@code nn.Embedding}: integer indices {@code [...]} (int32 or
 * int64) in {@code 0..count-1} give the rows {@code weight[index]}, {@code [..., dim]}. The
 * forward pass is one gather of rows ({@code indexSelect}); the backward pass adds each row's
 * gradient into the table at its index (one scatter-add, memory linear in the number of indices).
 *
 * <p>Initialisation as PyTorch's: {@code weight ~ N(0, 1)}. With a padding index p, row p starts
 * at 0 and gets no gradient: the positions holding p contribute nothing to the table's gradient
 * (PyTorch's {@code padding_idx}). An index out of range is refused by the gather, on the device.
 */
public final class Embedding extends Module {
    private final int count;
    private final int dim;
    private final int paddingIndex;

    /** A float32 table of {@code count} rows of {@code dim}, without a padding index. */
    public Embedding(int count, int dim, Generator gen) {
        this(count, dim, -1, DType.FLOAT32, gen);
    }

    /**
     * @param paddingIndex the row that stays 0 and gets no gradient, or -1 for none (a negative
     *     index other than -1 counts from the end, as PyTorch's)
     */
    public Embedding(int count, int dim, int paddingIndex, DType dtype, Generator gen) {
        Check.argument(count > 0 && dim > 0, "Embedding", "expected count > 0 and dim > 0, got count %d, dim %d",
                count, dim);
        Check.argument(paddingIndex >= -count && paddingIndex < count, "Embedding",
                "expected a padding index from %d to %d (-1: none), got %d", -count, count - 1, paddingIndex);
        Check.argument(dtype != null && dtype.isFloating(), "Embedding", "expected a floating dtype, got %s", dtype);
        this.count = count;
        this.dim = dim;
        this.paddingIndex = paddingIndex == -1 ? -1 : Math.floorMod(paddingIndex, count);
        Tensor w = Tensor.empty(dtype, count, dim);
        Init.normal(w, gen, 0, 1);
        if (this.paddingIndex >= 0) {
            try (Tensor row = w.select(0, this.paddingIndex)) {
                row.fill(0);
            }
        }
        addParameter("weight", w);
    }

    /** The table, {@code [count, dim]}. */
    public Variable weight() {
        return parameter("weight");
    }

    public int count() {
        return count;
    }

    public int dim() {
        return dim;
    }

    /** The padding index, or -1. */
    public int paddingIndex() {
        return paddingIndex;
    }

    /** The rows at {@code indices} (an integer tensor; its values are read on the device). */
    @Override
    public Variable forward(Variable indices) {
        return lookup(indices.data());
    }

    /** {@link #forward} on a tensor of indices. */
    public Variable lookup(Tensor indices) {
        String op = "Embedding.forward";
        indices.checkOpen(op);
        Check.argument(indices.dtype() == DType.INT32 || indices.dtype() == DType.INT64, op,
                "expected int32 or int64 indices, got %s", indices.dtype());
        int[] outDims = new int[indices.rank() + 1];
        System.arraycopy(indices.shape().dims(), 0, outDims, 0, indices.rank());
        outDims[indices.rank()] = dim;
        try (Tensor flat = indices.reshape(-1)) {
            Variable rows = weight().indexSelect(0, flat);
            if (paddingIndex >= 0) {
                // the padding positions read the table's row as a constant: no gradient reaches it
                try (Tensor padded = flat.eq(paddingIndex);
                     Tensor column = padded.unsqueeze(1);
                     Tensor constantRows = weight().data().indexSelect(0, flat)) {
                    rows = Variable.where(column, Variable.of(constantRows.copy()), rows);
                }
            }
            return rows.reshape(outDims);
        }
    }

    @Override
    protected String describeSettings() {
        return "count=" + count + ", dim=" + dim + (paddingIndex >= 0 ? ", paddingIndex=" + paddingIndex : "");
    }
}
