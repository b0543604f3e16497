package dev.descent.bench.cuda;

import static org.bytedeco.cuda.global.cublas.CUBLAS_DEFAULT_MATH;
import static org.bytedeco.cuda.global.cublas.CUBLAS_OP_N;
import static org.bytedeco.cuda.global.cublas.CUBLAS_TF32_TENSOR_OP_MATH;
import static org.bytedeco.cuda.global.cublas.cublasCreate_v2;
import static org.bytedeco.cuda.global.cublas.cublasDestroy_v2;
import static org.bytedeco.cuda.global.cublas.cublasGetStatusName;
import static org.bytedeco.cuda.global.cublas.cublasSetMathMode;
import static org.bytedeco.cuda.global.cublas.cublasSetStream_v2;
import static org.bytedeco.cuda.global.cublas.cublasSgemm_v2;
import static org.bytedeco.cuda.global.cudart.cudaGetErrorName;
import static org.bytedeco.cuda.global.cudart.cudaMemcpyAsync;
import static org.bytedeco.cuda.global.cudart.cudaMemcpyDeviceToDevice;
import static org.bytedeco.cuda.global.cudart.cudaSetDevice;
import static org.bytedeco.cuda.global.cudart.cudaStreamCreateWithFlags;
import static org.bytedeco.cuda.global.cudart.cudaStreamDestroy;
import static org.bytedeco.cuda.global.cudart.cudaStreamNonBlocking;
import static org.bytedeco.cuda.global.cudart.cudaStreamSynchronize;

import org.bytedeco.cuda.cublas.cublasContext;
import org.bytedeco.cuda.cudart.CUstream_st;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Pointer;

/**
 * The references the CUDA benchmarks are measured against: cuBLAS and the CUDA runtime called
 * directly on tensors' device memory ({@code CudaBackend.address}), as a user would call them.
 * They run on a stream and a cuBLAS handle of their own on device 0 (the backend keeps its own
 * to itself); callers synchronise the backend before this stream reads what it wrote.
 */
final class DirectCuda implements AutoCloseable {
    private final CUstream_st stream = new CUstream_st();
    private final cublasContext cublas = new cublasContext();
    // cuBLAS reads alpha and beta from host memory (its default pointer mode).
    private final FloatPointer one = new FloatPointer(1f);
    private final FloatPointer zero = new FloatPointer(0f);

    /**
     * @param tf32 whether cuBLAS may use TF32 matrix units: the backend's own setting, so that
     *     both sides compute at the same precision (off unless {@code descent.cuda.tf32=true})
     */
    DirectCuda(boolean tf32) {
        runtime(cudaSetDevice(0), "cudaSetDevice");
        runtime(cudaStreamCreateWithFlags(stream, cudaStreamNonBlocking), "cudaStreamCreateWithFlags");
        cublas(cublasCreate_v2(cublas), "cublasCreate");
        cublas(cublasSetStream_v2(cublas, stream), "cublasSetStream");
        cublas(cublasSetMathMode(cublas, tf32 ? CUBLAS_TF32_TENSOR_OP_MATH : CUBLAS_DEFAULT_MATH), "cublasSetMathMode");
    }

    /**
     * Queues the row-major float32 product {@code c = a·b} of n×n matrices. cuBLAS is
     * column-major, so it computes {@code cᵀ = bᵀ·aᵀ}: b is its first operand.
     */
    void sgemm(int n, FloatPointer a, FloatPointer b, FloatPointer c) {
        cublas(cublasSgemm_v2(cublas, CUBLAS_OP_N, CUBLAS_OP_N, n, n, n, one, b, n, a, n, zero, c, n), "cublasSgemm");
    }

    /** Queues the row-major float32 product {@code c = a·b} of an m×k by a k×n matrix (as {@link #sgemm(int, FloatPointer, FloatPointer, FloatPointer)}). */
    void sgemm(int m, int n, int k, FloatPointer a, FloatPointer b, FloatPointer c) {
        cublas(cublasSgemm_v2(cublas, CUBLAS_OP_N, CUBLAS_OP_N, n, m, k, one, b, n, a, k, zero, c, n), "cublasSgemm");
    }

    /** Queues a device-to-device copy of {@code bytes} bytes. */
    void copy(Pointer dst, Pointer src, long bytes) {
        runtime(cudaMemcpyAsync(dst, src, bytes, cudaMemcpyDeviceToDevice, stream), "cudaMemcpyAsync");
    }

    /** Waits for everything queued on this stream. */
    void synchronize() {
        runtime(cudaStreamSynchronize(stream), "cudaStreamSynchronize");
    }

    @Override
    public void close() {
        cublasDestroy_v2(cublas);
        cudaStreamDestroy(stream);
        one.close();
        zero.close();
    }

    private static void runtime(int status, String call) {
        if (status != 0) {
            throw new IllegalStateException("bench: " + call + " failed with " + cudaGetErrorName(status).getString());
        }
    }

    private static void cublas(int status, String call) {
        if (status != 0) {
            throw new IllegalStateException("bench: " + call + " failed with " + cublasGetStatusName(status).getString());
        }
    }
}
