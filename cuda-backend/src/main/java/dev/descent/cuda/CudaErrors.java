package dev.descent.cuda;

import static org.bytedeco.cuda.global.cudart.cuGetErrorName;
import static org.bytedeco.cuda.global.cudart.cudaGetErrorName;
import static org.bytedeco.cuda.global.cudart.cudaGetErrorString;

import org.bytedeco.cuda.global.cublas;
import org.bytedeco.cuda.global.nvrtc;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.PointerPointer;

/** Turns the status codes of the CUDA runtime, driver, cuBLAS and NVRTC into {@link CudaException}s. */
final class CudaErrors {
    private CudaErrors() {
    }

    /** Checks a CUDA runtime status ({@code cudaError_t}). */
    static void runtime(int status, String op, String call) {
        if (status != 0) {
            throw new CudaException("cuda: " + op + ": " + call + " failed with " + runtimeName(status));
        }
    }

    /** Checks a CUDA driver status ({@code CUresult}). */
    static void driver(int status, String op, String call) {
        if (status != 0) {
            throw new CudaException("cuda: " + op + ": " + call + " failed with " + driverName(status));
        }
    }

    /** Checks a cuBLAS status. */
    static void cublas(int status, String op, String call) {
        if (status != 0) {
            throw new CudaException("cuda: " + op + ": " + call + " failed with "
                    + string(cublas.cublasGetStatusName(status)) + " (" + string(cublas.cublasGetStatusString(status)) + ")");
        }
    }

    /** Checks an NVRTC status. */
    static void nvrtc(int status, String op, String call) {
        if (status != 0) {
            throw new CudaException("cuda: " + op + ": " + call + " failed with "
                    + string(nvrtc.nvrtcGetErrorString(status)));
        }
    }

    /** {@code cudaErrorMemoryAllocation (out of memory)}. */
    static String runtimeName(int status) {
        return string(cudaGetErrorName(status)) + " (" + string(cudaGetErrorString(status)) + ")";
    }

    static String driverName(int status) {
        PointerPointer<BytePointer> name = new PointerPointer<>(1);
        try {
            if (cuGetErrorName(status, name) != 0 || name.get(0) == null) {
                return "CUresult " + status;
            }
            return name.get(BytePointer.class, 0).getString();
        } finally {
            name.close();
        }
    }

    private static String string(BytePointer p) {
        return p == null || p.isNull() ? "unknown" : p.getString();
    }
}
