package dev.descent.distributed;

import java.util.List;

/**
 * A collective, or joining a group, failed: a rank exited, hung past the timeout, or the
 * library reported an error. The message names the ranks found to have failed (when any could
 * be found), the op and its sequence number; {@link #failedRanks()} lists them. After it the
 * group is broken: every later call on it throws at once.
 */
public class CollectiveException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final transient List<Integer> failedRanks;

    public CollectiveException(String message, List<Integer> failedRanks, Throwable cause) {
        super(message, cause);
        this.failedRanks = List.copyOf(failedRanks);
    }

    public CollectiveException(String message, List<Integer> failedRanks) {
        this(message, failedRanks, null);
    }

    /** The ranks found to have exited or hung; empty when none could be named. */
    public List<Integer> failedRanks() {
        return failedRanks;
    }
}
