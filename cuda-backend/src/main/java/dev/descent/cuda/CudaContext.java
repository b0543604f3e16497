package dev.descent.cuda;

import static org.bytedeco.cuda.global.cublas.CUBLAS_DEFAULT_MATH;
import static org.bytedeco.cuda.global.cublas.CUBLAS_TF32_TENSOR_OP_MATH;
import static org.bytedeco.cuda.global.cublas.cublasCreate_v2;
import static org.bytedeco.cuda.global.cublas.cublasDgemmStridedBatched;
import static org.bytedeco.cuda.global.cublas.cublasSgemmStridedBatched;
import static org.bytedeco.cuda.global.cublas.cublasSetMathMode;
import static org.bytedeco.cuda.global.cublas.cublasSetStream_v2;
import static org.bytedeco.cuda.global.cudart.cuLaunchKernel;
import static org.bytedeco.cuda.global.cudart.cudaDevAttrComputeCapabilityMajor;
import static org.bytedeco.cuda.global.cudart.cudaDevAttrComputeCapabilityMinor;
import static org.bytedeco.cuda.global.cudart.cudaDevAttrMultiProcessorCount;
import static org.bytedeco.cuda.global.cudart.cudaDeviceGetAttribute;
import static org.bytedeco.cuda.global.cudart.cudaSetDevice;
import static org.bytedeco.cuda.global.cudart.cudaStreamCreateWithFlags;
import static org.bytedeco.cuda.global.cudart.cudaStreamNonBlocking;
import static org.bytedeco.cuda.global.cudart.cudaStreamSynchronize;

import dev.descent.core.DType;
import dev.descent.core.Device;
import org.bytedeco.cuda.cublas.cublasContext;
import org.bytedeco.cuda.cudart.CUfunc_st;
import org.bytedeco.cuda.cudart.CUstream_st;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.FloatPointer;

/**
 * Everything the backend holds on its device: the stream every op is queued on, the cuBLAS
 * handle bound to it, the memory pool, the pinned transfer buffers and the kernels. Created
 * once, when the backend is first used on a machine where it is available.
 *
 * <p>The stream is only synchronised where a value must reach the host (a copy to a Java
 * array; a gather's index faults are raised there too, see {@link DeviceFaults}), unless
 * {@code descent.cuda.sync=true} asks for a synchronisation after every op, so that a failing
 * kernel is reported by the op that launched it.
 */
final class CudaContext implements KernelLauncher, BatchedGemm {
    static final int BLOCK = 256;

    private final Device device;
    private final int ordinal;
    private final CUstream_st stream = new CUstream_st();
    private final cublasContext cublas = new cublasContext();
    private final DeviceMemoryPool memory = new DeviceMemoryPool();
    private final HostTransfers transfers;
    private final DeviceFaults faults = new DeviceFaults(this);
    private final KernelLibrary kernels;
    private final int arch;
    private final int multiprocessors;
    private final boolean tf32;
    private final boolean syncEachOp;
    private final ThreadLocal<Boolean> current = ThreadLocal.withInitial(() -> false);
    // cuBLAS reads alpha and beta from host memory (its default pointer mode).
    private final FloatPointer oneF = new FloatPointer(1f);
    private final FloatPointer zeroF = new FloatPointer(0f);
    private final DoublePointer oneD = new DoublePointer(1.0);
    private final DoublePointer zeroD = new DoublePointer(0.0);

    CudaContext(int ordinal) {
        this.ordinal = ordinal;
        this.device = new Device("cuda", ordinal);
        makeCurrent();
        this.arch = attribute(cudaDevAttrComputeCapabilityMajor) * 10 + attribute(cudaDevAttrComputeCapabilityMinor);
        this.multiprocessors = attribute(cudaDevAttrMultiProcessorCount);
        CudaErrors.runtime(cudaStreamCreateWithFlags(stream, cudaStreamNonBlocking), "init", "cudaStreamCreateWithFlags");
        CudaErrors.cublas(cublasCreate_v2(cublas), "init", "cublasCreate");
        CudaErrors.cublas(cublasSetStream_v2(cublas, stream), "init", "cublasSetStream");
        this.tf32 = Boolean.getBoolean("descent.cuda.tf32");
        // Default math never uses TF32; the tensor-op mode does, and only when asked for.
        CudaErrors.cublas(cublasSetMathMode(cublas, tf32 ? CUBLAS_TF32_TENSOR_OP_MATH : CUBLAS_DEFAULT_MATH),
                "init", "cublasSetMathMode");
        this.syncEachOp = Boolean.getBoolean("descent.cuda.sync");
        this.transfers = new HostTransfers(this);
        this.kernels = new KernelLibrary(new KernelCompiler(arch));
    }

    private int attribute(int attr) {
        int[] v = new int[1];
        CudaErrors.runtime(cudaDeviceGetAttribute(v, attr, ordinal), "init", "cudaDeviceGetAttribute");
        return v[0];
    }

    /** Binds this device's primary context to the calling thread, once per thread. */
    void makeCurrent() {
        if (!current.get()) {
            CudaErrors.runtime(cudaSetDevice(ordinal), "init", "cudaSetDevice(" + ordinal + ")");
            current.set(true);
        }
    }

    Device device() {
        return device;
    }

    DeviceMemoryPool memory() {
        return memory;
    }

    HostTransfers transfers() {
        return transfers;
    }

    DeviceFaults faults() {
        return faults;
    }

    /** Whether {@code descent.cuda.sync} asks for a synchronisation after every op. */
    boolean syncEachOp() {
        return syncEachOp;
    }

    CUstream_st stream() {
        return stream;
    }

    cublasContext cublas() {
        return cublas;
    }

    int multiprocessors() {
        return multiprocessors;
    }

    /** The compute capability as major * 10 + minor (90 for an H100). */
    int arch() {
        return arch;
    }

    boolean tf32() {
        return tf32;
    }

    /** A new storage of {@code elements} values on this device. */
    CudaStorage allocate(DType dtype, long elements) {
        makeCurrent();
        return new CudaStorage(this, dtype, elements);
    }

    /** Launches {@code name} from {@code file} over {@code n} elements with a grid-stride loop. */
    @Override
    public void launch(String op, String file, String name, long n, KernelArgs args) {
        launch(op, file, name, gridFor(n, multiprocessors), BLOCK, 0, args);
    }

    @Override
    public void launch(String op, String file, String name, int grid, int block, int sharedBytes, KernelArgs args) {
        makeCurrent();
        CUfunc_st f = kernels.function(file, name);
        CudaErrors.driver(cuLaunchKernel(f, grid, 1, 1, block, 1, 1, sharedBytes, stream, args.pointers(), (org.bytedeco.javacpp.PointerPointer<?>) null),
                op, "cuLaunchKernel(" + name + ")");
        afterOp(op);
    }

    @Override
    public void launch(String op, GeneratedKernel kernel, long n, KernelArgs args) {
        makeCurrent();
        CUfunc_st f = kernels.function(kernel);
        CudaErrors.driver(cuLaunchKernel(f, gridFor(n, multiprocessors), 1, 1, BLOCK, 1, 1, 0, stream, args.pointers(),
                (org.bytedeco.javacpp.PointerPointer<?>) null), op, "cuLaunchKernel(" + kernel.name() + ")");
        afterOp(op);
    }

    @Override
    public void launchBlocks(String op, GeneratedKernel kernel, long blocks, KernelArgs args) {
        makeCurrent();
        CUfunc_st f = kernels.function(kernel);
        int grid = (int) Math.max(1, Math.min(blocks, (long) multiprocessors * 32));
        CudaErrors.driver(cuLaunchKernel(f, grid, 1, 1, BLOCK, 1, 1, 0, stream, args.pointers(),
                (org.bytedeco.javacpp.PointerPointer<?>) null), op, "cuLaunchKernel(" + kernel.name() + ")");
        afterOp(op);
    }

    /** Enough blocks to cover n elements, at most 32 per multiprocessor (the grid-stride loop does the rest). */
    static int gridFor(long n, int multiprocessors) {
        long blocks = Math.min((n + BLOCK - 1) / BLOCK, (long) multiprocessors * 32);
        return (int) Math.max(1, blocks);
    }

    @Override
    public void gemm(DType dtype, int opA, int opB, int m, int n, int k, long a, int lda, long strideA, long b, int ldb,
            long strideB, long c, int ldc, long strideC, int batch) {
        makeCurrent();
        if (dtype == DType.FLOAT32) {
            CudaErrors.cublas(cublasSgemmStridedBatched(cublas, opA, opB, m, n, k, oneF, new FloatPointer(new DevicePointer(a)),
                    lda, strideA, new FloatPointer(new DevicePointer(b)), ldb, strideB, zeroF,
                    new FloatPointer(new DevicePointer(c)), ldc, strideC, batch), "matmul", "cublasSgemmStridedBatched");
        } else {
            CudaErrors.cublas(cublasDgemmStridedBatched(cublas, opA, opB, m, n, k, oneD, new DoublePointer(new DevicePointer(a)),
                    lda, strideA, new DoublePointer(new DevicePointer(b)), ldb, strideB, zeroD,
                    new DoublePointer(new DevicePointer(c)), ldc, strideC, batch), "matmul", "cublasDgemmStridedBatched");
        }
        afterOp("matmul");
    }

    /** Synchronises after the op when {@code descent.cuda.sync} asks for it. */
    void afterOp(String op) {
        if (syncEachOp) {
            synchronize(op);
        }
    }

    /** Waits for every op queued so far; errors of earlier kernels surface here. */
    void synchronize(String op) {
        makeCurrent();
        CudaErrors.runtime(cudaStreamSynchronize(stream), op, "cudaStreamSynchronize");
    }
}
