package dev.descent.core;

import java.util.Arrays;

/**
 * The sizes of a tensor's dimensions. Immutable. Rank 0 is a scalar; a size of 0 is an
 * empty tensor.
 */
public final class Shape {
    private static final Shape SCALAR = new Shape(new int[0]);
    private final int[] dims;
    private final long numel;

    private Shape(int[] dims) {
        this.dims = dims;
        long n = 1;
        for (int d : dims) {
            n = Math.multiplyExact(n, d);
        }
        this.numel = n;
    }

    /** A shape with the given sizes, each {@code >= 0}. */
    public static Shape of(int... dims) {
        if (dims.length == 0) {
            return SCALAR;
        }
        for (int d : dims) {
            if (d < 0) {
                throw new IllegalArgumentException("Shape: expected sizes >= 0, got " + Arrays.toString(dims));
            }
        }
        return new Shape(dims.clone());
    }

    /** The shape of a scalar (rank 0, one element). */
    public static Shape scalar() {
        return SCALAR;
    }

    public int rank() {
        return dims.length;
    }

    /** The size of dimension {@code axis} (negative counts from the end). */
    public int dim(int axis) {
        return dims[Check.axis("Shape.dim", axis, dims.length)];
    }

    /** A copy of the sizes. */
    public int[] dims() {
        return dims.clone();
    }

    /** The number of elements: the product of the sizes (1 for a scalar). */
    public long numel() {
        return numel;
    }

    /** Row-major (C-order) strides in elements. */
    public long[] contiguousStrides() {
        long[] strides = new long[dims.length];
        long s = 1;
        for (int i = dims.length - 1; i >= 0; i--) {
            strides[i] = s;
            s *= Math.max(dims[i], 1);
        }
        return strides;
    }

    /**
     * NumPy broadcasting: align from the right; two sizes agree when equal or when one is 1.
     * The error names the op and the first axis that disagrees.
     */
    public static Shape broadcast(String op, Shape a, Shape b) {
        if (a.equals(b)) {
            return a;
        }
        int rank = Math.max(a.rank(), b.rank());
        int[] out = new int[rank];
        for (int i = 0; i < rank; i++) {
            int da = sizeFromRight(a, rank - 1 - i);
            int db = sizeFromRight(b, rank - 1 - i);
            if (da != db && da != 1 && db != 1) {
                throw Check.fail(op, "shapes %s and %s do not broadcast: size %d vs %d at axis %d",
                        a, b, da, db, i);
            }
            out[i] = da == 1 ? db : da;
        }
        return new Shape(out);
    }

    /** Whether this shape broadcasts to {@code target} without changing {@code target}. */
    public boolean broadcastsTo(Shape target) {
        if (rank() > target.rank()) {
            return false;
        }
        for (int i = 0; i < rank(); i++) {
            int d = dims[rank() - 1 - i];
            if (d != 1 && d != target.dims[target.rank() - 1 - i]) {
                return false;
            }
        }
        return true;
    }

    private static int sizeFromRight(Shape s, int fromRight) {
        return fromRight < s.rank() ? s.dims[s.rank() - 1 - fromRight] : 1;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Shape s && Arrays.equals(dims, s.dims);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(dims);
    }

    @Override
    public String toString() {
        return Arrays.toString(dims);
    }
}
