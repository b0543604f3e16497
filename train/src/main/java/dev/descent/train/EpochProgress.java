package dev.descent.train;

import dev.descent.train.checkpoint.TrainerState;
import dev.descent.train.metrics.StepRecord;

/**
 * What the steps of one epoch have measured so far: how many of its batches are done and the
 * sums its {@code EpochRecord} is made from. A checkpoint written inside the epoch keeps it
 * ({@link TrainerState.PartialEpoch}), so that a resumed run finishes the epoch as an
 * uninterrupted one would.
 */
final class EpochProgress implements AutoCloseable {
    final int epoch;
    final long startNanos;
    int batchesDone;
    double lossSum;
    /** Right answers, counted on the device (read at the epoch's end or for a checkpoint). */
    final CorrectCount correct;
    long examples;
    double gradNormSum;
    double lastLr;
    long trainNanos;
    /** Why the epoch's last step diverged, or null. */
    String divergence;

    /** Epoch {@code epoch} (from 1), starting now. */
    EpochProgress(int epoch) {
        this(epoch, System.nanoTime());
    }

    private EpochProgress(int epoch, long startNanos) {
        this(epoch, startNanos, 0);
    }

    private EpochProgress(int epoch, long startNanos, long correctBefore) {
        this.epoch = epoch;
        this.startNanos = startNanos;
        this.correct = new CorrectCount(correctBefore);
    }

    /** Epoch {@code epoch} as a checkpoint left it. */
    static EpochProgress resumed(int epoch, TrainerState.PartialEpoch p) {
        EpochProgress e = new EpochProgress(epoch, System.nanoTime() - p.elapsedNanos(), p.correct());
        e.batchesDone = p.batchesDone();
        e.lossSum = p.lossSum();
        e.examples = p.examples();
        e.gradNormSum = p.gradNormSum();
        e.lastLr = p.lastLr();
        e.trainNanos = p.trainNanos();
        return e;
    }

    /** Counts a step that updated the parameters (its correct predictions are counted when measured). */
    void add(StepRecord step) {
        batchesDone++;
        examples += step.batchSize();
        lossSum += step.loss() * step.batchSize();
        gradNormSum += step.gradNorm();
        lastLr = step.lr();
    }

    TrainerState.PartialEpoch snapshot() {
        return new TrainerState.PartialEpoch(batchesDone, lossSum, correct.value(), examples, gradNormSum, lastLr,
                trainNanos, System.nanoTime() - startNanos);
    }

    /** Frees the count's device memory. */
    @Override
    public void close() {
        correct.close();
    }
}
