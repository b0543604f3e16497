package dev.descent.train;

import dev.descent.core.Check;

/**
 * When a run stops before it diverges: after {@code maxEpochs}; when the epoch's training loss
 * is below {@code lossTolerance}; when the epoch's mean gradient norm is below
 * {@code gradNormTolerance} (seed 003 §6.1: "we monitor the gradient magnitude and terminate
 * the algorithm when it becomes too small"); or when the watched loss (the test loss if there is
 * a test set, else the training loss) has not improved by more than {@code minDelta} for
 * {@code patience} epochs. A tolerance of 0 and a patience of 0 switch that rule off.
 */
public record StopRules(int maxEpochs, double lossTolerance, double gradNormTolerance, int patience, double minDelta) {

    public StopRules {
        Check.argument(maxEpochs >= 1, "StopRules", "expected maxEpochs >= 1, got %d", maxEpochs);
        Check.argument(lossTolerance >= 0, "StopRules", "expected lossTolerance >= 0, got %s", lossTolerance);
        Check.argument(gradNormTolerance >= 0, "StopRules", "expected gradNormTolerance >= 0, got %s",
                gradNormTolerance);
        Check.argument(patience >= 0, "StopRules", "expected patience >= 0 (0: off), got %d", patience);
        Check.argument(minDelta >= 0, "StopRules", "expected minDelta >= 0, got %s", minDelta);
    }

    /** Only a number of epochs. */
    public static StopRules epochs(int maxEpochs) {
        return new StopRules(maxEpochs, 0, 0, 0, 0);
    }

    public StopRules withLossTolerance(double tolerance) {
        return new StopRules(maxEpochs, tolerance, gradNormTolerance, patience, minDelta);
    }

    public StopRules withGradNormTolerance(double tolerance) {
        return new StopRules(maxEpochs, lossTolerance, tolerance, patience, minDelta);
    }

    public StopRules withPatience(int epochs, double delta) {
        return new StopRules(maxEpochs, lossTolerance, gradNormTolerance, epochs, delta);
    }

    public StopRules withMaxEpochs(int epochs) {
        return new StopRules(epochs, lossTolerance, gradNormTolerance, patience, minDelta);
    }
}
