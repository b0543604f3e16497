package dev.descent.cuda;

import static org.bytedeco.cuda.global.cublas.CUBLAS_OP_N;
import static org.bytedeco.cuda.global.cublas.CUBLAS_OP_T;

import dev.descent.core.DType;
import dev.descent.core.spi.Storage;
import dev.descent.core.spi.StridedView;
import java.util.Arrays;
import java.util.function.BiFunction;

/**
 * Batched matrix products through cuBLAS. cuBLAS is column-major, so a row-major
 * {@code C = A·B} is computed as the column-major {@code Cᵀ = Bᵀ·Aᵀ}: the operands swap
 * places and a row-major matrix with row stride {@code ld} is, to cuBLAS, its transpose with
 * leading dimension {@code ld}. A transposed view becomes the {@code T} op flag instead of a
 * copy; views with neither layout are copied to contiguous memory first. The batch
 * dimensions, merged where their strides allow, become one strided-batched call (batch
 * stride 0 reuses a matrix), with a host loop only over batch dimensions that do not merge.
 */
final class CublasGemm {
    private final BatchedGemm blas;
    private final ElementwiseKernels elementwise;
    private final BiFunction<DType, Long, Storage> allocate;

    /**
     * @param allocate device storage for contiguous copies of views cuBLAS cannot read
     */
    CublasGemm(BatchedGemm blas, ElementwiseKernels elementwise, BiFunction<DType, Long, Storage> allocate) {
        this.blas = blas;
        this.elementwise = elementwise;
        this.allocate = allocate;
    }

    /** How cuBLAS reads one operand's matrices: the op flag and the leading dimension, or null. */
    private record Operand(int op, int ld) {
        static Operand of(long rowStride, long colStride, int rows, int cols) {
            if ((cols == 1 || colStride == 1) && (rows == 1 || rowStride >= Math.max(1, cols))) {
                return new Operand(CUBLAS_OP_N, (int) (rows == 1 ? Math.max(1, cols) : rowStride));
            }
            if ((rows == 1 || rowStride == 1) && (cols == 1 || colStride >= Math.max(1, rows))) {
                return new Operand(CUBLAS_OP_T, (int) (cols == 1 ? Math.max(1, rows) : colStride));
            }
            return null;
        }
    }

    void matmul(StridedView a, StridedView b, StridedView out) {
        int r = a.rank();
        int m = a.shape()[r - 2];
        int k = a.shape()[r - 1];
        int n = b.shape()[r - 1];
        if (m == 0 || n == 0 || out.numel() == 0) {
            return;
        }
        if (k == 0) {
            elementwise.fill(out, 0);
            return;
        }
        StridedView ac = readable(a);
        StridedView bc = readable(b);
        try {
            Operand oa = Operand.of(ac.strides()[r - 2], ac.strides()[r - 1], m, k);
            Operand ob = Operand.of(bc.strides()[r - 2], bc.strides()[r - 1], k, n);
            Geometry batch = Geometry.of("matmul", Arrays.copyOf(out.shape(), r - 2), Arrays.copyOf(ac.strides(), r - 2),
                    Arrays.copyOf(bc.strides(), r - 2), Arrays.copyOf(out.strides(), r - 2));
            long[] g = batch.encode();
            int rank = batch.rank();
            int last = rank - 1;
            int count = (int) g[1 + last];
            long strideA = g[1 + Geometry.MAX_RANK + last];
            long strideB = g[1 + 2 * Geometry.MAX_RANK + last];
            long strideC = g[1 + 3 * Geometry.MAX_RANK + last];
            long outer = batch.numel() / count;
            long[] at = new long[3];
            for (long o = 0; o < outer; o++) {
                // Offsets of this outer batch index, row-major over the dimensions before the last.
                Arrays.fill(at, 0);
                long rest = o;
                for (int d = last - 1; d >= 0; d--) {
                    long size = g[1 + d];
                    long c = rest % size;
                    rest /= size;
                    for (int q = 0; q < 3; q++) {
                        at[q] += c * g[1 + (q + 1) * Geometry.MAX_RANK + d];
                    }
                }
                // Column-major Cᵀ (n×m) = Bᵀ (n×k) · Aᵀ (k×m).
                blas.gemm(out.dtype(), ob.op(), oa.op(), n, m, k, address(bc, at[1]), ob.ld(), strideB,
                        address(ac, at[0]), oa.ld(), strideA, address(out, at[2]), n, strideC, count);
            }
        } finally {
            if (ac != a) {
                ac.storage().free();
            }
            if (bc != b) {
                bc.storage().free();
            }
        }
    }

    private static long address(StridedView v, long elementOffset) {
        return ((DeviceAddressed) v.storage()).address(v.offset() + elementOffset);
    }

    /** The view itself if cuBLAS can read its matrices, else a contiguous copy (the caller frees it). */
    private StridedView readable(StridedView v) {
        int r = v.rank();
        if (Operand.of(v.strides()[r - 2], v.strides()[r - 1], v.shape()[r - 2], v.shape()[r - 1]) != null) {
            return v;
        }
        int[] shape = v.shape();
        long[] strides = new long[r];
        long s = 1;
        for (int d = r - 1; d >= 0; d--) {
            strides[d] = s;
            s *= Math.max(shape[d], 1);
        }
        Storage copy = allocate.apply(v.dtype(), v.numel());
        StridedView c = new StridedView(copy, v.dtype(), 0, shape, strides);
        elementwise.copy(v, c);
        return c;
    }
}
