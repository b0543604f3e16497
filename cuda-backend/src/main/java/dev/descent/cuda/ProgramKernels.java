package dev.descent.cuda;

import dev.descent.core.DType;
import dev.descent.core.spi.ElementwiseProgram;
import dev.descent.core.spi.StridedView;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Runs {@link ElementwiseProgram}s ({@code Backend.runProgram}) as generated kernels:
 * {@link ProgramKernelSource} writes the source once per (program, dtype, layout), the
 * {@link KernelLauncher} compiles it through NVRTC and the disk cache and loads it once, and
 * every later run only packs addresses, counts and scalars. The sets whose views are all
 * contiguous go to the {@link ProgramKernelSource.Layout#LIST} kernel, up to
 * {@link ProgramKernelSource#setsPerLaunch} sets per launch (one launch for a model's parameter
 * group in all but very long lists); any other set gets its own
 * {@link ProgramKernelSource.Layout#STRIDED} launch, with a {@code GeometryN} whose dimensions
 * are merged as for the other kernels (at most {@link Geometry#MAX_RANK} after merging).
 *
 * <p>{@link #run} returns false, launching nothing, where it has no kernel: integer or mixed
 * dtypes, storage of another backend, views of different shapes within a set, a stored view
 * that repeats elements (stride 0), more than {@link #MAX_TENSORS} tensors or
 * {@link #MAX_SCALARS} scalars, or a rank above {@link Geometry#MAX_RANK} after merging. The
 * caller then runs the composed form. Nothing on the host waits for the device.
 */
final class ProgramKernels {
    /** Most tensors of a program kernel (a strided kernel's geometry is 8 × (9 + 8 × tensors) bytes of arguments). */
    static final int MAX_TENSORS = 16;
    /** Most scalars of a program kernel (one double parameter each). */
    static final int MAX_SCALARS = 32;

    private record Key(ElementwiseProgram program, DType dtype, ProgramKernelSource.Layout layout) {
    }

    private final KernelLauncher launcher;
    private final boolean computeInDouble;
    private final Map<Key, GeneratedKernel> kernels = new ConcurrentHashMap<>();

    /**
     * @param computeInDouble compute float32 programs in double, rounding once on store
     *     (float64 programs always compute in double)
     */
    ProgramKernels(KernelLauncher launcher, boolean computeInDouble) {
        this.launcher = launcher;
        this.computeInDouble = computeInDouble;
    }

    /** Generated sources so far (one per program, dtype and layout run). */
    int cachedKernels() {
        return kernels.size();
    }

    boolean run(ElementwiseProgram program, List<StridedView[]> sets, double[] scalars) {
        int nt = program.tensors();
        if (scalars.length != program.scalars()) {
            throw new IllegalArgumentException("runProgram: the program takes " + program.scalars() + " scalars, got "
                    + scalars.length);
        }
        for (int s = 0; s < sets.size(); s++) {
            if (sets.get(s).length != nt) {
                throw new IllegalArgumentException("runProgram: the program reads " + nt + " tensors, set " + s
                        + " has " + sets.get(s).length);
            }
        }
        if (sets.isEmpty()) {
            return true;
        }
        if (nt > MAX_TENSORS || scalars.length > MAX_SCALARS) {
            return false;
        }
        DType dtype = sets.get(0)[0].dtype();
        if (!dtype.isFloating()) {
            return false;
        }
        // Every set is checked, and every geometry merged, before the first launch: false changes nothing.
        List<StridedView[]> list = new ArrayList<>();
        List<StridedView[]> strided = new ArrayList<>();
        List<Geometry> geometries = new ArrayList<>();
        for (StridedView[] set : sets) {
            int[] shape = set[0].shape();
            boolean contiguous = true;
            long[][] strides = new long[nt][];
            for (int k = 0; k < nt; k++) {
                StridedView v = set[k];
                if (v.dtype() != dtype || !(v.storage() instanceof DeviceAddressed) || !Arrays.equals(v.shape(), shape)) {
                    return false;
                }
                contiguous &= v.isContiguous();
                strides[k] = v.strides();
            }
            for (ElementwiseProgram.Store s : program.stores()) {
                if (repeats(set[s.tensor()])) {
                    return false;
                }
            }
            if (set[0].numel() == 0) {
                continue;
            }
            if (contiguous) {
                list.add(set);
            } else {
                Geometry g = Geometry.merge(shape, strides);
                if (g == null) {
                    return false;
                }
                strided.add(set);
                geometries.add(g);
            }
        }
        int perLaunch = ProgramKernelSource.setsPerLaunch(program);
        for (int from = 0; from < list.size(); from += perLaunch) {
            launchList(program, list.subList(from, Math.min(list.size(), from + perLaunch)), perLaunch, dtype, scalars);
        }
        for (int i = 0; i < strided.size(); i++) {
            StridedView[] set = strided.get(i);
            KernelArgs args = KernelArgs.begin().longs(geometries.get(i).encode(nt)).i64(set[0].numel());
            for (StridedView v : set) {
                args.pointer(ElementwiseKernels.address(v));
            }
            scalars(args, scalars);
            launcher.launch("runProgram", kernel(program, dtype, ProgramKernelSource.Layout.STRIDED), set[0].numel(),
                    args);
        }
        return true;
    }

    /**
     * One launch over up to {@code capacity} contiguous sets: the struct's words are
     * {@code count, firstChunk[capacity + 1], n[capacity]}, then each tensor's addresses.
     */
    private void launchList(ElementwiseProgram program, List<StridedView[]> sets, int capacity, DType dtype,
            double[] scalars) {
        int nt = program.tensors();
        long[] words = new long[2 + capacity * (2 + nt)];
        int firstChunk = 1;
        int counts = firstChunk + capacity + 1;
        int addresses = counts + capacity;
        words[0] = sets.size();
        long chunks = 0;
        for (int s = 0; s < sets.size(); s++) {
            StridedView[] set = sets.get(s);
            long n = set[0].numel();
            words[firstChunk + s] = chunks;
            words[counts + s] = n;
            for (int k = 0; k < nt; k++) {
                words[addresses + k * capacity + s] = ElementwiseKernels.address(set[k]);
            }
            chunks += (n + ProgramKernelSource.CHUNK - 1) / ProgramKernelSource.CHUNK;
        }
        words[firstChunk + sets.size()] = chunks;
        KernelArgs args = KernelArgs.begin().longs(words);
        scalars(args, scalars);
        launcher.launchBlocks("runProgram", kernel(program, dtype, ProgramKernelSource.Layout.LIST), chunks, args);
    }

    private static void scalars(KernelArgs args, double[] scalars) {
        for (double s : scalars) {
            args.f64(s);
        }
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
