package dev.descent.nn;

import dev.descent.autograd.NoGrad;
import dev.descent.autograd.Variable;
import dev.descent.core.Check;
import dev.descent.core.DType;
import dev.descent.core.Tensor;

/**
 * Batch normalisation of an {@code [N, C, H, W]} input per channel (Ioffe &amp; Szegedy 2015), as
 * PyTorch's {@code nn.BatchNorm2d}: the statistics of channel c are over its {@code m = N·H·W}
 * values,
 *
 * <pre>
 * μ_c = (1/m) Σ x        σ²_c = (1/m) Σ (x − μ_c)²                    (biased, in training)
 * y = γ_c (x − μ_c) / √(σ²_c + ε) + β_c                               (γ "weight", β "bias")
 * running_mean ← (1 − m)·running_mean + m·μ_c
 * running_var  ← (1 − m)·running_var  + m·σ²_c·m_b/(m_b − 1)          (unbiased)
 * </pre>
 *
 * with momentum {@code m = 0.1} and ε = 1e-5 by default; in evaluation mode the running
 * statistics replace μ and σ² and nothing is updated. The buffers (running_mean, running_var,
 * num_batches_tracked) stay on the device: a training step reads nothing back for them.
 * {@link BatchNorm1d} has the same semantics for {@code [N, C]} and {@code [N, C, L]}.
 */
public final class BatchNorm2d extends Module {
    private static final int[] AXES = {0, 2, 3};

    private final int features;
    private final double eps;
    private final double momentum;
    private final boolean affine;

    /** float32, ε = 1e-5, momentum 0.1, with γ and β. */
    public BatchNorm2d(int features) {
        this(features, BatchNorm1d.DEFAULT_EPS, BatchNorm1d.DEFAULT_MOMENTUM, true, DType.FLOAT32);
    }

    /**
     * @param features C, the number of channels
     * @param eps ε, added to the variance
     * @param momentum the weight {@code m} of the new batch in the running averages, in [0, 1]
     * @param affine whether to learn γ (starting at 1) and β (starting at 0)
     * @param dtype a floating dtype for parameters and buffers
     */
    public BatchNorm2d(int features, double eps, double momentum, boolean affine, DType dtype) {
        String op = "BatchNorm2d";
        Check.argument(features > 0, op, "expected features > 0, got %d", features);
        Check.argument(eps > 0 && Double.isFinite(eps), op, "expected a finite eps > 0, got %s", eps);
        Check.argument(momentum >= 0 && momentum <= 1, op, "expected a momentum in [0, 1], got %s", momentum);
        Check.argument(dtype != null && dtype.isFloating(), op, "expected a floating dtype, got %s", dtype);
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

    @Override
    public Variable forward(Variable input) {
        String op = "BatchNorm2d.forward";
        Check.argument(input.rank() == 4 && input.size(1) == features, op, "expected input of shape [N, %d, H, W], got %s",
                features, input.shape());
        int[] perChannel = {1, features, 1, 1};
        Variable normalised = isTraining() ? normaliseWithBatch(input) : normaliseWithRunning(input, perChannel);
        if (!affine) {
            return normalised;
        }
        return normalised.mul(weight().reshape(perChannel)).add(bias().reshape(perChannel));
    }

    private Variable normaliseWithBatch(Variable x) {
        long m = x.numel() / features;
        Check.argument(m > 1, "BatchNorm2d.forward",
                "expected more than one value per channel in training, got input shape %s", x.shape());
        Variable mean = x.mean(AXES, true);
        Variable centered = x.sub(mean);
        Variable var = centered.square().mean(AXES, true);
        updateRunning(mean, var, m);
        return centered.mul(var.add(eps).rsqrt());
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

    private Variable normaliseWithRunning(Variable x, int[] perChannel) {
        Tensor inverseStd;
        try (Tensor shifted = runningVar().add(eps); Tensor r = shifted.rsqrt()) {
            inverseStd = r.reshape(perChannel);
        }
        return x.sub(Variable.of(runningMean().reshape(perChannel))).mul(Variable.of(inverseStd));
    }

    @Override
    protected String describeSettings() {
        return features + ", eps=" + eps + ", momentum=" + momentum + ", affine=" + affine;
    }
}
