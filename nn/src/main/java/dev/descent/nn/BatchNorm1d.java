package dev.descent.nn;

import dev.descent.core.DType;

/**
 * Batch normalisation of {@code [N, C]} or {@code [N, C, L]} per feature (of the C), over the
 * other dimensions ({@code m = N} or {@code N·L} values each), as PyTorch's
 * {@code nn.BatchNorm1d}; {@link BatchNorm} has the equations and the running averages.
 */
public final class BatchNorm1d extends BatchNorm {

    /** float32, ε = 1e-5, momentum 0.1, with γ and β. */
    public BatchNorm1d(int features) {
        this(features, DEFAULT_EPS, DEFAULT_MOMENTUM, true, DType.FLOAT32);
    }

    /** See {@link BatchNorm#BatchNorm(String, int, double, double, boolean, DType)}. */
    public BatchNorm1d(int features, double eps, double momentum, boolean affine, DType dtype) {
        super("BatchNorm1d", features, eps, momentum, affine, dtype);
    }

    @Override
    protected boolean takesRank(int rank) {
        return rank == 2 || rank == 3;
    }

    @Override
    protected String expectedShape(int features) {
        return "[N, " + features + "] or [N, " + features + ", L]";
    }
}
