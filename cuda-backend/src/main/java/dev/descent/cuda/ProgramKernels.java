package dev.descent.cuda;

import dev.descent.core.DType;
import dev.descent.core.spi.ElementwiseProgram;
import dev.descent.core.spi.StridedView;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Runs {@link ElementwiseProgram}s ({@code Backend.runProgram}) as one generated kernel each:
 * {@link ProgramKernelSource} writes the source once per (program, dtype, layout), the
 * {@link KernelLauncher} compiles it through NVRTC and the disk cache and loads it once, and
 * every later run only packs the tensors' addresses and the scalars. Contiguous views get a
 * flat index; any other views (broadcast reads, transposes, slices) a {@code GeometryN} with
 * the dimensions merged as for the other kernels (at most {@link Geometry#MAX_RANK} after
 * merging).
 *
 * <p>{@link #run} returns false, launching nothing, where it has no kernel: integer or mixed
 * dtypes, storage of another backend, views of different shapes, a stored view that repeats
 * elements (stride 0), more than {@link #MAX_TENSORS} tensors or {@link #MAX_SCALARS} scalars,
 * or a rank above {@link Geometry#MAX_RANK} after merging. The caller then runs the composed form.
 */
final class ProgramKernels {
    /** Most tensors of a program kernel (its geometry is 8 × (9 + 8 × tensors) bytes of arguments). */
    static final int MAX_TENSORS = 16;
    /** Most scalars of a program kernel (one double parameter each). */
    static final int MAX_SCALARS = 32;

    private record Key(ElementwiseProgram program, DType dtype, ProgramKernelSource.Layout layout) {
    }

    private final KernelLauncher launcher;
    private final boolean computeInDouble;
    private final Map<Key, GeneratedKernel> kernels = new ConcurrentHashMap<>();

    /**
     * @param computeInDouble compute float32 programs in double, rounding once on store, as the
     *     CPU backend does (float64 programs always compute in double)
     */
    ProgramKernels(KernelLauncher launcher, boolean computeInDouble) {
        this.launcher = launcher;
        this.computeInDouble = computeInDouble;
    }

    /** Generated sources so far (one per program, dtype and layout run). */
    int cachedKernels() {
        return kernels.size();
    }

    boolean run(ElementwiseProgram program, StridedView[] tensors, double[] scalars) {
        if (tensors.length != program.tensors() || scalars.length != program.scalars()) {
            throw new IllegalArgumentException("runProgram: the program takes " + program.tensors() + " tensors and "
                    + program.scalars() + " scalars, got " + tensors.length + " and " + scalars.length);
        }
        if (tensors.length > MAX_TENSORS || scalars.length > MAX_SCALARS) {
            return false;
        }
        DType dtype = tensors[0].dtype();
        if (!dtype.isFloating()) {
            return false;
        }
        int[] shape = tensors[0].shape();
        boolean contiguous = true;
        long[][] strides = new long[tensors.length][];
        for (int k = 0; k < tensors.length; k++) {
            StridedView v = tensors[k];
            if (v.dtype() != dtype || !(v.storage() instanceof DeviceAddressed) || !Arrays.equals(v.shape(), shape)) {
                return false;
            }
            contiguous &= v.isContiguous();
            strides[k] = v.strides();
        }
        for (ElementwiseProgram.Store s : program.stores()) {
            if (repeats(tensors[s.tensor()])) {
                return false;
            }
        }
        long n = tensors[0].numel();
        ProgramKernelSource.Layout layout = contiguous ? ProgramKernelSource.Layout.CONTIGUOUS
                : ProgramKernelSource.Layout.STRIDED;
        Geometry g = null;
        if (!contiguous) {
            g = Geometry.merge(shape, strides);
            if (g == null) {
                return false;
            }
        }
        if (n == 0) {
            return true;
        }
        GeneratedKernel kernel = kernel(program, dtype, layout);
        KernelArgs args = KernelArgs.begin();
        if (g != null) {
            args.longs(g.encode(tensors.length));
        }
        args.i64(n);
        for (StridedView v : tensors) {
            args.pointer(ElementwiseKernels.address(v));
        }
        for (double s : scalars) {
            args.f64(s);
        }
        launcher.launch("runProgram", kernel, n, args);
        return true;
    }

    /** The generated kernel of a program for a dtype and layout, written once. */
    GeneratedKernel kernel(ElementwiseProgram program, DType dtype, ProgramKernelSource.Layout layout) {
        return kernels.computeIfAbsent(new Key(program, dtype, layout), k -> new GeneratedKernel("program",
                ProgramKernelSource.KERNEL, ProgramKernelSource.generate(program, dtype, computeInDouble, layout)));
    }

    /** Whether a view addresses some element twice (a dimension of stride 0), so storing into it races. */
    private static boolean repeats(StridedView v) {
        for (int d = 0; d < v.rank(); d++) {
            if (v.shape()[d] > 1 && v.strides()[d] == 0) {
                return true;
            }
        }
        return false;
    }
}
