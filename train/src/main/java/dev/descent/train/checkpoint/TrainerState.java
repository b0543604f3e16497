package dev.descent.train.checkpoint;

import dev.descent.optim.schedule.ReduceLrOnPlateau;
import dev.descent.train.metrics.MetricsHistory;
import java.util.Map;

/**
 * The trainer's part of a checkpoint: everything besides the weights and the optimiser that a
 * resumed run needs to continue exactly as an uninterrupted one.
 *
 * @param epochsDone completed epochs
 * @param stepsDone optimiser steps taken
 * @param epochInProgress epoch {@code epochsDone + 1} when the checkpoint was written inside it,
 *     or null at an epoch boundary
 * @param scheduleCount the learning-rate schedule's counter, or -1 without a schedule
 * @param plateau the plateau reducer's counters, or null without one
 * @param generators each registered generator's {@code state()}, by name
 * @param bestWatched the best watched loss so far (early stopping)
 * @param epochsWithoutImprovement epochs since it last improved
 * @param loader the loader's settings, which must match when resuming
 * @param history the metrics so far (kept in the run's {@link HistoryLog}, not in {@code trainer.json})
 * @param metadata the caller's own strings (the CLI keeps its configuration here)
 */
public record TrainerState(int epochsDone, long stepsDone, PartialEpoch epochInProgress, long scheduleCount,
        ReduceLrOnPlateau.State plateau, Map<String, long[]> generators,
        double bestWatched, int epochsWithoutImprovement, LoaderSettings loader, MetricsHistory history,
        Map<String, String> metadata) {

    /** This state with {@code h} as its history. */
    public TrainerState withHistory(MetricsHistory h) {
        return new TrainerState(epochsDone, stepsDone, epochInProgress, scheduleCount, plateau, generators, bestWatched,
                epochsWithoutImprovement, loader, h, metadata);
    }

    /** The loader settings that fix the order of the examples. */
    public record LoaderSettings(int batchSize, boolean shuffle, boolean dropLast, long seed, int examples) {
    }

    /**
     * How far an epoch had got: its batches done (one optimiser step each) and the sums its
     * record is made from, so that a resumed run finishes it with the record an uninterrupted run
     * makes.
     *
     * @param batchesDone the epoch's batches done
     * @param lossSum Σ batch loss × batch size over them
     * @param correct their examples classified right
     * @param examples their examples
     * @param gradNormSum Σ global gradient norm over their steps
     * @param lastLr the learning rate of the last of them
     * @param trainNanos the time their steps took
     * @param elapsedNanos the time since the epoch started (timing only: it need not repeat)
     */
    public record PartialEpoch(int batchesDone, double lossSum, long correct, long examples, double gradNormSum,
            double lastLr, long trainNanos, long elapsedNanos) {
    }
}
