package dev.descent.distributed;

import dev.descent.core.Check;
import dev.descent.core.DType;
import dev.descent.core.Device;
import dev.descent.core.Tensor;
import dev.descent.core.spi.NativeMemory;
import dev.descent.core.spi.StridedView;
import dev.descent.distributed.spi.CollectiveBuffer;
import dev.descent.distributed.spi.Collectives;
import dev.descent.distributed.spi.PendingCollective;
import java.time.Duration;
import java.util.Arrays;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The processes that train together, one per device, and the collectives they call together:
 * every rank calls the same collectives in the same order, with tensors of the same shapes.
 * Made by {@link ProcessGroups#init}; the work is done by a {@link
 * dev.descent.distributed.spi.CollectiveBackend} (Gloo for CPU tensors, NCCL for CUDA tensors).
 *
 * <p><b>Collectives</b> (n ranks, x_r rank r's tensor; in place unless an output is given):
 * <pre>
 * allReduce(x, op)            x ← op(x_0, …, x_{n−1})       SUM, AVERAGE (floating), MAX
 * broadcast(x, root)          x ← x_root
 * allGather(x, y)             y ← [x_0; x_1; …; x_{n−1}]     y has n·numel(x) elements
 * reduceScatter(x, y, op)     y ← block r of op(x_0, …)      x has n·numel(y) elements
 * barrier()                   returns once every rank has entered it
 * </pre>
 * Tensors are contiguous float32, float64, int32 or int64 on the group's device; empty ones are
 * allowed (nothing moves). Each call has a timeout (the group's, or one given): when a rank has
 * not taken part by then, every rank's call fails.
 *
 * <p><b>Failures.</b> A failed call throws {@link CollectiveException} naming the rank at fault —
 * one that exited (its connection to the rendezvous closed without a goodbye) or one that never
 * entered the collective (hung, or far behind; each rank reports the collective it enters to the
 * rendezvous) — and the group is then broken: every later call throws at once.
 *
 * <p>Not thread-safe: one thread calls the collectives (the library may run them on its own).
 */
public final class ProcessGroup implements AutoCloseable {
    private final String backend;
    private final Collectives collectives;
    private final RendezvousSession session;
    private final Device device;
    private long sequence;
    private volatile CollectiveException broken;
    private boolean closed;

    ProcessGroup(String backend, Collectives collectives, RendezvousSession session, Device device) {
        this.backend = backend;
        this.collectives = collectives;
        this.session = session;
        this.device = device;
    }

    // ---------------------------------------------------------------- facts

    public int rank() {
        return session.rendezvous().rank();
    }

    public int worldSize() {
        return session.rendezvous().worldSize();
    }

    /** This process among those on its machine. */
    public int localRank() {
        return session.rendezvous().localRank();
    }

    /** The library's name: {@code gloo}, {@code nccl}. */
    public String backend() {
        return backend;
    }

    /** The device whose tensors this group exchanges. */
    public Device device() {
        return device;
    }

    /** The timeout of every call that is not given one. */
    public Duration timeout() {
        return session.rendezvous().timeout();
    }

    /** How this group joined. */
    public Rendezvous rendezvous() {
        return session.rendezvous();
    }

    RendezvousSession session() {
        return session;
    }

    /** Collectives called so far (each rank counts the same). */
    public long collectivesCalled() {
        return sequence;
    }

    // ---------------------------------------------------------------- collectives

    /** {@code x ← op(x_0, …, x_{n−1})} with the group's timeout. */
    public void allReduce(Tensor x, ReduceOp op) {
        allReduceAsync(x, op, timeout()).await();
    }

    public void allReduce(Tensor x, ReduceOp op, Duration timeout) {
        allReduceAsync(x, op, timeout).await();
    }

    /** {@link #allReduce} started, not awaited: the caller goes on until {@link Work#await()}. */
    public Work allReduceAsync(Tensor x, ReduceOp op) {
        return allReduceAsync(x, op, timeout());
    }

    public Work allReduceAsync(Tensor x, ReduceOp op, Duration timeout) {
        String name = "allReduce";
        begin(name, timeout);
        Check.argument(op != null, name, "expected a reduction, got null");
        CollectiveBuffer b = buffer(name, "the tensor", x);
        Check.argument(op != ReduceOp.AVERAGE || x.dtype().isFloating(), name,
                "AVERAGE needs a floating dtype (float32 or float64), got %s; reduce with SUM and divide", x.dtype());
        return run(name, b.count() == 0 ? null : () -> collectives.allReduce(b, op, timeout));
    }

    /** {@code x ← x_root}. */
    public void broadcast(Tensor x, int root) {
        broadcast(x, root, timeout());
    }

    public void broadcast(Tensor x, int root, Duration timeout) {
        String name = "broadcast";
        begin(name, timeout);
        Check.argument(root >= 0 && root < worldSize(), name, "expected a root rank from 0 to %d, got %d",
                worldSize() - 1, root);
        CollectiveBuffer b = buffer(name, "the tensor", x);
        run(name, b.count() == 0 ? null : () -> collectives.broadcast(b, root, timeout)).await();
    }

    /** {@code y ← [x_0; …; x_{n−1}]}: {@code y} holds n·numel(x) elements, rank r's at block r. */
    public void allGather(Tensor x, Tensor y) {
        allGather(x, y, timeout());
    }

    public void allGather(Tensor x, Tensor y, Duration timeout) {
        String name = "allGather";
        begin(name, timeout);
        CollectiveBuffer in = buffer(name, "the input", x);
        CollectiveBuffer out = buffer(name, "the output", y);
        Check.argument(x.dtype() == y.dtype(), name, "the input is %s but the output %s", x.dtype(), y.dtype());
        Check.argument(y.numel() == x.numel() * worldSize(), name,
                "expected an output of %d elements (%d ranks × %d), got %s", x.numel() * worldSize(), worldSize(),
                x.numel(), y.shape());
        checkApart(name, in, out);
        run(name, in.count() == 0 ? null : () -> collectives.allGather(in, out, timeout)).await();
    }

    /** {@code y ← block r of op(x_0, …, x_{n−1})}: {@code x} holds n·numel(y) elements. */
    public void reduceScatter(Tensor x, Tensor y, ReduceOp op) {
        reduceScatter(x, y, op, timeout());
    }

    public void reduceScatter(Tensor x, Tensor y, ReduceOp op, Duration timeout) {
        String name = "reduceScatter";
        begin(name, timeout);
        Check.argument(op != null, name, "expected a reduction, got null");
        CollectiveBuffer in = buffer(name, "the input", x);
        CollectiveBuffer out = buffer(name, "the output", y);
        Check.argument(x.dtype() == y.dtype(), name, "the input is %s but the output %s", x.dtype(), y.dtype());
        Check.argument(x.numel() == y.numel() * worldSize(), name,
                "expected an input of %d elements (%d ranks × %d), got %s", y.numel() * worldSize(), worldSize(),
                y.numel(), x.shape());
        Check.argument(op != ReduceOp.AVERAGE || x.dtype().isFloating(), name,
                "AVERAGE needs a floating dtype (float32 or float64), got %s; reduce with SUM and divide", x.dtype());
        checkApart(name, in, out);
        run(name, out.count() == 0 ? null : () -> collectives.reduceScatter(in, out, op, timeout)).await();
    }

    /** Returns once every rank has called it. */
    public void barrier() {
        barrier(timeout());
    }

    public void barrier(Duration timeout) {
        String name = "barrier";
        begin(name, timeout);
        run(name, () -> collectives.barrier(timeout)).await();
    }

    // ---------------------------------------------------------------- plumbing

    private void begin(String op, Duration timeout) {
        if (closed) {
            throw new IllegalStateException(op + ": the process group is closed");
        }
        CollectiveException b = broken;
        if (b != null) {
            throw new CollectiveException(op + ": the process group is broken since an earlier collective failed: "
                    + b.getMessage(), b.failedRanks(), b);
        }
        Check.argument(timeout != null && !timeout.isNegative() && !timeout.isZero(), op,
                "expected a positive timeout, got %s", timeout);
    }

    /** Numbers the call, reports it to the rendezvous, and starts it (null: nothing to move). */
    private Work run(String op, Supplier<PendingCollective> start) {
        long seq = ++sequence;
        session.client().progress(seq, op);
        String what = op + " #" + seq + " (" + backend + ")";
        if (start == null) {
            return new Work(() -> { });
        }
        PendingCollective pending;
        try {
            pending = start.get();
        } catch (RuntimeException e) {
            throw fail(what, seq, e);
        }
        return new Work(() -> {
            try {
                pending.await();
            } catch (RuntimeException e) {
                throw fail(what, seq, e);
            }
        });
    }

    private CollectiveException fail(String what, long seq, RuntimeException e) {
        CollectiveException c = e instanceof CollectiveException ce ? ce
                : FailureDiagnosis.diagnose(session.client(), rank(), what, seq, e);
        if (broken == null) {
            broken = c;
        }
        return c;
    }

    private CollectiveBuffer buffer(String op, String role, Tensor t) {
        Check.argument(t != null, op, "expected %s, got null", role);
        t.checkOpen(op);
        Check.argument(t.device().equals(device), op, "%s is on %s, this %s group exchanges tensors on %s", role,
                t.device(), backend, device);
        Check.argument(t.isContiguous(), op, "%s must be contiguous, got strides %s for shape %s (use contiguous())",
                role, Arrays.toString(t.strides()), t.shape());
        DType d = t.dtype();
        StridedView v = t.stridedView();
        Check.argument(v.storage() instanceof NativeMemory, op,
                "%s's backend (%s) does not expose its memory to native libraries", role, t.backend().name());
        NativeMemory m = (NativeMemory) v.storage();
        return new CollectiveBuffer(m.address(v.offset()), t.numel(), d, t.device(), m.stream());
    }

    private static void checkApart(String op, CollectiveBuffer a, CollectiveBuffer b) {
        long size = a.dtype().byteSize();
        long aEnd = a.address() + a.count() * size;
        long bEnd = b.address() + b.count() * size;
        Check.argument(a.count() == 0 || b.count() == 0 || aEnd <= b.address() || bEnd <= a.address(), op,
                "the input and the output share memory; give the output its own tensor");
    }

    /**
     * Leaves the group. The last group over a rendezvous leaves it; rank 0 then waits (up to the
     * timeout) for the others to leave before it stops serving the store, except for the ranks a
     * failure named.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            collectives.close();
        } finally {
            CollectiveException b = broken;
            session.release(b == null ? Set.of() : Set.copyOf(b.failedRanks()));
        }
    }
}
