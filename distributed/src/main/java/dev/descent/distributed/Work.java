package dev.descent.distributed;

/**
 * A collective under way ({@link ProcessGroup#allReduceAsync}). Until {@link #await()} returns,
 * its tensor must be neither changed nor closed.
 */
public final class Work {
    private final Runnable waiter;
    private boolean done;

    Work(Runnable waiter) {
        this.waiter = waiter;
    }

    /**
     * Returns when the result may be used: on the CPU, when it is in the tensor; on a GPU, when it
     * is queued on the compute stream ahead of the ops that follow (no synchronisation). Later
     * calls return at once.
     *
     * @throws CollectiveException naming the rank that failed, when the collective failed
     */
    public void await() {
        if (!done) {
            done = true;
            waiter.run();
        }
    }
}
