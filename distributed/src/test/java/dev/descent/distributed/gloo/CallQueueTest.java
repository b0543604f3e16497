package dev.descent.distributed.gloo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

/** The order of a group's calls, and who runs them. */
class CallQueueTest {

    /** Waiting right after asking lets the caller run some calls itself; the order holds either way. */
    @Test
    void callsRunOneAtATimeInTheOrderAskedWhoeverRunsThem() throws Exception {
        CallQueue q = new CallQueue("test");
        List<Integer> order = Collections.synchronizedList(new ArrayList<>());
        List<CallQueue.Call> calls = new ArrayList<>();
        int[] running = {0};
        for (int i = 0; i < 200; i++) {
            int n = i;
            calls.add(q.submit(() -> {
                synchronized (running) {
                    assertEquals(0, running[0]++, "two calls at once");
                }
                order.add(n);
                synchronized (running) {
                    running[0]--;
                }
            }));
            if (i % 7 == 0) {
                assertTrue(q.await(calls.get(i), 10_000));   // sometimes the caller runs it
            }
        }
        for (int i = calls.size() - 1; i >= 0; i--) {
            assertTrue(q.await(calls.get(i), 10_000));
        }
        List<Integer> expected = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            expected.add(i);
        }
        assertEquals(expected, order);
        assertTrue(q.close(5_000));
    }

    @Test
    void aFailureIsRethrownToItsWaiterAndATimeoutIsReported() throws Exception {
        CallQueue q = new CallQueue("test");
        IllegalStateException boom = new IllegalStateException("boom");
        CallQueue.Call bad = q.submit(() -> {
            throw boom;
        });
        assertSame(boom, assertThrows(IllegalStateException.class, () -> q.await(bad, 10_000)));
        CountDownLatch never = new CountDownLatch(1);
        CallQueue.Call stuck = q.submit(() -> {
            try {
                never.await();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        CallQueue.Call behind = q.submit(() -> { });
        Thread.sleep(50);
        assertFalse(q.await(behind, 100), "the call behind a stuck one times out");
        never.countDown();
        assertTrue(q.await(stuck, 10_000));
        assertTrue(q.close(5_000));
        assertThrows(IllegalStateException.class, () -> q.submit(() -> { }));
    }
}
