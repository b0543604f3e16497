package dev.descent.cuda;

import dev.descent.core.spi.StridedView;

/**
 * Launches {@code native/cuda/scatter.cu}: one thread per element of the source, each adding into
 * the output with {@code atomicAdd}. An index outside the axis is not written through: the kernel
 * records it in the context's {@link DeviceFaults} (as gather does), which the next read to the
 * host raises; with {@code descent.cuda.sync=true} this call checks at once.
 */
final class ScatterAddKernels {
    private static final String FILE = "scatter.cu";

    private final CudaContext context;

    ScatterAddKernels(CudaContext context) {
        this.context = context;
    }

    void scatterAdd(StridedView src, int axis, StridedView index, StridedView out) {
        if (src.numel() == 0) {
            return;
        }
        launch(context, src, axis, index, out, context.faults().recordAddress());
        if (context.syncEachOp()) {
            context.faults().checkNow("scatterAdd");
        }
    }

    /** Packs and launches the kernel; {@code badAddress} is the device's fault record ({@link DeviceFaults}). */
    static void launch(KernelLauncher launcher, StridedView src, int axis, StridedView index, StridedView out,
            long badAddress) {
        long[] outStrides = out.strides().clone();
        long axisStride = outStrides[axis];
        outStrides[axis] = 0;
        Geometry g = Geometry.of("scatterAdd", src.shape(), src.strides(), index.strides(), outStrides);
        KernelArgs args = KernelArgs.begin().longs(g.encode()).i64(g.numel()).pointer(ElementwiseKernels.address(out))
                .pointer(ElementwiseKernels.address(index)).pointer(ElementwiseKernels.address(src)).i64(axisStride)
                .i64(out.shape()[axis]).i64(axis).pointer(badAddress);
        String kernel = "scatter_add_" + ElementwiseKernels.suffix(src.dtype()) + "_"
                + ElementwiseKernels.suffix(index.dtype());
        launcher.launch("scatterAdd", FILE, kernel, g.numel(), args);
    }
}
