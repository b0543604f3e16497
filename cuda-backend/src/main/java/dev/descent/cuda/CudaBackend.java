package dev.descent.cuda;

import dev.descent.core.BackendUnavailableException;
import dev.descent.core.DType;
import dev.descent.core.Device;
import dev.descent.core.Tensor;
import dev.descent.core.spi.Backend;
import dev.descent.core.spi.BinaryOp;
import dev.descent.core.spi.Capability;
import dev.descent.core.spi.ElementwiseProgram;
import dev.descent.core.spi.ReduceOp;
import dev.descent.core.spi.SoftmaxOp;
import dev.descent.core.spi.Storage;
import dev.descent.core.spi.StridedView;
import dev.descent.core.spi.UnaryOp;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.bytedeco.javacpp.Pointer;

/**
 * The tensor API on an NVIDIA GPU, selected as {@code cuda}: device memory through a caching
 * allocator, one stream per device, matrix products through cuBLAS and every other primitive
 * through Descent's own kernels ({@code native/cuda}, compiled for the device by NVRTC).
 *
 * <p>The constructor touches no native library; {@link #availability()} loads the CUDA
 * presets and asks the driver for devices behind a {@code catch (Throwable)}, so on a machine
 * without a GPU, driver or CUDA libraries the backend reports why and nothing crashes.
 *
 * <p>System properties: {@code descent.cuda.tf32=true} lets cuBLAS use TF32 matrix units for
 * float32 products (off by default: about 10 bits of mantissa instead of 23);
 * {@code descent.cuda.sync=true} synchronises after every op so that a failing kernel is
 * reported by its own op (slow; for debugging); {@code descent.cuda.kernelCache} is the folder
 * of compiled kernels; {@code descent.cuda.programDouble=true} computes float32 elementwise
 * programs in double (rounded once on store, as the CPU backend) instead of float. Only device 0 is driven for now.
 */
public final class CudaBackend implements Backend {
    private volatile CudaProbe.Result probe;
    private volatile Ops ops;

    /** Everything that needs the device, built on first use. */
    private record Ops(CudaContext context, ElementwiseKernels elementwise, ReductionKernels reductions,
            SoftmaxKernels softmax, GatherKernels gather, CublasGemm gemm, ProgramKernels programs) {
        static Ops create() {
            CudaContext c = new CudaContext(0);
            ElementwiseKernels e = new ElementwiseKernels(c);
            return new Ops(c, e, new ReductionKernels(c, c::allocate, c.multiprocessors()), new SoftmaxKernels(c),
                    new GatherKernels(c), new CublasGemm(c, e, c::allocate),
                    new ProgramKernels(c, Boolean.getBoolean("descent.cuda.programDouble")));
        }
    }

    @Override
    public String name() {
        return "cuda";
    }

    @Override
    public Availability availability() {
        return probe().availability();
    }

    private CudaProbe.Result probe() {
        CudaProbe.Result p = probe;
        if (p == null) {
            synchronized (this) {
                if (probe == null) {
                    probe = CudaProbe.probe();
                }
                p = probe;
            }
        }
        return p;
    }

    private Ops ops() {
        Ops o = ops;
        if (o == null) {
            synchronized (this) {
                if (ops == null) {
                    Availability a = availability();
                    if (!a.available()) {
                        throw new BackendUnavailableException("backend 'cuda' cannot run here: " + a.reason());
                    }
                    ops = Ops.create();
                }
                o = ops;
            }
        }
        return o;
    }

    @Override
    public List<Device> devices() {
        return availability().available() ? List.of(new Device("cuda", 0)) : List.of();
    }

    @Override
    public Set<Capability> capabilities() {
        return EnumSet.of(Capability.FLOAT64, Capability.INTEGER_OPS, Capability.REDUCED_PRECISION_MATMUL);
    }

    /** Bytes held by live CUDA tensors (rounded to the allocator's block sizes): a leak check. */
    public long liveBytes() {
        return ops == null ? 0 : ops.context().memory().liveBytes();
    }

    /** Bytes of freed device blocks kept for reuse. */
    public long cachedBytes() {
        return ops == null ? 0 : ops.context().memory().cachedBytes();
    }

    /** The most bytes live tensors have held at once. */
    public long peakBytes() {
        return ops == null ? 0 : ops.context().memory().peakBytes();
    }

    /** Returns every cached device block to the driver (for other processes, or before a large allocation). */
    public void releaseCachedMemory() {
        if (ops != null) {
            ops.context().memory().releaseCached();
        }
    }

    /** Waits until every op queued so far has run (for timing, or to surface a kernel's error). */
    public void synchronize() {
        ops().context().synchronize("synchronize");
    }

    /**
     * The device address of a contiguous CUDA tensor's first element, for calling CUDA libraries
     * (cuBLAS, {@code cudaMemcpyAsync}) on its memory directly, as {@code CpuBackend.address}
     * does for BLAS. Valid while the tensor is open. The backend queues its work on a stream of
     * its own: call {@link #synchronize()} before work on another stream reads the tensor.
     */
    public static Pointer address(Tensor t) {
        t.checkOpen("CudaBackend.address");
        StridedView v = t.stridedView();
        if (!(v.storage() instanceof CudaStorage s)) {
            throw new IllegalArgumentException("CudaBackend.address: expected a tensor on cuda, got one on " + t.device());
        }
        if (!v.isContiguous()) {
            throw new IllegalArgumentException("CudaBackend.address: expected a contiguous tensor, got " + t.describe()
                    + " with strides " + Arrays.toString(v.strides()) + "; call contiguous() first");
        }
        return new DevicePointer(s.address(v.offset()));
    }

    /** The device's compute capability as major * 10 + minor (90 for an H100). */
    public int computeCapability() {
        return ops().context().arch();
    }

    /** Whether float32 products may use TF32 matrix units ({@code descent.cuda.tf32}). */
    public boolean tf32() {
        return ops().context().tf32();
    }

    @Override
    public Storage allocate(Device device, DType dtype, long elements) {
        return ops().context().allocate(dtype, elements);
    }

    @Override
    public void copyFromHost(Object array, int arrayOffset, Storage dst, long dstOffset, int count) {
        if (count > 0) {
            ops().context().transfers().toDevice(array, arrayOffset, (CudaStorage) dst, dstOffset, count);
        }
    }

    @Override
    public void copyToHost(Storage src, long srcOffset, Object array, int arrayOffset, int count) {
        if (count > 0) {
            ops().context().transfers().toHost((CudaStorage) src, srcOffset, array, arrayOffset, count);
        }
    }

    @Override
    public void copy(StridedView src, StridedView dst) {
        ops().elementwise().copy(src, dst);
    }

    @Override
    public void fill(StridedView dst, double value) {
        ops().elementwise().fill(dst, value);
    }

    @Override
    public void unary(UnaryOp op, StridedView x, StridedView out) {
        ops().elementwise().unary(op, x, out);
    }

    @Override
    public void binary(BinaryOp op, StridedView a, StridedView b, StridedView out) {
        ops().elementwise().binary(op, a, b, out);
    }

    @Override
    public void binaryScalar(BinaryOp op, StridedView a, double scalar, StridedView out) {
        ops().elementwise().binaryScalar(op, a, scalar, out);
    }

    @Override
    public void addScaled(StridedView x, double alpha, StridedView y) {
        ops().elementwise().addScaled(x, alpha, y);
    }

    @Override
    public void where(StridedView cond, StridedView a, StridedView b, StridedView out) {
        ops().elementwise().where(cond, a, b, out);
    }

    @Override
    public void reduce(ReduceOp op, StridedView x, int[] axes, StridedView out) {
        ops().reductions().reduce(op, x, axes, out);
    }

    @Override
    public void softmax(SoftmaxOp op, StridedView x, int axis, StridedView out) {
        ops().softmax().softmax(op, x, axis, out);
    }

    @Override
    public void matmul(StridedView a, StridedView b, StridedView out) {
        ops().gemm().matmul(a, b, out);
    }

    @Override
    public void gather(StridedView src, int axis, StridedView index, StridedView out) {
        ops().gather().gather(src, axis, index, out);
    }

    /**
     * One generated kernel per program, dtype and layout (see {@link ProgramKernelSource}),
     * compiled by NVRTC on first use and cached on disk; the contiguous sets of a list in one
     * launch (more where the list exceeds the kernel-parameter space), each other set in its
     * own; false where it has none (see {@link ProgramKernels}). float32 programs compute in
     * float, each step rounded, unless {@code descent.cuda.programDouble=true}.
     */
    @Override
    public boolean runProgram(ElementwiseProgram program, List<StridedView[]> sets, double[] scalars) {
        return ops().programs().run(program, sets, scalars);
    }
}
