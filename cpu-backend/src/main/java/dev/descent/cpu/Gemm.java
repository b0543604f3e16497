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
 *
 * <p><b>Independent of the thread count.</b> OpenBLAS runs on one thread; a large product is
 * split by rows of the result over the backend's threads, one OpenBLAS call per block. OpenBLAS's
 * own threading would block the sum over k differently from its single-threaded path (for
 * k = 784, 384 + 200 + 200 against 384 + 208 + 192), so {@code --threads 1} and {@code 2} gave
 * different bits. A row block's elements are summed exactly as in one call over the whole
 * product, provided the block's rows start at a multiple of {@link #ROW_ALIGN} and every block
 * has at least {@link #MIN_BLOCK_WORK} multiply-adds (below about 10^6 OpenBLAS switches to its
 * small-matrix kernels, which sum differently); {@code ThreadCountIndependenceTest} checks this. A
 * batch of matrices too small to split (attention's per-head products) runs its matrices in
 * parallel instead, each by one call: the same call on any thread count.
 */
final class Gemm {
    /** Row blocks start at multiples of this (a multiple of every OpenBLAS register tile). */
    static final int ROW_ALIGN = 64;
    /** The least multiply-adds (m·n·k) of one row block: well above OpenBLAS's small-matrix sizes. */
    static final long MIN_BLOCK_WORK = 1L << 21;

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
            // a row of op(A) is a row of A, or a column when A is read transposed
            long aRowStep = ta.trans() == CblasNoTrans ? ta.ld() : 1;
            long[] blocks = rowBlocks(m, (long) n * k, CpuThreads.threads());
            if (blocks.length == 2 && batch.numel > 1) {
                // each matrix too small to split: the batch's matrices in parallel, one call each
                long[][] at = new long[3][(int) batch.numel];
                for (int i = 0; i < batch.numel; i++) {
                    at[0][i] = ca.offset;
                    at[1][i] = cb.offset;
                    at[2][i] = co.offset;
                    ca.advance(1);
                    cb.advance(1);
                    co.advance(1);
                }
                long grain = Math.max(1, MIN_BLOCK_WORK / Math.max(1L * m * n * k, 1));
                CpuThreads.parallelFor(batch.numel, grain, 1, (first, last) -> {
                    for (long i = first; i < last; i++) {
                        gemm(single, ta, tb, sa, sb, so, 0, m, at[0][(int) i], at[1][(int) i], at[2][(int) i], n, k,
                                aRowStep);
                    }
                });
                return;
            }
            for (long i = 0; i < batch.numel; i++) {
                long aAt = ca.offset;
                long bAt = cb.offset;
                long cAt = co.offset;
                CpuThreads.parallelFor(blocks.length - 1, 1, 1, (first, last) -> {
                    for (long blk = first; blk < last; blk++) {
                        gemm(single, ta, tb, sa, sb, so, blocks[(int) blk], blocks[(int) blk + 1], aAt, bAt, cAt, n,
                                k, aRowStep);
                    }
                });
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

    /**
     * The row boundaries of the blocks a product of m rows (each of {@code rowWork} = n·k
     * multiply-adds) is split into: at most {@code threads} blocks, each starting at a multiple
     * of {@link #ROW_ALIGN} and doing at least {@link #MIN_BLOCK_WORK}; one block when that leaves
     * fewer than two.
     */
    static long[] rowBlocks(int m, long rowWork, int threads) {
        long minRows = (MIN_BLOCK_WORK + rowWork - 1) / Math.max(rowWork, 1);
        long unitsPerBlock = Math.max(1, (minRows + ROW_ALIGN - 1) / ROW_ALIGN);
        long units = m / ROW_ALIGN;   // whole units; the rows beyond them go to the last block
        int parts = (int) Math.max(1, Math.min(threads, units / unitsPerBlock));
        long[] bounds = new long[parts + 1];
        for (int p = 1; p < parts; p++) {
            bounds[p] = units * p / parts * ROW_ALIGN;
        }
        bounds[parts] = m;
        return bounds;
    }

    /** Rows [from, to) of the product, by one single-threaded OpenBLAS call. */
    private static void gemm(boolean single, Blas ta, Blas tb, CpuStorage sa, CpuStorage sb, CpuStorage so, long from,
            long to, long aAt, long bAt, long cAt, int n, int k, long aRowStep) {
        int rows = (int) (to - from);
        if (single) {
            cblas_sgemm(CblasRowMajor, ta.trans(), tb.trans(), rows, n, k, 1f, sa.floatPointer(aAt + from * aRowStep),
                    ta.ld(), sb.floatPointer(bAt), tb.ld(), 0f, so.floatPointer(cAt + from * n), n);
        } else {
            cblas_dgemm(CblasRowMajor, ta.trans(), tb.trans(), rows, n, k, 1.0, sa.doublePointer(aAt + from * aRowStep),
                    ta.ld(), sb.doublePointer(bAt), tb.ld(), 0.0, so.doublePointer(cAt + from * n), n);
        }
    }

    /**
     * {@code C = op(A)·op(B) + beta·C} for one M × N block, by one single-threaded OpenBLAS call on
     * the storages' own memory (row-major, each operand at its element offset with its leading
     * dimension): the building block of the convolutions, which split their work themselves.
     */
    static void block(boolean transA, boolean transB, int m, int n, int k, CpuStorage a, long aAt, int lda,
            CpuStorage b, long bAt, int ldb, double beta, CpuStorage c, long cAt, int ldc) {
        int ta = transA ? CblasTrans : CblasNoTrans;
        int tb = transB ? CblasTrans : CblasNoTrans;
        if (c.dtype() == DType.FLOAT32) {
            cblas_sgemm(CblasRowMajor, ta, tb, m, n, k, 1f, a.floatPointer(aAt), lda, b.floatPointer(bAt), ldb,
                    (float) beta, c.floatPointer(cAt), ldc);
        } else {
            cblas_dgemm(CblasRowMajor, ta, tb, m, n, k, 1.0, a.doublePointer(aAt), lda, b.doublePointer(bAt), ldb,
                    beta, c.doublePointer(cAt), ldc);
        }
    }

    /** The view itself if BLAS can read its matrices, else a contiguous copy (the caller frees it). */
    private static StridedView blasReadable(CpuBackend backend, StridedView v) {
        int r = v.rank();
        if (Blas.of(v.strides()[r - 2], v.strides()[r - 1], v.shape()[r - 2], v.shape()[r - 1]) != null) {
            return v;
        }
        return contiguousCopy(backend, v);
    }

    /** A row-major copy of {@code v} in a storage of its own (the caller frees it). */
    static StridedView contiguousCopy(CpuBackend backend, StridedView v) {
        int r = v.rank();
        CpuStorage copy = new CpuStorage(v.dtype(), v.numel());
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
