package dev.descent.train;

import dev.descent.core.Scope;
import dev.descent.core.DType;
import dev.descent.core.Tensor;
import dev.descent.distributed.ProcessGroup;
import dev.descent.distributed.ReduceOp;

/**
 * The rows classified right over an epoch's batches, counted on the device: adding a batch
 * reads nothing; {@link #value()} reads the count once (at the epoch's end, or for a checkpoint).
 */
final class CorrectCount implements AutoCloseable {
    private long before;
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

    /**
     * Adds every rank's count since the last fold into this one's (one all-reduce and one read):
     * data-parallel ranks each count their own part of the batches, and fold at the same steps,
     * so that {@link #value()} is then the count over every rank.
     */
    void fold(ProcessGroup group) {
        try (Tensor c = counted == null ? Tensor.zeros(group.device(), DType.INT64) : counted.to(DType.INT64)) {
            group.allReduce(c, ReduceOp.SUM);
            before += (long) c.item();
        }
        close();
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
