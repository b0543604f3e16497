package dev.descent.train;

import dev.descent.core.Check;

/**
 * When a run stops before it diverges: after {@code maxEpochs}; after {@code maxSteps} optimiser
 * steps, in the middle of an epoch if need be (a step budget, Lightning's {@code max_steps});
 * when the epoch's training loss is below {@code lossTolerance}; when the epoch's mean gradient
 * norm is below {@code gradNormTolerance} (seed 003 §6.1: "we monitor the gradient magnitude and
 * terminate the algorithm when it becomes too small"); or when the watched loss (the test loss if
 * there is a test set, else the training loss) has not improved by more than {@code minDelta} for
 * {@code patience} epochs. A step budget, a tolerance and a patience of 0 switch that rule off.
 */
public record StopRules(int maxEpochs, double lossTolerance, double gradNormTolerance, int patience, double minDelta,
        long maxSteps) {

    public StopRules {
        Check.argument(maxEpochs >= 1, "StopRules", "expected maxEpochs >= 1, got %d", maxEpochs);
        Check.argument(lossTolerance >= 0, "StopRules", "expected lossTolerance >= 0, got %s", lossTolerance);
        Check.argument(gradNormTolerance >= 0, "StopRules", "expected gradNormTolerance >= 0, got %s",
                gradNormTolerance);
        Check.argument(patience >= 0, "StopRules", "expected patience >= 0 (0: off), got %d", patience);
        Check.argument(minDelta >= 0, "StopRules", "expected minDelta >= 0, got %s", minDelta);
        Check.argument(maxSteps >= 0, "StopRules", "expected maxSteps >= 0 (0: off), got %d", maxSteps);
    }

    /** Without a step budget. */
    public StopRules(int maxEpochs, double lossTolerance, double gradNormTolerance, int patience, double minDelta) {
        this(maxEpochs, lossTolerance, gradNormTolerance, patience, minDelta, 0);
    }

    /** Only a number of epochs. */
    public static StopRules epochs(int maxEpochs) {
        return new StopRules(maxEpochs, 0, 0, 0, 0);
    }

    public StopRules withLossTolerance(double tolerance) {
        return new StopRules(maxEpochs, tolerance, gradNormTolerance, patience, minDelta, maxSteps);
    }

    public StopRules withGradNormTolerance(double tolerance) {
        return new StopRules(maxEpochs, lossTolerance, tolerance, patience, minDelta, maxSteps);
    }

    public StopRules withPatience(int epochs, double delta) {
        return new StopRules(maxEpochs, lossTolerance, gradNormTolerance, epochs, delta, maxSteps);
    }

    public StopRules withMaxEpochs(int epochs) {
        return new StopRules(epochs, lossTolerance, gradNormTolerance, patience, minDelta, maxSteps);
    }

    /** A budget of {@code steps} optimiser steps over the whole run, restored ones included (0: off). */
    public StopRules withMaxSteps(long steps) {
        return new StopRules(maxEpochs, lossTolerance, gradNormTolerance, patience, minDelta, steps);
    }
}
