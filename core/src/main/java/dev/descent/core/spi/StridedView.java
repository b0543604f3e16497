package dev.descent.core.spi;

import dev.descent.core.DType;
import java.util.Arrays;

/**
 * How a backend sees a tensor: a storage, an element offset into it, and a shape with
 * strides in elements. A stride of 0 repeats an element (broadcasting); strides may be in
 * any order (transposed and permuted views).
 */
public record StridedView(Storage storage, DType dtype, long offset, int[] shape, long[] strides) {

    /** The number of elements the view addresses. */
    public long numel() {
        long n = 1;
        for (int d : shape) {
            n *= d;
        }
        return n;
    }

    public int rank() {
        return shape.length;
    }

    /** Whether elements lie in row-major order with no gaps (size-1 dimensions ignored). */
    public boolean isContiguous() {
        if (numel() == 0) {
            return true;
        }
        long expected = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            if (shape[i] != 1) {
                if (strides[i] != expected) {
                    return false;
                }
                expected *= shape[i];
            }
        }
        return true;
    }

    @Override
    public String toString() {
        return "StridedView[" + dtype + " offset=" + offset + " shape=" + Arrays.toString(shape)
                + " strides=" + Arrays.toString(strides) + "]";
    }
}
