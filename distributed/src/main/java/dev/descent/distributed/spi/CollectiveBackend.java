package dev.descent.distributed.spi;

import dev.descent.core.Device;
import dev.descent.core.spi.Backend.Availability;

/**
 * A collective communication library behind {@link dev.descent.distributed.ProcessGroup}:
 * Gloo for CPU tensors, NCCL for CUDA tensors. Found with {@link java.util.ServiceLoader}, as
 * compute backends are; the public no-argument constructor touches no native library:
 * {@link #availability()} does, so that a missing library is a reason, never a crash.
 *
 * <p>The group does what is common to every library: argument checks, sequence numbers, progress
 * reports to the rendezvous, and naming the rank that failed. A backend only moves the bytes.
 */
public interface CollectiveBackend {

    /** The name a group is asked for by ({@code gloo}, {@code nccl}). */
    String name();

    /** Whether the library can run here, and what to install when it cannot. */
    Availability availability();

    /** The device this rank's tensors live on: the CPU, or the GPU of {@code localRank}. */
    Device device(int localRank);

    /**
     * Joins the group: every rank calls it at once, and it returns when all are connected (or
     * throws when {@code member.timeout()} passes first).
     */
    Collectives connect(Membership member);
}
