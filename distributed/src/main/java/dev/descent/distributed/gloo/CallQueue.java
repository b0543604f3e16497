package dev.descent.distributed.gloo;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Gloo's calls of one group, run one at a time in the order they were asked for (Gloo needs the
 * same order on every rank), by the group's thread — or by the thread that waits for a call
 * when that call is next and nothing is running. A caller that waits at once (a plain
 * {@code allReduce}, or the bucket that completes a step) then runs its call itself and saves two
 * thread switches, which on a busy machine can cost a scheduler slice each; a caller that goes on
 * working (buckets started while the backward pass runs) leaves its call to the group's thread.
 */
final class CallQueue {
    private final Deque<Call> queue = new ArrayDeque<>();
    private final Thread worker;
    private boolean running;
    private boolean closed;

    /** One call and how it ended. */
    static final class Call {
        private final Runnable body;
        private boolean started;
        private boolean done;
        private RuntimeException failure;

        private Call(Runnable body) {
            this.body = body;
        }
    }

    CallQueue(String threadName) {
        worker = new Thread(this::work, threadName);
        worker.setDaemon(true);
        worker.start();
    }

    synchronized Call submit(Runnable body) {
        if (closed) {
            throw new IllegalStateException("the group is closed");
        }
        Call c = new Call(body);
        queue.addLast(c);
        notifyAll();
        return c;
    }

    /**
     * Waits for {@code c} (running it here if it is next and nothing runs), up to {@code waitMs};
     * rethrows its failure.
     *
     * @return false when the time ran out first
     */
    boolean await(Call c, long waitMs) throws InterruptedException {
        boolean here = false;
        synchronized (this) {
            if (!c.started && !running && queue.peekFirst() == c) {
                queue.pollFirst();
                c.started = true;
                running = true;
                here = true;
            }
        }
        if (here) {
            run(c);
        } else {
            long deadline = System.nanoTime() + waitMs * 1_000_000;
            synchronized (this) {
                while (!c.done) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        return false;
                    }
                    wait(Math.max(1, left / 1_000_000));
                }
            }
        }
        if (c.failure != null) {
            throw c.failure;
        }
        return true;
    }

    private void run(Call c) {
        RuntimeException failure = null;
        try {
            c.body.run();
        } catch (RuntimeException e) {
            failure = e;
        }
        synchronized (this) {
            c.failure = failure;
            c.done = true;
            running = false;
            notifyAll();
        }
    }

    private void work() {
        while (true) {
            Call c;
            synchronized (this) {
                while (running || queue.isEmpty() && !closed) {
                    try {
                        wait();
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                if (queue.isEmpty()) {
                    return;   // closed, nothing left
                }
                c = queue.pollFirst();
                c.started = true;
                running = true;
            }
            run(c);
        }
    }

    /** Runs what was asked for, then stops; whether every call ended within {@code waitMs}. */
    boolean close(long waitMs) throws InterruptedException {
        synchronized (this) {
            closed = true;
            notifyAll();
        }
        worker.join(waitMs);
        synchronized (this) {
            return !running && queue.isEmpty();
        }
    }
}
