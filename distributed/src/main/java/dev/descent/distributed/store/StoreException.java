package dev.descent.distributed.store;

/** The rendezvous store failed or timed out; {@link #failedRank()} names the rank at fault when known. */
public class StoreException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int failedRank;

    public StoreException(String message, int failedRank, Throwable cause) {
        super(message, cause);
        this.failedRank = failedRank;
    }

    public StoreException(String message, int failedRank) {
        this(message, failedRank, null);
    }

    /** The rank found to have failed, or -1 when none is known. */
    public int failedRank() {
        return failedRank;
    }
}
