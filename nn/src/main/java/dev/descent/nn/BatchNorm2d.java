package dev.descent.nn;

import dev.descent.core.DType;

/**
 * Batch normalisation of images {@code [N, C, H, W]} per channel over its {@code m = N·H·W}
 * values, as PyTorch's {@code nn.BatchNorm2d} (biased batch variance in training, unbiased
 * running variance, momentum 0.1, ε = 1e-5, running statistics in evaluation); {@link BatchNorm}
 * has the equations.
 */
public final class BatchNorm2d extends BatchNorm {

    /** float32, ε = 1e-5, momentum 0.1, with γ and β. */
    public BatchNorm2d(int features) {
        this(features, DEFAULT_EPS, DEFAULT_MOMENTUM, true, DType.FLOAT32);
    }

    /** See {@link BatchNorm#BatchNorm(String, int, double, double, boolean, DType)}. */
    public BatchNorm2d(int features, double eps, double momentum, boolean affine, DType dtype) {
        super("BatchNorm2d", features, eps, momentum, affine, dtype);
    }

    @Override
    protected boolean takesRank(int rank) {
        return rank == 4;
    }

    @Override
    protected String expectedShape(int features) {
        return "[N, " + features + ", H, W]";
    }
}
