package dev.descent.train.device;

import dev.descent.core.Backends;
import dev.descent.core.DType;
import dev.descent.core.Device;
import dev.descent.core.spi.AdamUpdate;
import dev.descent.core.spi.Backend;
import dev.descent.core.spi.BinaryOp;
import dev.descent.core.spi.Capability;
import dev.descent.core.spi.ElementwiseProgram;
import dev.descent.core.spi.ReduceOp;
import dev.descent.core.spi.SgdUpdate;
import dev.descent.core.spi.Storage;
import dev.descent.core.spi.StridedView;
import dev.descent.core.spi.UnaryOp;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The CPU backend under the name {@code counting}, counting the copies between the host and
 * the device: {@link #reads()} (device → host, {@code copyToHost}: on a GPU each is a
 * synchronisation) and {@link #uploads()} (host → device, {@code copyFromHost}), and the copies
 * within the device ({@link #deviceCopies()}). Registered for
 * train's tests through {@code META-INF/services}; select it with
 * {@code Backends.setDefault("counting")}.
 *
 * <p>Its storages wrap the CPU's and report the device {@code counting:0}, so that core, which
 * finds a tensor's backend from its storage's device, sends every op on them here; each op
 * unwraps the views before handing them to the CPU backend (see {@link Storage}).
 */
public final class CountingBackend implements Backend {
    private static final Device DEVICE = new Device("counting", 0);
    private final AtomicLong reads = new AtomicLong();
    private final AtomicLong uploads = new AtomicLong();
    private final AtomicLong copies = new AtomicLong();
    private volatile Backend cpu;

    /** The instance {@link Backends} found. */
    public static CountingBackend instance() {
        return (CountingBackend) Backends.get("counting");
    }

    /** Copies from the device to the host so far. */
    public long reads() {
        return reads.get();
    }

    /** Copies from the host to the device so far. */
    public long uploads() {
        return uploads.get();
    }

    /** Copies within the device ({@code copy}: contiguous copies, dtype conversions) so far. */
    public long deviceCopies() {
        return copies.get();
    }

    private Backend cpu() {
        Backend b = cpu;
        if (b == null) {
            b = Backends.get("cpu");   // not in the constructor: Backends is still finding backends then
            cpu = b;
        }
        return b;
    }

    private record Wrapped(Storage inner) implements Storage {
        @Override
        public Device device() {
            return DEVICE;
        }

        @Override
        public DType dtype() {
            return inner.dtype();
        }

        @Override
        public long elements() {
            return inner.elements();
        }

        @Override
        public void free() {
            inner.free();
        }
    }

    private static Storage in(Storage s) {
        return ((Wrapped) s).inner();
    }

    private static StridedView in(StridedView v) {
        return v == null ? null : new StridedView(in(v.storage()), v.dtype(), v.offset(), v.shape(), v.strides());
    }

    private static StridedView[] in(StridedView[] vs) {
        if (vs == null) {
            return null;
        }
        StridedView[] r = new StridedView[vs.length];
        for (int i = 0; i < vs.length; i++) {
            r[i] = in(vs[i]);
        }
        return r;
    }

    @Override
    public String name() {
        return "counting";
    }

    @Override
    public Availability availability() {
        return Backends.installed().get("cpu").availability();
    }

    @Override
    public List<Device> devices() {
        return availability().available() ? List.of(DEVICE) : List.of();
    }

    @Override
    public Set<Capability> capabilities() {
        return cpu().capabilities();
    }

    @Override
    public Storage allocate(Device device, DType dtype, long elements) {
        return new Wrapped(cpu().allocate(Device.cpu(), dtype, elements));
    }

    @Override
    public void copyFromHost(Object array, int arrayOffset, Storage dst, long dstOffset, int count) {
        uploads.incrementAndGet();
        cpu().copyFromHost(array, arrayOffset, in(dst), dstOffset, count);
    }

    @Override
    public void copyToHost(Storage src, long srcOffset, Object array, int arrayOffset, int count) {
        reads.incrementAndGet();
        cpu().copyToHost(in(src), srcOffset, array, arrayOffset, count);
    }

    @Override
    public void copy(StridedView src, StridedView dst) {
        copies.incrementAndGet();
        cpu().copy(in(src), in(dst));
    }

    @Override
    public void fill(StridedView dst, double value) {
        cpu().fill(in(dst), value);
    }

    @Override
    public void unary(UnaryOp op, StridedView x, StridedView out) {
        cpu().unary(op, in(x), in(out));
    }

    @Override
    public void binary(BinaryOp op, StridedView a, StridedView b, StridedView out) {
        cpu().binary(op, in(a), in(b), in(out));
    }

    @Override
    public void binaryScalar(BinaryOp op, StridedView a, double scalar, StridedView out) {
        cpu().binaryScalar(op, in(a), scalar, in(out));
    }

    @Override
    public void addScaled(StridedView x, double alpha, StridedView y) {
        cpu().addScaled(in(x), alpha, in(y));
    }

    @Override
    public void where(StridedView cond, StridedView a, StridedView b, StridedView out) {
        cpu().where(in(cond), in(a), in(b), in(out));
    }

    @Override
    public void reduce(ReduceOp op, StridedView x, int[] axes, StridedView out) {
        cpu().reduce(op, in(x), axes, in(out));
    }

    @Override
    public void matmul(StridedView a, StridedView b, StridedView out) {
        cpu().matmul(in(a), in(b), in(out));
    }

    @Override
    public void gather(StridedView src, int axis, StridedView index, StridedView out) {
        cpu().gather(in(src), axis, in(index), in(out));
    }

    @Override
    public boolean fusedSgd(SgdUpdate u, StridedView[] params, StridedView[] grads, StridedView[] buffers) {
        return cpu().fusedSgd(u, in(params), in(grads), in(buffers));
    }

    @Override
    public boolean fusedAdam(AdamUpdate u, StridedView[] params, StridedView[] grads, StridedView[] expAvg,
            StridedView[] expAvgSq, StridedView[] maxExpAvgSq) {
        return cpu().fusedAdam(u, in(params), in(grads), in(expAvg), in(expAvgSq), in(maxExpAvgSq));
    }

    @Override
    public boolean runProgram(ElementwiseProgram program, StridedView[] tensors, double[] scalars) {
        return cpu().runProgram(program, in(tensors), scalars);
    }
}
