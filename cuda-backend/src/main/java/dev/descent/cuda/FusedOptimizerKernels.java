package dev.descent.cuda;

import dev.descent.core.DType;
import dev.descent.core.spi.AdamUpdate;
import dev.descent.core.spi.SgdUpdate;
import dev.descent.core.spi.StridedView;

/**
 * Launches {@code native/cuda/optim.cu}: one kernel per parameter tensor, each element read
 * and written once. The step's constants are folded here, in the tensors' precision, the
 * same way as the CPU backend's fused kernels, so both backends compute one expression.
 */
final class FusedOptimizerKernels {
    private static final String FILE = "optim.cu";

    private final KernelLauncher launcher;

    FusedOptimizerKernels(KernelLauncher launcher) {
        this.launcher = launcher;
    }

    void sgd(SgdUpdate u, StridedView[] params, StridedView[] grads, StridedView[] buffers) {
        boolean momentum = u.momentum() != 0;
        for (int i = 0; i < params.length; i++) {
            StridedView p = params[i];
            long n = p.numel();
            if (n == 0) {
                continue;
            }
            KernelArgs args = KernelArgs.begin().i64(n).pointer(ElementwiseKernels.address(p))
                    .pointer(ElementwiseKernels.address(grads[i]))
                    .pointer(momentum ? ElementwiseKernels.address(buffers[i]) : 0L);
            scalars(args, p.dtype(), u.lr(), u.weightDecay(), u.momentum(), 1 - u.dampening(), u.maximize() ? -1 : 1);
            args.i32(momentum ? 1 : 0).i32(u.firstStep() ? 1 : 0).i32(u.nesterov() ? 1 : 0);
            launcher.launch("fusedSgd", FILE, "sgd_" + ElementwiseKernels.suffix(p.dtype()), n, args);
        }
    }

    void adam(AdamUpdate u, StridedView[] params, StridedView[] grads, StridedView[] m, StridedView[] v,
            StridedView[] vmax) {
        boolean decoupled = u.decoupledWeightDecay();
        for (int i = 0; i < params.length; i++) {
            StridedView p = params[i];
            long n = p.numel();
            if (n == 0) {
                continue;
            }
            KernelArgs args = KernelArgs.begin().i64(n).pointer(ElementwiseKernels.address(p))
                    .pointer(ElementwiseKernels.address(grads[i])).pointer(ElementwiseKernels.address(m[i]))
                    .pointer(ElementwiseKernels.address(v[i]))
                    .pointer(u.amsgrad() ? ElementwiseKernels.address(vmax[i]) : 0L);
            scalars(args, p.dtype(), u.maximize() ? -1 : 1, u.beta1(), u.beta2(), 1 - u.beta1(), 1 - u.beta2(), u.eps(),
                    u.lr() / u.biasCorrection1(), Math.sqrt(u.biasCorrection2()), 1 / u.biasCorrection2(),
                    decoupled ? 0 : u.weightDecay(), decoupled ? 1 - u.lr() * u.weightDecay() : 1);
            args.i32(u.epsInsideSqrt() ? 1 : 0);
            launcher.launch("fusedAdam", FILE, "adam_" + ElementwiseKernels.suffix(p.dtype()), n, args);
        }
    }

    /** Each value rounded once to the tensors' dtype. */
    private static void scalars(KernelArgs args, DType dtype, double... values) {
        for (double x : values) {
            if (dtype == DType.FLOAT32) {
                args.f32((float) x);
            } else {
                args.f64(x);
            }
        }
    }
}
