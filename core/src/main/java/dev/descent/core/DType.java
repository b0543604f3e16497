package dev.descent.core;

/**
 * Element types of a tensor.
 *
 * <p>Promotion is never implicit between tensors: a binary op on two tensors of different
 * dtypes is an error, and {@link Tensor#to(DType)} converts explicitly. A Java scalar operand
 * ({@code x.mul(0.5)}) takes the tensor's dtype. Casting a floating value to an integer type
 * truncates toward zero, as a C cast and PyTorch do.
 */
public enum DType {
    FLOAT32("float32", 4, true),
    FLOAT64("float64", 8, true),
    INT32("int32", 4, false),
    INT64("int64", 8, false);

    private final String label;
    private final int byteSize;
    private final boolean floating;

    DType(String label, int byteSize, boolean floating) {
        this.label = label;
        this.byteSize = byteSize;
        this.floating = floating;
    }

    /** Bytes per element. */
    public int byteSize() {
        return byteSize;
    }

    /** Whether this is a floating-point type (the types gradients and most math ops need). */
    public boolean isFloating() {
        return floating;
    }

    /** The smallest finite value of this type, as a double. */
    public double lowest() {
        return switch (this) {
            case FLOAT32 -> -Float.MAX_VALUE;
            case FLOAT64 -> -Double.MAX_VALUE;
            case INT32 -> Integer.MIN_VALUE;
            case INT64 -> Long.MIN_VALUE;
        };
    }

    /** The largest finite value of this type, as a double. */
    public double highest() {
        return switch (this) {
            case FLOAT32 -> Float.MAX_VALUE;
            case FLOAT64 -> Double.MAX_VALUE;
            case INT32 -> Integer.MAX_VALUE;
            case INT64 -> Long.MAX_VALUE;
        };
    }

    @Override
    public String toString() {
        return label;
    }
}
