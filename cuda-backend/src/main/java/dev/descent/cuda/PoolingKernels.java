package dev.descent.cuda;

import dev.descent.core.spi.Pool2dGeometry;
import dev.descent.core.spi.StridedView;

/**
 * Launches {@code native/cuda/pool.cu}: max and average pooling, one thread per output, and their
 * gradients, one thread per input element gathering the windows that cover it (no atomics: the
 * same bits on every run). Any strides for the inputs; the results are contiguous.
 */
final class PoolingKernels {
    private static final String FILE = "pool.cu";
    /** int64 values in the kernels' {@code PoolShape}. */
    static final int SHAPE_LONGS = 24;

    private final KernelLauncher launcher;

    PoolingKernels(KernelLauncher launcher) {
        this.launcher = launcher;
    }

    /** The kernels' {@code PoolShape}: planes, sizes, window, and the strides of the input and of two output-shaped operands. */
    private static long[] shape(int[] in, int[] out, Pool2dGeometry g, long[] x, long[] grad, long[] indices) {
        return new long[] {(long) in[0] * in[1], in[1], in[2], in[3], out[2], out[3], g.kernelH(), g.kernelW(),
            g.strideH(), g.strideW(), g.padH(), g.padW(), x[0], x[1], x[2], x[3], grad[0], grad[1], grad[2], grad[3],
            indices[0], indices[1], indices[2], indices[3]};
    }

    private static final long[] NONE = new long[4];

    void maxPool(StridedView x, Pool2dGeometry g, StridedView out, StridedView indices) {
        KernelArgs args = KernelArgs.begin().longs(shape(x.shape(), out.shape(), g, x.strides(), NONE, NONE))
                .pointer(ElementwiseKernels.address(x)).pointer(ElementwiseKernels.address(out))
                .pointer(indices == null ? 0 : ElementwiseKernels.address(indices));
        launcher.launch("maxPool2d", FILE, "max_pool2d_" + ElementwiseKernels.suffix(x.dtype()), out.numel(), args);
    }

    void maxPoolInputGrad(StridedView gradOut, StridedView indices, Pool2dGeometry g, StridedView gradIn) {
        KernelArgs args = KernelArgs.begin()
                .longs(shape(gradIn.shape(), gradOut.shape(), g, NONE, gradOut.strides(), indices.strides()))
                .pointer(ElementwiseKernels.address(gradOut)).pointer(ElementwiseKernels.address(indices))
                .pointer(ElementwiseKernels.address(gradIn));
        launcher.launch("maxPool2dInputGrad", FILE, "max_pool2d_backward_" + ElementwiseKernels.suffix(gradIn.dtype()),
                gradIn.numel(), args);
    }

    void avgPool(StridedView x, Pool2dGeometry g, boolean countIncludePad, StridedView out) {
        KernelArgs args = KernelArgs.begin().longs(shape(x.shape(), out.shape(), g, x.strides(), NONE, NONE))
                .i32(countIncludePad ? 1 : 0).pointer(ElementwiseKernels.address(x))
                .pointer(ElementwiseKernels.address(out));
        launcher.launch("avgPool2d", FILE, "avg_pool2d_" + ElementwiseKernels.suffix(x.dtype()), out.numel(), args);
    }

    void avgPoolInputGrad(StridedView gradOut, Pool2dGeometry g, boolean countIncludePad, StridedView gradIn) {
        KernelArgs args = KernelArgs.begin()
                .longs(shape(gradIn.shape(), gradOut.shape(), g, NONE, gradOut.strides(), NONE))
                .i32(countIncludePad ? 1 : 0).pointer(ElementwiseKernels.address(gradOut))
                .pointer(ElementwiseKernels.address(gradIn));
        launcher.launch("avgPool2dInputGrad", FILE, "avg_pool2d_backward_" + ElementwiseKernels.suffix(gradIn.dtype()),
                gradIn.numel(), args);
    }
}
