package dev.descent.train.metrics;

/**
 * What one optimiser step measured.
 *
 * @param step the step's number over the whole run, from 1
 * @param epoch the epoch it belongs to, from 1
 * @param loss the batch's loss before the update
 * @param gradNorm the global 2-norm of every parameter's gradient, before clipping
 * @param lr the learning rate the update used
 * @param batchSize the number of examples in the batch
 */
public record StepRecord(long step, int epoch, double loss, double gradNorm, double lr, int batchSize) {
}
