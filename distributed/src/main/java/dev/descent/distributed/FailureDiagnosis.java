package dev.descent.distributed;

import dev.descent.distributed.store.RankStatus;
import dev.descent.distributed.store.StoreClient;
import dev.descent.distributed.store.StoreException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;

/**
 * Turns a failed collective into a {@link CollectiveException} that names the rank at fault,
 * from what the rendezvous store knows: a rank whose connection closed without a goodbye has
 * exited (killed, crashed); one that closed its group before entering this collective stopped
 * early (an error of its own); a rank that has not entered the collective this one is stuck in
 * is hung or far behind; when the store itself is gone, rank 0, which serves it, has exited.
 */
final class FailureDiagnosis {
    private static final long SETTLE_MS = 1_000;
    private FailureDiagnosis() {
    }

    static CollectiveException diagnose(StoreClient store, int rank, String what, long sequence, Throwable cause) {
        String library = cause == null ? "" : " [" + causeMessage(cause) + "]";
        List<Integer> failed = new ArrayList<>();
        List<String> reasons = new ArrayList<>();
        if (cause instanceof StoreException se && se.failedRank() >= 0 && se.failedRank() != rank) {
            return new CollectiveException("rank " + rank + ": " + what + " failed: " + se.getMessage(),
                    List.of(se.failedRank()), cause);
        }
        List<RankStatus> all;
        try {
            all = statusAfterExitsSettle(store, rank);
        } catch (StoreException e) {
            return new CollectiveException("rank " + rank + ": " + what + " failed: " + e.getMessage() + library,
                    rank == 0 ? List.of() : List.of(0), cause);
        }
        for (RankStatus s : all) {
            if (s.rank() != rank && s.exited()) {
                failed.add(s.rank());
                reasons.add("rank " + s.rank() + " exited (its connection to the rendezvous closed without a goodbye"
                        + (s.sequence() > 0 ? ", in " + s.op() + " #" + s.sequence() : "") + ")");
            }
        }
        if (failed.isEmpty()) {
            for (RankStatus s : all) {
                if (s.rank() != rank && s.done() && s.sequence() < sequence) {
                    failed.add(s.rank());
                    reasons.add("rank " + s.rank() + " left the group (closed it, after "
                            + (s.sequence() == 0 ? "no collective" : s.op() + " #" + s.sequence())
                            + ") without taking part: it stopped early, see its own error");
                }
            }
        }
        if (failed.isEmpty()) {
            for (RankStatus s : all) {
                if (s.rank() != rank && !s.done() && (!s.joined() || s.sequence() < sequence)) {
                    failed.add(s.rank());
                    reasons.add(!s.joined() ? "rank " + s.rank() + " never joined"
                            : "rank " + s.rank() + " has not reached it: it last entered "
                                    + (s.sequence() == 0 ? "none" : s.op() + " #" + s.sequence()) + ", "
                                    + seconds(s.millisSinceProgress()) + " ago, so it hangs or is far behind");
                }
            }
        }
        String why = reasons.isEmpty() ? "no other rank is known to have failed" : String.join("; ", reasons);
        return new CollectiveException("rank " + rank + ": " + what + " failed: " + why + library, failed, cause);
    }

    /**
     * The store's table once a peer's exit has had time to reach it: a library can see a peer's
     * connection close a moment before the store sees that peer's, so the table is read again for
     * up to {@link #SETTLE_MS} while it shows no exit.
     */
    private static List<RankStatus> statusAfterExitsSettle(StoreClient store, int rank) {
        long deadline = System.nanoTime() + SETTLE_MS * 1_000_000;
        while (true) {
            List<RankStatus> all = store.status();
            boolean anyExit = all.stream().anyMatch(s -> s.rank() != rank && s.exited());
            if (anyExit || System.nanoTime() > deadline) {
                return all;
            }
            LockSupport.parkNanos(100_000_000);
        }
    }

    private static String seconds(long ms) {
        return String.format("%.1f s", ms / 1000.0);
    }

    private static String causeMessage(Throwable t) {
        String m = t.getMessage();
        return (m == null ? t.getClass().getSimpleName() : m).replaceAll("\\s+", " ").strip();
    }
}
