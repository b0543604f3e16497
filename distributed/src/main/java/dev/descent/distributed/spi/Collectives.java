package dev.descent.distributed.spi;

import dev.descent.distributed.ReduceOp;
import java.time.Duration;

/**
 * One connected group, as a library provides it. Calls come in the same order on every rank
 * (the group sees to that) and from one thread at a time; each returns a {@link PendingCollective}
 * at once or after the work is done, as the library allows. The group has checked every
 * argument: buffers are non-empty, of one dtype, on this group's device, of the sizes each op
 * needs, and never overlap one another. Failures are thrown as any {@link RuntimeException}
 * carrying the library's message; the group adds which rank failed.
 */
public interface Collectives extends AutoCloseable {

    /** {@code data} ← op over every rank's {@code data}, in place. */
    PendingCollective allReduce(CollectiveBuffer data, ReduceOp op, Duration timeout);

    /** {@code data} ← rank {@code root}'s {@code data}. */
    PendingCollective broadcast(CollectiveBuffer data, int root, Duration timeout);

    /** {@code output} (world × n elements) ← every rank's {@code input} (n), in rank order. */
    PendingCollective allGather(CollectiveBuffer input, CollectiveBuffer output, Duration timeout);

    /** {@code output} (n) ← block {@code rank} of op over every rank's {@code input} (world × n). */
    PendingCollective reduceScatter(CollectiveBuffer input, CollectiveBuffer output, ReduceOp op, Duration timeout);

    /** Returns once every rank has entered it. */
    PendingCollective barrier(Duration timeout);

    /** Leaves the group and frees the library's resources. */
    @Override
    void close();
}
