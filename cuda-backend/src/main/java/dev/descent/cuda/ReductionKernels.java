package dev.descent.cuda;

import dev.descent.core.DType;
import dev.descent.core.spi.ReduceOp;
import dev.descent.core.spi.Storage;
import dev.descent.core.spi.StridedView;
import java.util.function.BiFunction;

/**
 * Launches the kernels of {@code native/cuda/reduce.cu}. A block folds one output's values at
 * a time; when there are too few outputs to fill the device and many values each (a full sum,
 * a norm), each output's values are split into parts folded by separate blocks, and a second
 * launch folds the parts in order. Block width, parts and order depend only on the shapes and
 * the device, never on timing, so runs are bit-identical.
 */
final class ReductionKernels {
    private static final String FILE = "reduce.cu";
    private static final int MAX_GRID = 1 << 16;
    /** The fewest values a part gets: below this a second launch costs more than it saves. */
    static final long MIN_PART = 8192;

    private final KernelLauncher launcher;
    private final BiFunction<DType, Long, Storage> allocate;
    private final int multiprocessors;

    /**
     * @param allocate device scratch for the partial results of a split reduction
     * @param multiprocessors the device's SM count, which decides when to split
     */
    ReductionKernels(KernelLauncher launcher, BiFunction<DType, Long, Storage> allocate, int multiprocessors) {
        this.launcher = launcher;
        this.allocate = allocate;
        this.multiprocessors = multiprocessors;
    }

    void reduce(ReduceOp op, StridedView x, int[] axes, StridedView out) {
        int rank = x.rank();
        boolean[] reduced = new boolean[rank];
        for (int a : axes) {
            reduced[a] = true;
        }
        int keptRank = rank - axes.length;
        int[] keptShape = new int[keptRank];
        long[] keptX = new long[keptRank];
        long[] keptOut = new long[keptRank];
        int[] redShape = new int[axes.length];
        long[] redX = new long[axes.length];
        for (int d = 0, k = 0, r = 0; d < rank; d++) {
            if (reduced[d]) {
                redShape[r] = x.shape()[d];
                redX[r++] = x.strides()[d];
            } else {
                keptShape[k] = x.shape()[d];
                keptX[k] = x.strides()[d];
                keptOut[k++] = out.strides()[d];
            }
        }
        String name = op.label();
        Geometry kept = Geometry.of(name, keptShape, keptX, keptOut);
        Geometry red = Geometry.of(name, redShape, redX);
        long outputs = kept.numel();
        long inner = red.numel();
        if (outputs == 0) {
            return;
        }
        boolean arg = op == ReduceOp.ARGMAX || op == ReduceOp.ARGMIN;
        String suffix = ElementwiseKernels.suffix(x.dtype());
        long parts = partsFor(outputs, inner, multiprocessors);
        int block = blockFor(parts == 1 ? inner : (inner + parts - 1) / parts);
        int shared = block * (arg ? 16 : 8);
        int grid = (int) Math.min(outputs * parts, MAX_GRID);
        long outAddress = ElementwiseKernels.address(out);
        long xAddress = ElementwiseKernels.address(x);
        // Partials: one 8-byte accumulator (double or int64) per part, or a value and an index.
        Storage partials = parts == 1 ? null : allocate.apply(arg ? x.dtype() : DType.INT64, outputs * parts);
        Storage partialIndices = parts == 1 || !arg ? null : allocate.apply(DType.INT64, outputs * parts);
        try {
            long p = partials == null ? 0 : ((DeviceAddressed) partials).address(0);
            KernelArgs args = KernelArgs.begin().longs(kept.encode()).longs(red.encode()).i64(outputs).i64(inner)
                    .i64(parts).i32(op.ordinal()).pointer(outAddress).pointer(p);
            if (arg) {
                args.pointer(partialIndices == null ? 0 : ((DeviceAddressed) partialIndices).address(0));
            }
            args.pointer(xAddress);
            launcher.launch(name, FILE, (arg ? "arg_reduce_" : "reduce_") + suffix, grid, block, shared, args);
            if (parts > 1) {
                int finalBlock = blockFor(parts);
                KernelArgs fin = KernelArgs.begin().longs(kept.encode()).i64(outputs).i64(parts).i32(op.ordinal())
                        .pointer(outAddress).pointer(p);
                if (arg) {
                    fin.pointer(((DeviceAddressed) partialIndices).address(0));
                }
                launcher.launch(name, FILE, (arg ? "arg_reduce_partials_" : "reduce_partials_") + suffix,
                        (int) Math.min(outputs, MAX_GRID), finalBlock, finalBlock * (arg ? 16 : 8), fin);
            }
        } finally {
            // Safe at once: the stream runs the launches above before any later use of the blocks.
            if (partials != null) {
                partials.free();
            }
            if (partialIndices != null) {
                partialIndices.free();
            }
        }
    }

    /**
     * How many parts each output's values are split into: 1 when the outputs alone give every
     * multiprocessor a few blocks, else enough parts for about four blocks per multiprocessor,
     * each of at least {@link #MIN_PART} values.
     */
    static long partsFor(long outputs, long inner, int multiprocessors) {
        long wanted = 4L * multiprocessors;
        if (outputs >= wanted || inner < 2 * MIN_PART) {
            return 1;
        }
        long parts = Math.min((wanted + outputs - 1) / outputs, inner / MIN_PART);
        long chunk = (inner + parts - 1) / parts;
        return (inner + chunk - 1) / chunk; // no empty part
    }

    /** The power of two from 32 to 256 that covers {@code inner} values in one sweep where it can. */
    static int blockFor(long inner) {
        int block = 32;
        while (block < 256 && block < inner) {
            block <<= 1;
        }
        return block;
    }
}
