package dev.descent.cuda;

import dev.descent.core.spi.StridedView;

/**
 * Launches {@code native/cuda/gather.cu}. An index outside the axis is not read through: the
 * kernel records it in the context's {@link DeviceFaults}, which the next read to the host
 * raises (no synchronisation here; with {@code descent.cuda.sync=true} the launch itself is
 * checked, so that this call throws).
 */
final class GatherKernels {
    private static final String FILE = "gather.cu";

    private final CudaContext context;

    GatherKernels(CudaContext context) {
        this.context = context;
    }

    void gather(StridedView src, int axis, StridedView index, StridedView out) {
        if (out.numel() == 0) {
            return;
        }
        launch(context, src, axis, index, out, context.faults().recordAddress());
        if (context.syncEachOp()) {
            context.faults().checkNow("gather");
        }
    }

    /** Packs and launches the kernel; {@code badAddress} is the device's fault record ({@link DeviceFaults}). */
    static void launch(KernelLauncher launcher, StridedView src, int axis, StridedView index, StridedView out,
            long badAddress) {
        long[] srcStrides = src.strides().clone();
        long axisStride = srcStrides[axis];
        srcStrides[axis] = 0;
        Geometry g = Geometry.of("gather", out.shape(), out.strides(), index.strides(), srcStrides);
        KernelArgs args = KernelArgs.begin().longs(g.encode()).i64(g.numel()).pointer(ElementwiseKernels.address(out))
                .pointer(ElementwiseKernels.address(index)).pointer(ElementwiseKernels.address(src)).i64(axisStride)
                .i64(src.shape()[axis]).i64(axis).pointer(badAddress);
        String kernel = "gather_" + ElementwiseKernels.suffix(src.dtype()) + "_" + ElementwiseKernels.suffix(index.dtype());
        launcher.launch("gather", FILE, kernel, g.numel(), args);
    }
}
