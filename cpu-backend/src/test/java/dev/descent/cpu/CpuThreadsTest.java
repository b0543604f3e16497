package dev.descent.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
}
