package dev.descent.train;

import dev.descent.train.metrics.EpochRecord;
import dev.descent.train.metrics.MetricsHistory;

/**
 * How a run ended.
 *
 * @param reason why it stopped
 * @param message a sentence for a person (for a divergence: where, and what to try)
 * @param epochs epochs completed (a diverged epoch does not count)
 * @param steps optimiser steps taken
 * @param wallSeconds the wall time of this {@code fit()} call
 * @param samplesPerSecond training examples per second over this call's training steps
 * @param history every record of the run (restored ones included)
 */
public record TrainingResult(StopReason reason, String message, int epochs, long steps, double wallSeconds,
        double samplesPerSecond, MetricsHistory history) {

    /** Whether the run diverged. */
    public boolean diverged() {
        return reason == StopReason.DIVERGED;
    }

    /** The last completed epoch's record, or null when none completed. */
    public EpochRecord lastEpoch() {
        return history.lastEpoch();
    }
}
