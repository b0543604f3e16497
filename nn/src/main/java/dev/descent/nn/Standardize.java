package dev.descent.nn;

import dev.descent.autograd.Variable;
import dev.descent.core.Backends;
import dev.descent.core.Check;
import dev.descent.core.DType;
import dev.descent.core.Tensor;

/**
 * {@code y = (x − μ) / σ} with fixed μ and σ, per feature (the last axis) or one for all: the
 * standardisation a model was trained behind, as a layer (Keras's {@code Normalization}), so
 * that a model exported with it takes raw inputs. μ and σ are buffers ({@code mean},
 * {@code std}): saved with the weights, never trained.
 */
public final class Standardize extends Module {
    /**
     * @param mean μ, one value or one per feature
     * @param std σ, as many values as {@code mean}, each positive
     */
    public Standardize(double[] mean, double[] std, DType dtype) {
        Check.argument(mean.length > 0 && mean.length == std.length, "Standardize",
                "expected as many means as deviations (at least 1), got %d and %d", mean.length, std.length);
        for (double s : std) {
            Check.argument(s > 0 && Double.isFinite(s), "Standardize", "expected positive deviations, got %s", s);
        }
        addBuffer("mean", Tensor.of(Backends.defaultDevice(), dtype, mean, mean.length));
        addBuffer("std", Tensor.of(Backends.defaultDevice(), dtype, std, std.length));
    }

    public Tensor mean() {
        return buffer("mean");
    }

    public Tensor std() {
        return buffer("std");
    }

    @Override
    public Variable forward(Variable input) {
        Check.argument(mean().numel() == 1 || input.size(input.rank() - 1) == mean().numel(), "Standardize.forward",
                "expected %d features on the last axis, got shape %s", mean().numel(), input.shape());
        // views of the buffers: the leaves own the views, the module the buffers
        return input.sub(Variable.of(mean().reshape(-1))).div(Variable.of(std().reshape(-1)));
    }

    @Override
    protected String describeSettings() {
        return "features=" + mean().numel();
    }
}
