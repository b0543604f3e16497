package dev.descent.cpu;

import dev.descent.core.DType;
import dev.descent.core.Device;
import dev.descent.core.Tensor;
import dev.descent.core.spi.Backend;
import dev.descent.core.spi.BinaryOp;
import dev.descent.core.spi.Capability;
import dev.descent.core.spi.MemoryUse;
import dev.descent.core.spi.Conv2dGeometry;
import dev.descent.core.spi.ElementwiseProgram;
import dev.descent.core.spi.Pool2dGeometry;
import dev.descent.core.spi.ReduceOp;
import dev.descent.core.spi.SoftmaxOp;
import dev.descent.core.spi.Storage;
import dev.descent.core.spi.StridedView;
import dev.descent.core.spi.UnaryOp;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.openblas.global.openblas_nolapack;

/**
 * The CPU backend: storage off the Java heap (malloc through JavaCPP), matrix products
 * through OpenBLAS, elementwise ops and reductions in Java over chunks, on
 * {@code descent.cpu.threads} threads (default: every core) above a size threshold. Every result
 * has the same bits whatever the thread count.
 */
public final class CpuBackend implements Backend {
    private static final Device CPU = Device.cpu();
    private volatile Availability availability;

    @Override
    public String name() {
        return "cpu";
    }

    @Override
    public Availability availability() {
        Availability a = availability;
        if (a == null) {
            a = probe();
            availability = a;
        }
        return a;
    }

    private static Availability probe() {
        try {
            Loader.load(openblas_nolapack.class);
            openblas_nolapack.blas_set_num_threads(1);   // Gemm splits products over the backend's threads
            return Availability.yes();
        } catch (Throwable t) {
            return Availability.no("OpenBLAS could not be loaded (" + t + "); the CPU backend needs "
                    + "org.bytedeco:openblas with the natives for " + Loader.getPlatform());
        }
    }

    @Override
    public List<Device> devices() {
        return availability().available() ? List.of(CPU) : List.of();
    }

    @Override
    public Set<Capability> capabilities() {
        return EnumSet.of(Capability.FLOAT64, Capability.INTEGER_OPS);
    }

    /** Threads used for elementwise ops, reductions and matrix products. */
    public static int threads() {
        return CpuThreads.threads();
    }

    /**
     * Sets the threads used for elementwise ops, reductions and matrix products. Results do not
     * depend on it (see {@code Reductions} and {@code Gemm}).
     */
    public static void setThreads(int n) {
        CpuThreads.setThreads(n);
    }

    /**
     * Chooses oneDNN's convolutions for float32 (true) or Descent's own (false, the default; also
     * the system property {@code descent.cpu.convolutions}, {@code onednn} or {@code descent}).
     * oneDNN's run on its OpenMP threads and round differently: see {@code OneDnnConvolution}.
     *
     * @throws dev.descent.core.BackendUnavailableException if oneDNN cannot be loaded here
     */
    public static void useOneDnnConvolutions(boolean on) {
        OneDnnConvolution.setEnabled(on);
    }

    /** Whether float32 convolutions run on oneDNN. */
    public static boolean oneDnnConvolutions() {
        return OneDnnConvolution.enabled();
    }

    /**
     * Whether float32 softmax, log-softmax and logsumexp rows run in C here (compiled with gcc at
     * the first call: see {@code descent.cpu.nativeRows}), and why not when they run in Java.
     */
    public static Availability nativeSoftmaxRows() {
        return NativeSoftmaxRows.availability();
    }

    @Override
    public MemoryUse memoryInUse(Device device) {
        return CpuStorage.POOL.inUse();
    }

    /** Bytes held by CPU tensors not yet freed: a leak check for tests and tools. */
    public static long liveBytes() {
        return CpuStorage.POOL.liveBytes();
    }

    /** Calls of {@link #runProgram} so far, each one pass over a list of tensor sets: for tests and tools. */
    public static long programRuns() {
        return ProgramKernel.runs();
    }

    /** Bytes of freed blocks kept for reuse (at most {@code descent.cpu.cacheBytes}). */
    public static long cachedBytes() {
        return CpuStorage.POOL.cachedBytes();
    }

    /** Returns every cached block to the operating system. */
    public static void releaseCachedMemory() {
        CpuStorage.POOL.release();
    }

    /**
     * The address of a contiguous tensor's first element, for calling native libraries
     * (BLAS, LAPACK) on its memory directly. Valid while the tensor is open.
     */
    public static Pointer address(Tensor t) {
        t.checkOpen("CpuBackend.address");
        StridedView v = t.stridedView();
        if (!(v.storage() instanceof CpuStorage s)) {
            throw new IllegalArgumentException("CpuBackend.address: expected a tensor on cpu, got one on " + t.device());
        }
        if (!v.isContiguous()) {
            throw new IllegalArgumentException("CpuBackend.address: expected a contiguous tensor, got " + t.describe()
                    + " with strides " + Arrays.toString(v.strides()) + "; call contiguous() first");
        }
        return new Pointer(s.memory()).position(v.offset() * t.dtype().byteSize());
    }

    @Override
    public Storage allocate(Device device, DType dtype, long elements) {
        return new CpuStorage(dtype, elements);
    }

    @Override
    public void copyFromHost(Object array, int arrayOffset, Storage dst, long dstOffset, int count) {
        ((CpuStorage) dst).access().fromArray(array, arrayOffset, dstOffset, count);
    }

    @Override
    public void copyToHost(Storage src, long srcOffset, Object array, int arrayOffset, int count) {
        ((CpuStorage) src).access().toArray(srcOffset, array, arrayOffset, count);
    }

    @Override
    public void copy(StridedView src, StridedView dst) {
        if (FastPaths.copy(src, dst)) {
            return;
        }
        boolean from = src.dtype().isFloating();
        boolean to = dst.dtype().isFloating();
        Elementwise.run(dst, new StridedView[] {src}, (in, out, n) -> {
            if (from && to) {
                System.arraycopy(in[0].d, 0, out.d, 0, n);
            } else if (!from && !to) {
                System.arraycopy(in[0].l, 0, out.l, 0, n);
            } else if (from) {
                for (int i = 0; i < n; i++) {
                    out.l[i] = (long) in[0].d[i];
                }
            } else {
                for (int i = 0; i < n; i++) {
                    out.d[i] = in[0].l[i];
                }
            }
        });
    }

    @Override
    public void fill(StridedView dst, double value) {
        Elementwise.run(dst, new StridedView[0], (in, out, n) -> {
            if (out.d != null) {
                Arrays.fill(out.d, 0, n, value);
            } else {
                Arrays.fill(out.l, 0, n, (long) value);
            }
        });
    }

    @Override
    public void unary(UnaryOp op, StridedView x, StridedView out) {
        if (out.dtype() == DType.FLOAT32 && FloatKernels.has(op)) {
            FloatUnary.run(op, x, out);
            return;
        }
        Elementwise.run(out, new StridedView[] {x}, (in, o, n) -> {
            if (o.d != null) {
                ChunkMath.unary(op, in[0].d, o.d, n);
            } else {
                ChunkMath.unary(op, in[0].l, o.l, n);
            }
        });
    }

    @Override
    public void binary(BinaryOp op, StridedView a, StridedView b, StridedView out) {
        if (FastPaths.binary(op, a, b, out)) {
            return;
        }
        if (op == BinaryOp.POW && allFloat32(a, b, out)) {
            FloatPow.run(a, b, out);
            return;
        }
        Elementwise.run(out, new StridedView[] {a, b}, (in, o, n) -> {
            if (o.d != null) {
                ChunkMath.binary(op, in[0].d, in[1].d, o.d, n);
            } else {
                ChunkMath.binary(op, in[0].l, in[1].l, o.l, n);
            }
        });
    }

    @Override
    public void binaryScalar(BinaryOp op, StridedView a, double scalar, StridedView out) {
        if (FastPaths.binaryScalar(op, a, scalar, out)) {
            return;
        }
        if (op == BinaryOp.POW && allFloat32(a, out)) {
            FloatPow.run(a, (float) scalar, out);
            return;
        }
        int n = (int) Math.min(Elementwise.CHUNK, Math.max(1, out.numel()));
        if (out.dtype().isFloating()) {
            double[] s = new double[n];
            // The scalar is rounded to the tensor's dtype, as the op would see a tensor operand.
            Arrays.fill(s, out.dtype() == DType.FLOAT32 ? (float) scalar : scalar);
            Elementwise.run(out, new StridedView[] {a}, (in, o, k) -> ChunkMath.binary(op, in[0].d, s, o.d, k));
        } else {
            long[] s = new long[n];
            Arrays.fill(s, (long) scalar);
            Elementwise.run(out, new StridedView[] {a}, (in, o, k) -> ChunkMath.binary(op, in[0].l, s, o.l, k));
        }
    }

    private static boolean allFloat32(StridedView... views) {
        for (StridedView v : views) {
            if (v.dtype() != DType.FLOAT32) {
                return false;
            }
        }
        return true;
    }

    @Override
    public void addScaled(StridedView x, double alpha, StridedView y) {
        Elementwise.run(y, new StridedView[] {y, x}, (in, o, n) -> {
            double[] a = in[0].d;
            double[] b = in[1].d;
            for (int i = 0; i < n; i++) {
                o.d[i] = a[i] + alpha * b[i];
            }
        });
    }

    /**
     * Every set in one parallel loop, each program compiled once to a Java loop over chunks
     * ({@link ProgramKernel}): float64 programs in double, float32 programs in float with each
     * step rounded as its tensor op rounds it.
     */
    @Override
    public boolean runProgram(ElementwiseProgram program, List<StridedView[]> sets, double[] scalars) {
        if (sets.isEmpty()) {
            return true;
        }
        if (!sets.get(0)[0].dtype().isFloating()) {
            return false;
        }
        ProgramKernel.run(program, sets, scalars);
        return true;
    }

    @Override
    public void where(StridedView cond, StridedView a, StridedView b, StridedView out) {
        Elementwise.run(out, new StridedView[] {cond, a, b}, (in, o, n) -> {
            double[] c = in[0].d;
            long[] ci = in[0].l;
            for (int i = 0; i < n; i++) {
                boolean take = c != null ? c[i] != 0 : ci[i] != 0;
                if (o.d != null) {
                    o.d[i] = take ? in[1].d[i] : in[2].d[i];
                } else {
                    o.l[i] = take ? in[1].l[i] : in[2].l[i];
                }
            }
        });
    }

    @Override
    public void reduce(ReduceOp op, StridedView x, int[] axes, StridedView out) {
        Reductions.reduce(op, x, axes, out);
    }

    @Override
    public void softmax(SoftmaxOp op, StridedView x, int axis, StridedView out) {
        RowSoftmax.run(op, x, axis, out);
    }

    @Override
    public void matmul(StridedView a, StridedView b, StridedView out) {
        Gemm.matmul(this, a, b, out);
    }

    @Override
    public void gather(StridedView src, int axis, StridedView index, StridedView out) {
        Gather.gather(src, axis, index, out);
    }

    @Override
    public void conv2d(StridedView x, StridedView w, StridedView bias, Conv2dGeometry g, StridedView out) {
        if (!OneDnnConvolution.forward(this, x, w, bias, g, out)) {
            Convolution.forward(this, x, w, bias, g, out);
        }
    }

    @Override
    public void conv2dInputGrad(StridedView gradOut, StridedView w, Conv2dGeometry g, StridedView gradIn) {
        if (!OneDnnConvolution.inputGrad(this, gradOut, w, g, gradIn)) {
            Convolution.inputGrad(this, gradOut, w, g, gradIn);
        }
    }

    @Override
    public void conv2dWeightGrad(StridedView x, StridedView gradOut, Conv2dGeometry g, StridedView gradW) {
        if (!OneDnnConvolution.weightGrad(this, x, gradOut, g, gradW)) {
            Convolution.weightGrad(this, x, gradOut, g, gradW);
        }
    }

    @Override
    public void batchNorm(StridedView x, StridedView weight, StridedView bias, StridedView mean, StridedView var,
            double eps, boolean batchStats, StridedView out) {
        BatchNorm.forward(this, x, weight, bias, mean, var, eps, batchStats, out);
    }

    @Override
    public void batchNormBackward(StridedView gradOut, StridedView x, StridedView weight, StridedView mean,
            StridedView var, double eps, boolean batchStats, StridedView gradIn, StridedView gradWeight,
            StridedView gradBias) {
        BatchNorm.backward(this, gradOut, x, weight, mean, var, eps, batchStats, gradIn, gradWeight, gradBias);
    }

    @Override
    public void maxPool2d(StridedView x, Pool2dGeometry g, StridedView out, StridedView indices) {
        Pooling.maxPool(x, g, out, indices);
    }

    @Override
    public void maxPool2dInputGrad(StridedView gradOut, StridedView indices, Pool2dGeometry g, StridedView gradIn) {
        Pooling.maxPoolInputGrad(gradOut, indices, gradIn);
    }

    @Override
    public void avgPool2d(StridedView x, Pool2dGeometry g, boolean countIncludePad, StridedView out) {
        Pooling.avgPool(x, g, countIncludePad, out);
    }

    @Override
    public void avgPool2dInputGrad(StridedView gradOut, Pool2dGeometry g, boolean countIncludePad,
            StridedView gradIn) {
        Pooling.avgPoolInputGrad(gradOut, g, countIncludePad, gradIn);
    }

    @Override
    public void scatterAdd(StridedView src, int axis, StridedView index, StridedView out) {
        ScatterAdd.scatterAdd(src, axis, index, out);
    }

    @Override
    public void layerNorm(StridedView x, StridedView weight, StridedView bias, double eps, StridedView out,
            StridedView mean, StridedView rstd) {
        LayerNormRows.forward(x, weight, bias, eps, out, mean, rstd);
    }

    @Override
    public void layerNormBackward(StridedView grad, StridedView x, StridedView weight, StridedView mean,
            StridedView rstd, StridedView dx, StridedView dweight, StridedView dbias) {
        LayerNormRows.backward(grad, x, weight, mean, rstd, dx, dweight, dbias);
    }
}
