package dev.descent.nn;

import dev.descent.autograd.NoGrad;
import dev.descent.autograd.Variable;
import dev.descent.core.Check;
import dev.descent.core.DType;
import dev.descent.core.Tensor;

/**
 * Batch normalisation over a mini-batch (Ioffe &amp; Szegedy 2015), exactly as seed 001 (§9)
 * writes it, for input {@code [N, C]} or {@code [N, C, L]} (statistics per feature {@code j}
 * of the C, over the other dimensions, {@code m = N} or {@code N·L} values each):
 *
 * <pre>
 * μ_j  = (1/m) Σ_i z_j(i)                 σ²_j = (1/m) Σ_i (z_j(i) − μ_j)²     (biased)
 * ẑ_j(i) = (z_j(i) − μ_j) / √(σ²_j + ε)   (mean 0, variance 1)
 * z̃_j(i) = γ_j ẑ_j(i) + β_j               (γ, β learnable: parameters "weight", "bias")
 * </pre>
 *
 * <p><b>Running averages for test time.</b> Each training forward pass updates the buffers
 * {@code running_mean} (starting at 0) and {@code running_var} (starting at 1) with a momentum
 * {@code m}, in PyTorch's convention:
 * <pre>
 * running_mean ← (1 − m)·running_mean + m·μ
 * running_var  ← (1 − m)·running_var  + m·σ²·m_b/(m_b − 1)     (the unbiased batch variance)
 * </pre>
 * with {@code m = 0.1} by default. Seed 001 writes the same average as
 * {@code μ̂ ← ρ μ̂ + (1 − ρ) μ}: its {@code ρ} is {@code 1 − m} (ρ = 0.9 here). Normalisation in
 * training uses the biased σ², the running estimate the unbiased one, as PyTorch does. The
 * buffer {@code num_batches_tracked} counts the updates (so a file loads into PyTorch). In
 * evaluation mode the running statistics replace μ and σ², and nothing is updated.
 *
 * <p>ε = 1e-5 by default. A training batch needs more than one value per feature.
 */
public final class BatchNorm1d extends Module {
    /** PyTorch's defaults. */
    public static final double DEFAULT_EPS = 1e-5;
    public static final double DEFAULT_MOMENTUM = 0.1;

    private final int features;
    private final double eps;
    private final double momentum;
    private final boolean affine;

    /** float32, ε = 1e-5, momentum 0.1, with γ and β. */
    public BatchNorm1d(int features) {
        this(features, DEFAULT_EPS, DEFAULT_MOMENTUM, true, DType.FLOAT32);
    }

    /**
     * @param features C, the number of features
     * @param eps ε, added to the variance
     * @param momentum the weight {@code m} of the new batch in the running averages, in [0, 1]
     * @param affine whether to learn γ (starting at 1) and β (starting at 0)
     * @param dtype a floating dtype for parameters and buffers
     */
    public BatchNorm1d(int features, double eps, double momentum, boolean affine, DType dtype) {
        Check.argument(features > 0, "BatchNorm1d", "expected features > 0, got %d", features);
        Check.argument(eps > 0 && Double.isFinite(eps), "BatchNorm1d", "expected a finite eps > 0, got %s", eps);
        Check.argument(momentum >= 0 && momentum <= 1, "BatchNorm1d", "expected a momentum in [0, 1], got %s",
                momentum);
        Check.argument(dtype != null && dtype.isFloating(), "BatchNorm1d", "expected a floating dtype, got %s", dtype);
        this.features = features;
        this.eps = eps;
        this.momentum = momentum;
        this.affine = affine;
        if (affine) {
            addParameter("weight", Tensor.ones(dtype, features));
            addParameter("bias", Tensor.zeros(dtype, features));
        }
        addBuffer("running_mean", Tensor.zeros(dtype, features));
        addBuffer("running_var", Tensor.ones(dtype, features));
        addBuffer("num_batches_tracked", Tensor.zeros(DType.INT64));
    }

    /** γ, {@code [C]}, or null without affine. */
    public Variable weight() {
        return affine ? parameter("weight") : null;
    }

    /** β, {@code [C]}, or null without affine. */
    public Variable bias() {
        return affine ? parameter("bias") : null;
    }

    public Tensor runningMean() {
        return buffer("running_mean");
    }

    public Tensor runningVar() {
        return buffer("running_var");
    }

    /** How many training batches updated the running averages. */
    public long batchesTracked() {
        return buffer("num_batches_tracked").toLongArray()[0];
    }

    @Override
    public Variable forward(Variable input) {
        String op = "BatchNorm1d.forward";
        Check.argument((input.rank() == 2 || input.rank() == 3) && input.size(1) == features, op,
                "expected input of shape [N, %d] or [N, %d, L], got %s", features, features, input.shape());
        int[] axes = input.rank() == 2 ? new int[] {0} : new int[] {0, 2};
        int[] perFeature = input.rank() == 2 ? new int[] {1, features} : new int[] {1, features, 1};
        Variable normalised = isTraining() ? normaliseWithBatch(input, axes) : normaliseWithRunning(input, perFeature);
        if (!affine) {
            return normalised;
        }
        Variable gamma = weight().reshape(perFeature);
        Variable beta = bias().reshape(perFeature);
        return normalised.mul(gamma).add(beta);
    }

    private Variable normaliseWithBatch(Variable x, int[] axes) {
        long m = x.numel() / features;
        Check.argument(m > 1, "BatchNorm1d.forward",
                "expected more than one value per feature in training, got input shape %s", x.shape());
        Variable mean = x.mean(axes, true);
        Variable centered = x.sub(mean);
        Variable squares = centered.square();
        Variable var = squares.mean(axes, true);
        Variable shifted = var.add(eps);
        Variable inverseStd = shifted.rsqrt();
        Variable normalised = centered.mul(inverseStd);
        updateRunning(mean, var, m);
        return normalised;
    }

    private void updateRunning(Variable mean, Variable biasedVar, long m) {
        try (NoGrad off = NoGrad.open();
             Tensor batchMean = mean.data().reshape(features);
             Tensor batchVar = biasedVar.data().reshape(features)) {
            runningMean().mulInPlace(1 - momentum).addScaledInPlace(batchMean, momentum);
            runningVar().mulInPlace(1 - momentum).addScaledInPlace(batchVar, momentum * m / (m - 1.0));
            buffer("num_batches_tracked").addInPlace(1);
        }
    }

    private Variable normaliseWithRunning(Variable x, int[] perFeature) {
        Tensor inverseStd;
        try (Tensor shifted = runningVar().add(eps); Tensor r = shifted.rsqrt()) {
            inverseStd = r.reshape(perFeature);
        }
        Variable mean = Variable.of(runningMean().reshape(perFeature));
        Variable scale = Variable.of(inverseStd);
        return x.sub(mean).mul(scale);
    }

    @Override
    protected String describeSettings() {
        return features + ", eps=" + eps + ", momentum=" + momentum + ", affine=" + affine;
    }
}
