package dev.descent.cuda;

/**
 * A CUDA, cuBLAS or NVRTC call failed. The message names the op that made the call, the call
 * and the library's own error name, e.g. {@code cuda: matmul: cublasSgemmStridedBatched
 * failed with CUBLAS_STATUS_INVALID_VALUE (an invalid numeric value was used as an argument)}.
 */
public class CudaException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public CudaException(String message) {
        super(message);
    }

    public CudaException(String message, Throwable cause) {
        super(message, cause);
    }
}
