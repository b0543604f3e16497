package dev.descent.core.spi;

/**
 * A {@link Storage} whose elements a native library can address directly: a collective
 * communication library (Gloo, NCCL) reads and writes a tensor's memory in place, with no copy
 * through Java arrays. Optional: a backend whose storages do not implement it cannot take part
 * in such exchanges, and the caller says so.
 *
 * <p>Host memory is ready when the backend's op returns; device memory is ready in the order of
 * {@link #stream()}, on which the backend queues its work: a library that enqueues its own
 * kernels on that stream sees every earlier op done, and every later op sees its result.
 */
public interface NativeMemory {

    /** The native address of element {@code offset} (host or device memory). */
    long address(long offset);

    /**
     * The native stream the backend queues work on for this memory (a {@code cudaStream_t}), or 0
     * for host memory, whose ops are complete when they return.
     */
    long stream();
}
