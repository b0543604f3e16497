package dev.descent.train.metrics;

/**
 * What one epoch measured. A value that was not measured (accuracy on a regression task, test
 * metrics without a test set) is NaN, written as an empty CSV cell and a JSON null.
 *
 * @param epoch the epoch's number, from 1
 * @param steps the steps taken so far in the run
 * @param trainLoss the mean batch loss over the epoch, weighted by batch size (measured while
 *     the parameters changed, as Keras and most training logs report it)
 * @param trainAccuracy the fraction of the epoch's examples classified right, measured the same way
 * @param testLoss the loss on the test set after the epoch (evaluation mode, no gradients)
 * @param testAccuracy the accuracy on the test set after the epoch
 * @param gradNorm the mean over the epoch's steps of the global gradient norm
 * @param lr the learning rate at the epoch's last step
 * @param seconds the epoch's wall time, test evaluation included
 * @param samplesPerSecond training examples per second of training steps (evaluation excluded)
 */
public record EpochRecord(int epoch, long steps, double trainLoss, double trainAccuracy, double testLoss,
        double testAccuracy, double gradNorm, double lr, double seconds, double samplesPerSecond) {
}
