package dev.descent.cpu;

import static org.bytedeco.openblas.global.openblas_nolapack.CblasNoTrans;
import static org.bytedeco.openblas.global.openblas_nolapack.CblasRowMajor;
import static org.bytedeco.openblas.global.openblas_nolapack.CblasTrans;
import static org.bytedeco.openblas.global.openblas_nolapack.cblas_dgemm;
import static org.bytedeco.openblas.global.openblas_nolapack.cblas_sgemm;

import dev.descent.core.DType;
import dev.descent.core.spi.StridedView;
import java.util.Arrays;

/**
 * Matrix products through OpenBLAS. A transposed view is passed as a BLAS transpose flag, not
 * copied; only a matrix whose strides BLAS cannot express (both strides non-unit, or a
 * broadcast inner dimension) is first copied to a contiguous block.
 */
final class Gemm {
    private Gemm() {
    }

    /** How BLAS reads one operand: transpose flag and leading dimension, or null if it cannot. */
    private record Blas(int trans, int ld) {
        static Blas of(long rowStride, long colStride, int rows, int cols) {
            if ((cols == 1 || colStride == 1) && (rows == 1 || rowStride >= Math.max(1, cols))) {
                return new Blas(CblasNoTrans, (int) (rows == 1 ? Math.max(1, cols) : rowStride));
            }
            if ((rows == 1 || rowStride == 1) && (cols == 1 || colStride >= Math.max(1, rows))) {
                return new Blas(CblasTrans, (int) (cols == 1 ? Math.max(1, rows) : colStride));
            }
            return null;
        }
    }

    static void matmul(CpuBackend backend, StridedView a, StridedView b, StridedView out) {
        int r = a.rank();
        int m = a.shape()[r - 2];
        int k = a.shape()[r - 1];
        int n = b.shape()[r - 1];
        if (m == 0 || n == 0) {
            return;
        }
        if (k == 0) {
            backend.fill(out, 0);
            return;
        }
        StridedView ac = blasReadable(backend, a);
        StridedView bc = blasReadable(backend, b);
        try {
            Blas ta = Blas.of(ac.strides()[r - 2], ac.strides()[r - 1], m, k);
            Blas tb = Blas.of(bc.strides()[r - 2], bc.strides()[r - 1], k, n);
            int[] batchShape = Arrays.copyOf(out.shape(), r - 2);
            Layout batch = Layout.of(batchShape, Arrays.copyOf(ac.strides(), r - 2), Arrays.copyOf(bc.strides(), r - 2),
                    Arrays.copyOf(out.strides(), r - 2));
            if (batch.numel == 0) {
                return;
            }
            Layout.Cursor ca = batch.cursor(0, ac.offset(), 0);
            Layout.Cursor cb = batch.cursor(1, bc.offset(), 0);
            Layout.Cursor co = batch.cursor(2, out.offset(), 0);
            CpuStorage sa = (CpuStorage) ac.storage();
            CpuStorage sb = (CpuStorage) bc.storage();
            CpuStorage so = (CpuStorage) out.storage();
            boolean single = out.dtype() == DType.FLOAT32;
            for (long i = 0; i < batch.numel; i++) {
                if (single) {
                    cblas_sgemm(CblasRowMajor, ta.trans(), tb.trans(), m, n, k, 1f, sa.floatPointer(ca.offset), ta.ld(),
                            sb.floatPointer(cb.offset), tb.ld(), 0f, so.floatPointer(co.offset), n);
                } else {
                    cblas_dgemm(CblasRowMajor, ta.trans(), tb.trans(), m, n, k, 1.0, sa.doublePointer(ca.offset),
                            ta.ld(), sb.doublePointer(cb.offset), tb.ld(), 0.0, so.doublePointer(co.offset), n);
                }
                ca.advance(1);
                cb.advance(1);
                co.advance(1);
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

    /** The view itself if BLAS can read its matrices, else a contiguous copy (the caller frees it). */
    private static StridedView blasReadable(CpuBackend backend, StridedView v) {
        int r = v.rank();
        if (Blas.of(v.strides()[r - 2], v.strides()[r - 1], v.shape()[r - 2], v.shape()[r - 1]) != null) {
            return v;
        }
        long n = v.numel();
        CpuStorage copy = new CpuStorage(v.dtype(), n);
        int[] shape = v.shape();
        long[] strides = new long[r];
        long s = 1;
        for (int d = r - 1; d >= 0; d--) {
            strides[d] = s;
            s *= Math.max(shape[d], 1);
        }
        StridedView c = new StridedView(copy, v.dtype(), 0, shape, strides);
        backend.copy(v, c);
        return c;
    }
}
