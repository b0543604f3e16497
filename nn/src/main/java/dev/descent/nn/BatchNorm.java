package dev.descent.nn;

import dev.descent.autograd.NoGrad;
import dev.descent.autograd.Variable;
import dev.descent.core.Check;
import dev.descent.core.DType;
import dev.descent.core.Tensor;

/**
 * Batch normalisation over a mini-batch (Ioffe &amp; Szegedy 2015), as seed 001 (§9) writes it,
 * per channel {@code j} (axis 1 of the input) over its {@code m} values in the batch (every
 * other axis): {@link BatchNorm1d} for {@code [N, C]} and {@code [N, C, L]},
 * {@link BatchNorm2d} for images {@code [N, C, H, W]}.
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
 * evaluation mode the running statistics replace μ and σ², and nothing is updated. Buffers stay
 * on the device: a step reads none of them back.
 *
 * <p>The whole normalisation is one op ({@link Variable#batchNorm}): one backend call forward
 * and one backward, differentiable to any order. ε = 1e-5 by default. A training batch needs
 * more than one value per channel.
 */
public abstract class BatchNorm extends Module {
    /** PyTorch's defaults. */
    public static final double DEFAULT_EPS = 1e-5;
    public static final double DEFAULT_MOMENTUM = 0.1;

    private final String name;
    private final int features;
    private final double eps;
    private final double momentum;
    private final boolean affine;

    /**
     * @param name the layer's name, for errors
     * @param features C, the number of channels
     * @param eps ε, added to the variance
     * @param momentum the weight {@code m} of the new batch in the running averages, in [0, 1]
     * @param affine whether to learn γ (starting at 1) and β (starting at 0)
     * @param dtype a floating dtype for parameters and buffers
     */
    protected BatchNorm(String name, int features, double eps, double momentum, boolean affine, DType dtype) {
        Check.argument(features > 0, name, "expected features > 0, got %d", features);
        Check.argument(eps > 0 && Double.isFinite(eps), name, "expected a finite eps > 0, got %s", eps);
        Check.argument(momentum >= 0 && momentum <= 1, name, "expected a momentum in [0, 1], got %s", momentum);
        Check.argument(dtype != null && dtype.isFloating(), name, "expected a floating dtype, got %s", dtype);
        this.name = name;
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

    /** Whether the input has a rank this layer takes (its channels are checked here). */
    protected abstract boolean takesRank(int rank);

    /** The input shapes this layer takes, for errors: {@code [N, 8, H, W]}. */
    protected abstract String expectedShape(int features);

    /** The ε added to the variance. */
    public double eps() {
        return eps;
    }

    /** Whether the layer has a scale and shift (γ, β). */
    public boolean affine() {
        return affine;
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

    /** How many training batches updated the running averages (a read from the device). */
    public long batchesTracked() {
        return buffer("num_batches_tracked").toLongArray()[0];
    }

    @Override
    public Variable forward(Variable input) {
        String op = name + ".forward";
        Check.argument(takesRank(input.rank()) && input.size(1) == features, op, "expected input of shape %s, got %s",
                expectedShape(features), input.shape());
        if (isTraining()) {
            Check.argument(input.numel() / features > 1, op,
                    "expected more than one value per feature (channel) in training, got input shape %s", input.shape());
            try (NoGrad off = NoGrad.open()) {
                buffer("num_batches_tracked").addInPlace(1);
            }
        }
        return Variable.batchNorm(input, weight(), bias(), runningMean(), runningVar(), isTraining(), momentum, eps);
    }

    @Override
    protected String describeSettings() {
        return features + ", eps=" + eps + ", momentum=" + momentum + ", affine=" + affine;
    }
}
