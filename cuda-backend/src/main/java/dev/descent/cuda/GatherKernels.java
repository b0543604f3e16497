package dev.descent.cuda;

import static org.bytedeco.cuda.global.cudart.cudaMemsetAsync;

import dev.descent.core.DType;
import dev.descent.core.spi.StridedView;

/**
 * Launches {@code native/cuda/gather.cu}. The kernel flags the first index outside the axis
 * in a small device buffer; the host reads it back after the launch (the one place besides
 * copies to the host where the stream is synchronised), because the SPI promises an
 * {@link IndexOutOfBoundsException} from the call itself.
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
        CudaStorage bad = context.allocate(DType.INT64, 2);
        try {
            CudaErrors.runtime(cudaMemsetAsync(new DevicePointer(bad.address(0)), 0, 16, context.stream()), "gather",
                    "cudaMemsetAsync");
            launch(context, src, axis, index, out, bad.address(0));
            long[] flag = new long[2];
            context.transfers().toHost(bad, 0, flag, 0, 2);
            if (flag[0] != 0) {
                throw new IndexOutOfBoundsException("index " + flag[1] + " is out of range for axis " + axis
                        + " of size " + src.shape()[axis]);
            }
        } finally {
            bad.free();
        }
    }

    /** Packs and launches the kernel; {@code badAddress} is the zeroed {flag, index} pair on the device. */
    static void launch(KernelLauncher launcher, StridedView src, int axis, StridedView index, StridedView out,
            long badAddress) {
        long[] srcStrides = src.strides().clone();
        long axisStride = srcStrides[axis];
        srcStrides[axis] = 0;
        Geometry g = Geometry.of("gather", out.shape(), out.strides(), index.strides(), srcStrides);
        KernelArgs args = KernelArgs.begin().longs(g.encode()).i64(g.numel()).pointer(ElementwiseKernels.address(out))
                .pointer(ElementwiseKernels.address(index)).pointer(ElementwiseKernels.address(src)).i64(axisStride)
                .i64(src.shape()[axis]).pointer(badAddress);
        String kernel = "gather_" + ElementwiseKernels.suffix(src.dtype()) + "_" + ElementwiseKernels.suffix(index.dtype());
        launcher.launch("gather", FILE, kernel, g.numel(), args);
    }
}
