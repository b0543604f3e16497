package dev.descent.cuda;

import dev.descent.core.spi.SoftmaxOp;
import dev.descent.core.spi.StridedView;

/**
 * Launches the kernels of {@code native/cuda/softmax.cu}: one block per row of the softmax
 * axis (a grid-stride loop when there are more rows than {@link #MAX_GRID}), the block as wide
 * as the row up to 256 threads. Each row is read twice and written once (three times for
 * softmax), with no temporaries in device memory.
 */
final class SoftmaxKernels {
    private static final String FILE = "softmax.cu";
    private static final int MAX_GRID = 1 << 16;

    private final KernelLauncher launcher;

    SoftmaxKernels(KernelLauncher launcher) {
        this.launcher = launcher;
    }

    void softmax(SoftmaxOp op, StridedView x, int axis, StridedView out) {
        int rank = x.rank();
        int[] keptShape = new int[rank - 1];
        long[] keptX = new long[rank - 1];
        long[] keptOut = new long[rank - 1];
        for (int d = 0, k = 0; d < rank; d++) {
            if (d != axis) {
                keptShape[k] = x.shape()[d];
                keptX[k] = x.strides()[d];
                keptOut[k++] = out.strides()[d];
            }
        }
        Geometry rows = Geometry.of(op.label(), keptShape, keptX, keptOut);
        long len = x.shape()[axis];
        if (rows.numel() == 0 || len == 0) {
            return;
        }
        int block = ReductionKernels.blockFor(len);
        int shared = block * 16;
        KernelArgs args = KernelArgs.begin().longs(rows.encode()).i64(rows.numel()).i64(len).i64(x.strides()[axis])
                .i64(out.strides()[axis]).i32(op.ordinal()).pointer(ElementwiseKernels.address(out))
                .pointer(ElementwiseKernels.address(x));
        launcher.launch(op.label(), FILE, "softmax_" + ElementwiseKernels.suffix(x.dtype()),
                (int) Math.min(rows.numel(), MAX_GRID), block, shared, args);
    }
}
