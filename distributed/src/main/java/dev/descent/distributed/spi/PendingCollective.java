package dev.descent.distributed.spi;

/** A collective a library has started. */
public interface PendingCollective {

    /**
     * Returns when the result may be used by the next op on its memory: on the host, when it is
     * there; on a GPU, when it is queued on the compute stream ahead of whatever comes next (no
     * synchronisation). Throws the library's failure.
     */
    void await();

    /** A collective already complete. */
    PendingCollective DONE = () -> { };
}
