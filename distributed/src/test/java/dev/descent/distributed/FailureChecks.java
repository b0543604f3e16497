package dev.descent.distributed;

import dev.descent.core.Tensor;

/**
 * One rank of {@link FailureTest}: all-reduces in a loop, except the last rank, which after a
 * few rounds exits abruptly ({@code die}: no goodbye, as when killed), closes its group
 * ({@code leave}: as after an error of its own), stops calling collectives ({@code hang}), or
 * never joins ({@code absent}). Every other rank prints the exception it gets
 * ("FAILED ranks=[...] after N ms: message") and exits 3.
 */
public final class FailureChecks {
    private FailureChecks() {
    }

    public static void main(String[] args) throws InterruptedException {
        String mode = args[0];
        Rendezvous r = Rendezvous.fromEnvironment();
        boolean victim = r.rank() == r.worldSize() - 1;
        if (victim && mode.equals("absent")) {
            return;
        }
        long failedAt = 0;
        try (ProcessGroup g = ProcessGroups.init("gloo", r); Tensor t = Tensor.ones(1_000)) {
            for (int round = 0; round < 1_000_000; round++) {
                if (victim && round == 20) {
                    if (mode.equals("die")) {
                        Runtime.getRuntime().halt(137);
                    }
                    if (mode.equals("leave")) {
                        return;   // closes the group with a goodbye, as after an error of its own
                    }
                    Thread.sleep(r.timeout().toMillis() + 5_000);   // until the others have given up
                    return;
                }
                failedAt = System.nanoTime();
                g.allReduce(t, ReduceOp.AVERAGE);
            }
        } catch (CollectiveException e) {
            long ms = failedAt == 0 ? -1 : (System.nanoTime() - failedAt) / 1_000_000;
            System.out.println("FAILED ranks=" + e.failedRanks() + " after " + ms + " ms: " + e.getMessage());
            System.exit(3);
        }
    }
}
