package dev.descent.bench.distributed;

import dev.descent.core.DType;
import dev.descent.core.Tensor;
import dev.descent.distributed.ProcessGroup;
import dev.descent.distributed.ProcessGroups;
import dev.descent.distributed.ReduceOp;
import dev.descent.distributed.Rendezvous;
import java.util.Arrays;

/**
 * One rank of Descent's side of {@code bench/allreduce-bandwidth.sh}: {@link ProcessGroup#allReduce}
 * of float32 sums over Gloo on loopback, timed exactly as the C++ reference
 * ({@code bench/src/main/cpp/gloo_allreduce.cc}) times Gloo called directly: two sweeps over the
 * sizes from 4 KiB to 64 MiB, the first untimed (the JIT compiles the call path meanwhile: timed
 * from the JVM's start, the small sizes measured the compiler threads competing for the two
 * cores), and in the second for each size a warm-up loop and then the median of 5 timed loops,
 * printed by rank 0 as "size_bytes seconds_per_call". JMH cannot drive two processes in lockstep, so both sides use
 * this one method instead, and the script alternates them.
 */
public final class AllReduceRank {
    private AllReduceRank() {
    }

    public static void main(String[] args) {
        try (ProcessGroup g = ProcessGroups.init("gloo", Rendezvous.fromEnvironment())) {
            int repeats = 5;
            for (int sweep = 0; sweep < 2; sweep++) {
                for (long bytes = 1L << 12; bytes <= 1L << 26; bytes <<= 2) {
                    try (Tensor data = Tensor.ones(DType.FLOAT32, (int) (bytes / 4))) {
                        int calls = (int) Math.max(4, Math.min(200, (64L << 20) / bytes));
                        timedLoop(g, data, calls);
                        double[] times = new double[repeats];
                        for (int r = 0; r < repeats; r++) {
                            times[r] = timedLoop(g, data, calls);
                        }
                        Arrays.sort(times);
                        if (g.rank() == 0 && sweep == 1) {
                            System.out.printf("%d %.9f%n", bytes, times[repeats / 2]);
                        }
                    }
                }
            }
        }
    }

    private static double timedLoop(ProcessGroup g, Tensor data, int calls) {
        long start = System.nanoTime();
        for (int i = 0; i < calls; i++) {
            g.allReduce(data, ReduceOp.SUM);
        }
        return (System.nanoTime() - start) / 1e9 / calls;
    }
}
