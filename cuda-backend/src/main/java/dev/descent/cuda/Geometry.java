package dev.descent.cuda;

import dev.descent.core.Check;
import java.util.Arrays;

/**
 * The shape of a kernel launch and each operand's strides, as the {@code Geometry} struct of
 * {@code native/cuda/descent.cuh} holds them: 1 + 8 + 4 × 8 int64 values. Size-1 dimensions
 * are dropped and neighbours that every operand walks contiguously are merged, so a
 * contiguous or simply broadcast op reaches the kernel with rank 1 and its index arithmetic
 * costs one multiply per operand.
 */
final class Geometry {
    static final int MAX_RANK = 8;
    static final int MAX_OPERANDS = 4;
    static final int LONGS = 1 + MAX_RANK + MAX_OPERANDS * MAX_RANK;

    private final int[] shape;
    private final long[][] strides;
    private final long numel;

    private Geometry(int[] shape, long[][] strides, long numel) {
        this.shape = shape;
        this.strides = strides;
        this.numel = numel;
    }

    /**
     * The geometry of {@code shape} walked by operands with the given strides (one array per
     * operand, each of the shape's rank).
     */
    static Geometry of(String op, int[] shape, long[]... operandStrides) {
        Geometry g = merge(shape, operandStrides);
        if (g == null) {
            throw Check.fail(op, "the cuda backend handles views of at most %d dimensions after merging "
                    + "contiguous ones; got shape %s (make the tensor contiguous first)", MAX_RANK, Arrays.toString(shape));
        }
        return g;
    }

    /** As {@link #of}, but null where the merged rank exceeds {@link #MAX_RANK}. */
    static Geometry merge(int[] shape, long[]... operandStrides) {
        long numel = 1;
        for (int s : shape) {
            numel *= s;
        }
        int operands = operandStrides.length;
        int[] dims = new int[shape.length];
        long[][] st = new long[operands][shape.length];
        int rank = 0;
        for (int d = 0; d < shape.length; d++) {
            if (shape[d] == 1) {
                continue;
            }
            if (rank > 0 && mergeable(operandStrides, st, rank - 1, d, shape[d])) {
                dims[rank - 1] *= shape[d];
                for (int k = 0; k < operands; k++) {
                    st[k][rank - 1] = operandStrides[k][d];
                }
                continue;
            }
            dims[rank] = shape[d];
            for (int k = 0; k < operands; k++) {
                st[k][rank] = operandStrides[k][d];
            }
            rank++;
        }
        if (rank > MAX_RANK) {
            return null;
        }
        if (rank == 0) {
            // A single element (or a scalar): rank 1 of size 1 keeps the kernel's fast path.
            return new Geometry(new int[] {1}, new long[operands][1], numel);
        }
        long[][] trimmed = new long[operands][];
        for (int k = 0; k < operands; k++) {
            trimmed[k] = Arrays.copyOf(st[k], rank);
        }
        return new Geometry(Arrays.copyOf(dims, rank), trimmed, numel);
    }

    /** Whether dimension d folds into the merged dimension `last` for every operand. */
    private static boolean mergeable(long[][] original, long[][] merged, int last, int d, int size) {
        for (int k = 0; k < original.length; k++) {
            if (merged[k][last] != original[k][d] * size) {
                return false;
            }
        }
        return true;
    }

    long numel() {
        return numel;
    }

    int rank() {
        return shape.length;
    }

    /** The struct's values for {@link KernelArgs#longs}. */
    long[] encode() {
        return encode(MAX_OPERANDS);
    }

    /**
     * The values of a {@code GeometryN<operands>} (1 + 8 + operands × 8 int64 values), the
     * struct of generated program kernels, which have one stride row per tensor.
     */
    long[] encode(int operands) {
        if (operands < strides.length) {
            throw new IllegalArgumentException("Geometry of " + strides.length + " operands encoded for " + operands);
        }
        long[] v = new long[1 + MAX_RANK + operands * MAX_RANK];
        v[0] = shape.length;
        for (int d = 0; d < shape.length; d++) {
            v[1 + d] = shape[d];
            for (int k = 0; k < strides.length; k++) {
                v[1 + MAX_RANK + k * MAX_RANK + d] = strides[k][d];
            }
        }
        return v;
    }

    @Override
    public String toString() {
        return "Geometry" + Arrays.toString(shape) + " strides " + Arrays.deepToString(strides);
    }
}
