package dev.descent.cuda;

import dev.descent.core.DType;

/**
 * A strided-batched GEMM in cuBLAS's own terms (column-major, op flags {@code CUBLAS_OP_N} or
 * {@code CUBLAS_OP_T}, device addresses): for each of {@code batch} problems,
 * {@code C = op(A)·op(B)} with C of m×n. {@link CudaContext} calls cuBLAS; the tests emulate
 * it on the host to check {@link CublasGemm}'s translation from row-major views.
 */
interface BatchedGemm {
    void gemm(DType dtype, int opA, int opB, int m, int n, int k, long a, int lda, long strideA, long b, int ldb,
            long strideB, long c, int ldc, long strideC, int batch);
}
