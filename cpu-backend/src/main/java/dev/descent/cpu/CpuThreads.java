package dev.descent.cpu;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;
import java.util.concurrent.RecursiveAction;

/**
 * Splits work over the CPU backend's threads. The count comes from the system property
 * {@code descent.cpu.threads} and defaults to the available cores; work smaller than
 * {@link #GRAIN} elements runs on the calling thread, where handing it over costs more than it saves.
 */
final class CpuThreads {
    /** Elements below which an op stays on one thread. */
    static final long GRAIN = 1 << 15;
    /** The most threads a {@link ForkJoinPool} takes (its parallelism limit, 0x7fff). */
    static final int MAX_THREADS = 32767;

    private static volatile int threads = configured();
    private static volatile ForkJoinPool pool = newPool(threads);

    private CpuThreads() {
    }

    private static int configured() {
        String p = System.getProperty("descent.cpu.threads");
        if (p == null || p.isBlank()) {
            return Runtime.getRuntime().availableProcessors();
        }
        try {
            int n = Integer.parseInt(p.trim());
            if (n < 1 || n > MAX_THREADS) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("descent.cpu.threads: expected a whole number from 1 to " + MAX_THREADS
                    + " (a ForkJoinPool's limit), got '" + p + "'");
        }
    }

    private static ForkJoinPool newPool(int n) {
        return new ForkJoinPool(n, p -> {
            var t = ForkJoinPool.defaultForkJoinWorkerThreadFactory.newThread(p);
            t.setDaemon(true);
            t.setName("descent-cpu-" + t.getPoolIndex());
            return t;
        }, null, false);
    }

    static int threads() {
        return threads;
    }

    static synchronized void setThreads(int n) {
        if (n < 1 || n > MAX_THREADS) {
            throw new IllegalArgumentException("cpu threads: expected 1 to " + MAX_THREADS + " (a ForkJoinPool's limit), got "
                    + n);
        }
        if (n != threads) {
            ForkJoinPool old = pool;
            pool = newPool(n);
            threads = n;
            old.shutdown();
        }
    }

    /** Work on the index range [from, to). */
    interface RangeTask {
        void run(long from, long to);
    }

    /**
     * Runs {@code task} over [0, n) in at most {@link #threads()} contiguous parts, each of at
     * least {@code grain} items and aligned to {@code align}. Parts are fixed by n and the
     * thread count alone, so results that combine parts are reproducible.
     */
    static void parallelFor(long n, long grain, long align, RangeTask task) {
        int parts = (int) Math.min(threads, Math.max(1, n / Math.max(grain, 1)));
        if (parts <= 1 || ForkJoinTask.inForkJoinPool()) {
            task.run(0, n);
            return;
        }
        long[] bounds = split(n, parts, align);
        RecursiveAction[] actions = new RecursiveAction[parts];
        for (int p = 0; p < parts; p++) {
            long from = bounds[p];
            long to = bounds[p + 1];
            actions[p] = new RecursiveAction() {
                private static final long serialVersionUID = 1L;

                @Override
                protected void compute() {
                    task.run(from, to);
                }
            };
        }
        pool.invoke(new RecursiveAction() {
            private static final long serialVersionUID = 1L;

            @Override
            protected void compute() {
                invokeAll(actions);
            }
        });
    }

    /** The boundaries of {@code parts} near-equal parts of [0, n), each start a multiple of {@code align}. */
    static long[] split(long n, int parts, long align) {
        long[] b = new long[parts + 1];
        for (int p = 1; p < parts; p++) {
            long at = n * p / parts;
            b[p] = Math.min(n, Math.max(b[p - 1], at - at % Math.max(align, 1)));
        }
        b[parts] = n;
        return b;
    }
}
