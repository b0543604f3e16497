package dev.descent.train;

import dev.descent.core.Scope;
import dev.descent.core.Tensor;

/**
 * The rows classified right over an epoch's batches, counted on the device: adding a batch
 * reads nothing; {@link #value()} reads the count once (at the epoch's end, or for a checkpoint).
 */
final class CorrectCount implements AutoCloseable {
    private final long before;
    private Tensor counted;

    /** A count that starts at {@code before} (a resumed epoch's). */
    CorrectCount(long before) {
        this.before = before;
    }

    /** Adds the rows of {@code logits} ([m, classes]) whose largest value is at their label. */
    void add(Tensor logits, Tensor labels) {
        Tensor batch = Evaluation.correct(logits, labels);
        if (counted == null) {
            counted = Scope.escape(batch);
        } else {
            try (batch) {
                counted.addInPlace(batch);
            }
        }
    }

    /** The count so far (one read from the device). */
    long value() {
        return before + (counted == null ? 0 : (long) counted.item());
    }

    @Override
    public void close() {
        if (counted != null) {
            counted.close();
            counted = null;
        }
    }
}
