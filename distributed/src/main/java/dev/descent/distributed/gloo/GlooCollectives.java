package dev.descent.distributed.gloo;

import dev.descent.core.DType;
import dev.descent.distributed.ReduceOp;
import dev.descent.distributed.spi.CollectiveBuffer;
import dev.descent.distributed.spi.Collectives;
import dev.descent.distributed.spi.Membership;
import dev.descent.distributed.spi.PendingCollective;
import java.time.Duration;

/**
 * A connected Gloo context. Gloo's calls block until the data has arrived, so they run on the
 * group's own thread, in the order they were asked for (the order is the same on every rank,
 * which Gloo requires); the caller goes on meanwhile — data-parallel training keeps
 * differentiating while a bucket of gradients is averaged — and waits in
 * {@link PendingCollective#await()}, running the call itself when it is next ({@link CallQueue}).
 * Each call carries its own timeout, which Gloo enforces.
 *
 * <p>The TCP device listens on the address this machine reaches the rendezvous from, or on the
 * interface named by {@code GLOO_SOCKET_IFNAME} (PyTorch's variable) when it is set.
 *
 * <p>All-reduces (and reduce-scatters, which are all-reduces here) use Gloo's bcube algorithm
 * (recursive halving and doubling for a power-of-two world; a direct reduce-scatter and
 * all-gather otherwise) unless {@code descent.gloo.algorithm} is {@code ring}. On loopback with
 * two ranks bcube took a third of the ring's time for a megabyte (see the module README); both
 * move the same bytes, bcube in fewer rounds.
 */
final class GlooCollectives implements Collectives {
    /** How much longer than a call's timeout its waiter waits before calling Gloo unresponsive. */
    private static final long GRACE_MS = 30_000;

    private final GlooNative.DescentGlooGroup group;
    private final CallQueue calls;
    private volatile RuntimeException failed;

    private GlooCollectives(GlooNative.DescentGlooGroup group, int rank) {
        this.group = group;
        this.calls = new CallQueue("descent-gloo-rank-" + rank);
    }

    static GlooCollectives connect(Membership m) {
        String iface = System.getenv("GLOO_SOCKET_IFNAME");
        String algorithm = System.getProperty("descent.gloo.algorithm", "bcube");
        if (!algorithm.equals("bcube") && !algorithm.equals("ring")) {
            throw new IllegalArgumentException("descent.gloo.algorithm: expected bcube or ring, got '" + algorithm
                    + "'");
        }
        GlooStoreCallbacks.route(m.store(), m.timeout());
        try {
            GlooNative.DescentGlooGroup g = GlooNative.descent_gloo_connect(m.rank(), m.worldSize(),
                    m.localAddress().getHostAddress(), iface == null ? "" : iface,
                    algorithm.equals("ring") ? GlooNative.RING : GlooNative.BCUBE, m.timeout().toMillis(),
                    GlooStoreCallbacks.set(), GlooStoreCallbacks.get());
            return new GlooCollectives(g, m.rank());
        } finally {
            GlooStoreCallbacks.clear();
        }
    }

    @Override
    public PendingCollective allReduce(CollectiveBuffer data, ReduceOp op, Duration timeout) {
        return submit(timeout, () -> GlooNative.descent_gloo_allreduce(group, data.address(), data.count(),
                dtype(data.dtype()), op(op), timeout.toMillis()));
    }

    @Override
    public PendingCollective broadcast(CollectiveBuffer data, int root, Duration timeout) {
        return submit(timeout, () -> GlooNative.descent_gloo_broadcast(group, data.address(), data.count(),
                dtype(data.dtype()), root, timeout.toMillis()));
    }

    @Override
    public PendingCollective allGather(CollectiveBuffer input, CollectiveBuffer output, Duration timeout) {
        return submit(timeout, () -> GlooNative.descent_gloo_allgather(group, input.address(), output.address(),
                input.count(), dtype(input.dtype()), timeout.toMillis()));
    }

    @Override
    public PendingCollective reduceScatter(CollectiveBuffer input, CollectiveBuffer output, ReduceOp op,
            Duration timeout) {
        return submit(timeout, () -> GlooNative.descent_gloo_reduce_scatter(group, input.address(), output.address(),
                output.count(), dtype(input.dtype()), op(op), timeout.toMillis()));
    }

    @Override
    public PendingCollective barrier(Duration timeout) {
        return submit(timeout, () -> GlooNative.descent_gloo_barrier(group, timeout.toMillis()));
    }

    private PendingCollective submit(Duration timeout, Runnable call) {
        CallQueue.Call c = calls.submit(() -> {
            RuntimeException earlier = failed;
            if (earlier != null) {
                throw new IllegalStateException("not run: an earlier collective of this group failed ("
                        + earlier.getMessage() + ")");
            }
            try {
                call.run();
            } catch (RuntimeException e) {
                failed = e;
                throw e;
            }
        });
        return () -> {
            try {
                if (!calls.await(c, timeout.toMillis() + GRACE_MS)) {
                    throw new IllegalStateException("Gloo did not return within " + timeout.toMillis() + " ms plus "
                            + GRACE_MS + " ms");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for a collective", e);
            }
        };
    }

    @Override
    public void close() {
        try {
            if (calls.close(5_000)) {
                GlooNative.descent_gloo_close(group);
            }
            // else a call is stuck in Gloo: its context stays allocated rather than freed under it
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static int dtype(DType t) {
        return switch (t) {
            case FLOAT32 -> GlooNative.FLOAT32;
            case FLOAT64 -> GlooNative.FLOAT64;
            case INT32 -> GlooNative.INT32;
            case INT64 -> GlooNative.INT64;
        };
    }

    private static int op(ReduceOp op) {
        return switch (op) {
            case SUM -> GlooNative.SUM;
            case AVERAGE -> GlooNative.AVERAGE;
            case MAX -> GlooNative.MAX;
        };
    }
}
