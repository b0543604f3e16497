package dev.descent.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class CpuThreadsTest {
    @Test
    void splitCoversTheRangeWithAlignedStarts() {
        long[] b = CpuThreads.split(1_000_003, 4, 512);
        assertEquals(0, b[0]);
        assertEquals(1_000_003, b[4]);
        for (int p = 1; p < 4; p++) {
            assertEquals(0, b[p] % 512, "boundary " + b[p]);
            assertTrue(b[p] >= b[p - 1]);
        }
    }

    @Test
    void parallelForVisitsEveryIndexExactlyOnce() {
        long n = 10 * CpuThreads.GRAIN + 7;
        AtomicLong sum = new AtomicLong();
        AtomicLong count = new AtomicLong();
        CpuThreads.parallelFor(n, CpuThreads.GRAIN, 16, (from, to) -> {
            long s = 0;
            for (long i = from; i < to; i++) {
                s += i;
            }
            sum.addAndGet(s);
            count.addAndGet(to - from);
        });
        assertEquals(n, count.get());
        assertEquals(n * (n - 1) / 2, sum.get());
    }

    /**
     * With every pool thread held up (here: blocked in other ops, as a thread descheduled by
     * another process is), an op still completes: its caller takes every part itself. With one
     * part per pool thread and the caller only waiting, it waited for the held-up threads.
     */
    @Test
    void anOpCompletesOnItsCallerWhenEveryPoolThreadIsHeldUp() throws Exception {
        int before = CpuThreads.threads();
        CpuThreads.setThreads(2);
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch blocked = new CountDownLatch(2);
        List<Thread> holders = new ArrayList<>();
        try {
            for (int h = 0; h < 2; h++) {
                Thread t = new Thread(() -> CpuThreads.parallelFor(8 * CpuThreads.GRAIN, CpuThreads.GRAIN, 1,
                        (from, to) -> {
                            if (Thread.currentThread().getName().startsWith("descent-cpu-")) {
                                blocked.countDown();
                            }
                            await(release);
                        }));
                t.start();
                holders.add(t);
            }
            assertTrue(blocked.await(60, TimeUnit.SECONDS), "both pool threads should be held");
            AtomicLong count = new AtomicLong();
            AtomicLong onCaller = new AtomicLong();
            // a bound on a hang, not a timing: before, this call waited for the held pool threads forever
            assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
                Thread caller = Thread.currentThread();
                CpuThreads.parallelFor(16 * CpuThreads.GRAIN, CpuThreads.GRAIN, 1, (from, to) -> {
                    count.addAndGet(to - from);
                    if (Thread.currentThread() == caller) {
                        onCaller.addAndGet(to - from);
                    }
                });
            });
            assertEquals(16 * CpuThreads.GRAIN, count.get());
            assertEquals(count.get(), onCaller.get(), "every part ran on the caller");
        } finally {
            release.countDown();
            for (Thread t : holders) {
                t.join();
            }
            CpuThreads.setThreads(before);
        }
    }

    @Test
    void theExceptionOfTheLowestFailingPartIsRethrown() {
        long n = 16 * CpuThreads.GRAIN;
        IllegalStateException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                () -> CpuThreads.parallelFor(n, CpuThreads.GRAIN, 1, (from, to) -> {
                    if (from > 0) {
                        throw new IllegalStateException("part at " + from);
                    }
                }));
        long[] bounds = CpuThreads.split(n, (int) Math.min((long) CpuThreads.threads() * CpuThreads.OVERSPLIT,
                n / CpuThreads.GRAIN), 1);
        if (bounds.length > 2) {
            assertEquals("part at " + bounds[1], e.getMessage());
        }
    }

    private static void await(CountDownLatch l) {
        try {
            l.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
