package dev.descent.cuda;

import dev.descent.core.DType;
import dev.descent.core.spi.Storage;
import dev.descent.core.spi.StridedView;
import java.util.function.BiFunction;

/**
 * Launches {@code native/cuda/batchnorm.cu}: the per-channel reductions (statistics forward; the
 * sums Σg and Σg·(x − μ) backward) with one block per channel, folded in a fixed order, and the
 * elementwise steps with one thread per element. Inputs whose planes are not consecutive are
 * copied to contiguous memory first.
 */
final class BatchNormKernels {
    private static final String FILE = "batchnorm.cu";
    /** int64 values in the kernels' {@code BnShape}. */
    static final int SHAPE_LONGS = 7;
    private static final int BLOCK = 256;

    private final KernelLauncher launcher;
    private final ElementwiseKernels elementwise;
    private final BiFunction<DType, Long, Storage> allocate;

    BatchNormKernels(KernelLauncher launcher, ElementwiseKernels elementwise,
            BiFunction<DType, Long, Storage> allocate) {
        this.launcher = launcher;
        this.elementwise = elementwise;
        this.allocate = allocate;
    }

    void forward(StridedView x, StridedView weight, StridedView bias, StridedView mean, StridedView var, double eps,
            boolean batchStats, StridedView out) {
        StridedView xc = planar(x);
        try {
            long[] shape = shape(xc, xc);
            String t = ElementwiseKernels.suffix(x.dtype());
            if (batchStats) {
                KernelArgs args = KernelArgs.begin().longs(shape).pointer(ElementwiseKernels.address(xc))
                        .pointer(ElementwiseKernels.address(mean)).pointer(ElementwiseKernels.address(var));
                launcher.launch("batchNorm", FILE, "bn_stats_" + t, (int) shape[1], BLOCK, 2 * 8 * BLOCK, args);
            }
            KernelArgs args = KernelArgs.begin().longs(shape).pointer(ElementwiseKernels.address(xc))
                    .pointer(address(weight)).i64(stride(weight)).pointer(address(bias)).i64(stride(bias))
                    .pointer(ElementwiseKernels.address(mean)).pointer(ElementwiseKernels.address(var)).f64(eps)
                    .pointer(ElementwiseKernels.address(out));
            launcher.launch("batchNorm", FILE, "bn_normalize_" + t, out.numel(), args);
        } finally {
            freeCopy(xc, x);
        }
    }

    void backward(StridedView gradOut, StridedView x, StridedView weight, StridedView mean, StridedView var,
            double eps, boolean batchStats, StridedView gradIn, StridedView gradWeight, StridedView gradBias) {
        StridedView xc = planar(x);
        StridedView gc = planar(gradOut);
        long[] shape = shape(xc, gc);
        Storage sums = allocate.apply(DType.FLOAT64, 2 * shape[1]);
        try {
            String t = ElementwiseKernels.suffix(x.dtype());
            long sumsAddress = ((DeviceAddressed) sums).address(0);
            if (gradWeight != null || gradBias != null || (gradIn != null && batchStats)) {
                KernelArgs args = KernelArgs.begin().longs(shape).pointer(ElementwiseKernels.address(gc))
                        .pointer(ElementwiseKernels.address(xc)).pointer(ElementwiseKernels.address(mean))
                        .pointer(ElementwiseKernels.address(var)).f64(eps).pointer(sumsAddress)
                        .pointer(address(gradWeight)).pointer(address(gradBias));
                launcher.launch("batchNormBackward", FILE, "bn_backward_reduce_" + t, (int) shape[1], BLOCK,
                        2 * 8 * BLOCK, args);
            }
            if (gradIn != null) {
                KernelArgs args = KernelArgs.begin().longs(shape).pointer(ElementwiseKernels.address(gc))
                        .pointer(ElementwiseKernels.address(xc)).pointer(address(weight)).i64(stride(weight))
                        .pointer(ElementwiseKernels.address(mean)).pointer(ElementwiseKernels.address(var)).f64(eps)
                        .i32(batchStats ? 1 : 0).pointer(sumsAddress).pointer(ElementwiseKernels.address(gradIn));
                launcher.launch("batchNormBackward", FILE, "bn_backward_input_" + t, gradIn.numel(), args);
            }
        } finally {
            sums.free();
            freeCopy(xc, x);
            freeCopy(gc, gradOut);
        }
    }

    /** The kernels' {@code BnShape}: N, C, L and the plane strides of x and of the gradient. */
    private static long[] shape(StridedView x, StridedView g) {
        int[] d = x.shape();
        long l = 1;
        for (int i = 2; i < d.length; i++) {
            l *= d[i];
        }
        return new long[] {d[0], d[1], l, x.strides()[0], x.strides()[1], g.strides()[0], g.strides()[1]};
    }

    private static long address(StridedView v) {
        return v == null ? 0 : ElementwiseKernels.address(v);
    }

    private static long stride(StridedView v) {
        return v == null ? 0 : v.strides()[0];
    }

    /** v itself when each plane [n, c, ...] is consecutive, else a contiguous copy. */
    private StridedView planar(StridedView v) {
        int[] d = v.shape();
        long expected = 1;
        boolean ok = true;
        for (int i = d.length - 1; i >= 2; i--) {
            ok &= d[i] == 1 || v.strides()[i] == expected;
            expected *= d[i];
        }
        if (ok) {
            return v;
        }
        Storage copy = allocate.apply(v.dtype(), v.numel());
        StridedView c = new StridedView(copy, v.dtype(), 0, d, dev.descent.core.Shape.of(d).contiguousStrides());
        elementwise.copy(v, c);
        return c;
    }

    private static void freeCopy(StridedView used, StridedView original) {
        if (used != original) {
            used.storage().free();
        }
    }
}
