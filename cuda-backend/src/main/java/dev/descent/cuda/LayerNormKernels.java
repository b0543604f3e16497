package dev.descent.cuda;

import dev.descent.core.spi.StridedView;

/**
 * Launches the kernels of {@code native/cuda/layernorm.cu}: the forward pass and the input's
 * gradient one block per row (a grid-stride loop beyond {@link #MAX_GRID} rows, the block as wide
 * as the row up to 256 threads), the weight's and bias's gradients one thread per column summing
 * the rows in order. Statistics are taken in double.
 */
final class LayerNormKernels {
    private static final String FILE = "layernorm.cu";
    private static final int MAX_GRID = 1 << 16;

    private final KernelLauncher launcher;

    LayerNormKernels(KernelLauncher launcher) {
        this.launcher = launcher;
    }

    void forward(StridedView x, StridedView weight, StridedView bias, double eps, StridedView out, StridedView mean,
            StridedView rstd) {
        long rows = x.shape()[0];
        long n = x.shape()[1];
        if (rows == 0) {
            return;
        }
        int block = ReductionKernels.blockFor(n);
        KernelArgs args = KernelArgs.begin().i64(rows).i64(n);
        matrix(args, x);
        vector(args, weight);
        vector(args, bias);
        args.f64(eps);
        matrix(args, out);
        vector(args, mean);
        vector(args, rstd);
        launcher.launch("layerNorm", FILE, "layer_norm_" + ElementwiseKernels.suffix(x.dtype()),
                (int) Math.min(rows, MAX_GRID), block, block * Double.BYTES, args);
    }

    void backward(StridedView grad, StridedView x, StridedView weight, StridedView mean, StridedView rstd,
            StridedView dx, StridedView dweight, StridedView dbias) {
        long rows = x.shape()[0];
        long n = x.shape()[1];
        String suffix = ElementwiseKernels.suffix(x.dtype());
        if (dx != null && rows > 0) {
            int block = ReductionKernels.blockFor(n);
            KernelArgs args = KernelArgs.begin().i64(rows).i64(n);
            matrix(args, grad);
            matrix(args, x);
            vector(args, weight);
            vector(args, mean);
            vector(args, rstd);
            matrix(args, dx);
            launcher.launch("layerNormBackward", FILE, "layer_norm_backward_" + suffix,
                    (int) Math.min(rows, MAX_GRID), block, block * Double.BYTES, args);
        }
        if (dweight != null || dbias != null) {
            KernelArgs args = KernelArgs.begin().i64(rows).i64(n);
            matrix(args, grad);
            matrix(args, x);
            vector(args, mean);
            vector(args, rstd);
            vector(args, dweight);
            vector(args, dbias);
            launcher.launch("layerNormBackward", FILE, "layer_norm_param_grads_" + suffix, n, args);
        }
    }

    /** A [rows, n] view as pointer, row stride, column stride. */
    private static void matrix(KernelArgs args, StridedView v) {
        args.pointer(ElementwiseKernels.address(v)).i64(v.strides()[0]).i64(v.strides()[1]);
    }

    /** A vector as pointer and stride; a null view as a null pointer (the kernel then leaves it out). */
    private static void vector(KernelArgs args, StridedView v) {
        if (v == null) {
            args.pointer(0).i64(0);
        } else {
            args.pointer(ElementwiseKernels.address(v)).i64(v.strides()[0]);
        }
    }
}
