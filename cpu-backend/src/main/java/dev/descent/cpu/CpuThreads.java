package dev.descent.cpu;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Splits work over the CPU backend's threads. The count comes from the system property
 * {@code descent.cpu.threads} and defaults to the available cores; work smaller than
 * {@link #GRAIN} elements runs on the calling thread, where handing it over costs more than it saves.
 */
final class CpuThreads {
    /** Elements below which an op stays on one thread. */
    static final long GRAIN = 1 << 15;
    /** Parts per thread at most: slack for threads that other processes keep off a core. */
    static final int OVERSPLIT = 4;
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
     * Runs {@code task} over [0, n) in contiguous parts, each of at least {@code grain} items
     * and aligned to {@code align}, up to {@link #OVERSPLIT} parts per thread. Parts are fixed by
     * n and the thread count alone, and no result depends on which thread runs which part
     * (callers that combine parts fold fixed blocks, see {@code Reductions}).
     *
     * <p>The calling thread works too: it and up to {@code threads - 1} pool threads take parts
     * from a shared counter until none is left, and the caller then waits only for parts that a
     * pool thread has started. So when other processes hold some cores, a pool thread that is not
     * scheduled takes no part and delays nothing (with one part per thread, every op waited for
     * its slowest thread: a descheduled one cost a scheduler time slice per op, and throughput
     * collapsed on a shared machine); the extra parts let the threads that do run share the
     * rest. An exception of a part is rethrown after every started part ended (that of the
     * lowest part when several fail, so the message does not depend on timing).
     */
    static void parallelFor(long n, long grain, long align, RangeTask task) {
        int t = threads;
        int parts = (int) Math.min((long) t * OVERSPLIT, Math.max(1, n / Math.max(grain, 1)));
        if (t <= 1 || parts <= 1 || ForkJoinTask.inForkJoinPool()) {
            task.run(0, n);
            return;
        }
        long[] bounds = split(n, parts, align);
        Parts work = new Parts(parts, bounds, task);
        int helpers = Math.min(t - 1, parts - 1);
        ForkJoinPool p = pool;
        for (int i = 0; i < helpers; i++) {
            p.execute(work::drain);
        }
        work.drain();
        work.awaitAndRethrow();
    }

    /**
     * Parts of one {@link #parallelFor}, taken in order by whichever thread comes. A pool thread
     * may reach its task after the op has ended (every part taken by others): it then finds no
     * part, and the task (with the tensors it holds) was already dropped, so a late helper keeps
     * no tensor's memory from the Cleaner.
     */
    private static final class Parts {
        private final int count;
        private final long[] bounds;
        private volatile RangeTask task;
        private final AtomicInteger next = new AtomicInteger();
        private final CountDownLatch finished;
        private final Throwable[] failures;

        Parts(int count, long[] bounds, RangeTask task) {
            this.count = count;
            this.bounds = bounds;
            this.task = task;
            this.finished = new CountDownLatch(count);
            this.failures = new Throwable[count];
        }

        void drain() {
            for (int p = next.getAndIncrement(); p < count; p = next.getAndIncrement()) {
                try {
                    // set until every part has finished, so a thread holding a part sees it
                    task.run(bounds[p], bounds[p + 1]);
                } catch (Throwable e) {
                    failures[p] = e;
                } finally {
                    finished.countDown();
                }
            }
        }

        void awaitAndRethrow() {
            boolean interrupted = false;
            while (true) {
                try {
                    finished.await();
                    break;
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
            task = null;
            for (Throwable f : failures) {
                if (f instanceof RuntimeException r) {
                    throw r;
                }
                if (f instanceof Error e) {
                    throw e;
                }
                if (f != null) {
                    throw new IllegalStateException(f);
                }
            }
        }
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
