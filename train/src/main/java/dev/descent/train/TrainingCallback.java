package dev.descent.train;

import dev.descent.train.metrics.EpochRecord;
import dev.descent.train.metrics.StepRecord;

/**
 * A user's hook into a {@link Trainer}'s run; every method does nothing unless overridden. A
 * callback may call {@link Trainer#requestStop} to end the run after the current epoch.
 * Exceptions thrown by a callback end the run and reach the caller of {@link Trainer#fit()}.
 */
public interface TrainingCallback {

    /** Before the first epoch of {@link Trainer#fit()} (after a restore, before the first new epoch). */
    default void onTrainStart(Trainer trainer) {
    }

    /**
     * Before epoch {@code epoch} (from 1), which takes {@code steps} steps; also before a run
     * continues an epoch it stopped inside (restored from a checkpoint written there).
     */
    default void onEpochStart(Trainer trainer, int epoch, int steps) {
    }

    /** After each optimiser step (and the checkpoint written there, if one is due). */
    default void onStep(Trainer trainer, StepRecord step) {
    }

    /** After each epoch, its test evaluation and its checkpoint. */
    default void onEpochEnd(Trainer trainer, EpochRecord epoch) {
    }

    /** When the run ends, however it ends (divergence included). */
    default void onTrainEnd(Trainer trainer, TrainingResult result) {
    }
}
