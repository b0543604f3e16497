package dev.descent.train.device;

import dev.descent.core.Backends;
import dev.descent.core.DType;
import dev.descent.core.Device;
import dev.descent.core.spi.Backend;
import dev.descent.core.spi.Storage;
import dev.descent.core.spi.StridedView;
import java.lang.reflect.Array;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The CPU backend under the name {@code counting}, counting the copies between the host and
 * the device: {@link #reads()} (device → host, {@code copyToHost}: on a GPU each is a
 * synchronisation) and {@link #uploads()} (host → device, {@code copyFromHost}), and the copies
 * within the device ({@link #deviceCopies()}). {@link #instance()} registers it
 * ({@code Backends.register}); select it with {@code Backends.setDefault("counting")}.
 *
 * <p>A {@link Proxy} over the CPU backend, so that it follows the SPI as it changes. Its
 * storages wrap the CPU's and report the device {@code counting:0}, so that core, which finds a
 * tensor's backend from its storage's device, sends every op on them here; each call unwraps
 * the views (and arrays and lists of them) before handing them to the CPU backend (see {@link Backend}).
 */
public final class CountingBackend implements InvocationHandler {
    private static final Device DEVICE = new Device("counting", 0);
    private static CountingBackend instance;

    private final Backend cpu = Backends.get("cpu");
    private final AtomicLong reads = new AtomicLong();
    private final AtomicLong uploads = new AtomicLong();
    private final AtomicLong copies = new AtomicLong();

    private CountingBackend() {
    }

    /** The one instance, registered with {@link Backends} on first use. */
    public static synchronized CountingBackend instance() {
        if (instance == null) {
            instance = new CountingBackend();
            Backends.register((Backend) Proxy.newProxyInstance(Backend.class.getClassLoader(),
                    new Class<?>[] {Backend.class}, instance));
        }
        return instance;
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

    /** A CPU storage that reports the counting device. */
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

    @Override
    public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
        switch (method.getName()) {
            case "name":
                return "counting";
            case "devices":
                return List.of(DEVICE);
            case "allocate":
                return new Wrapped(cpu.allocate(Device.cpu(), (DType) args[1], (long) args[2]));
            case "copyToHost":
                reads.incrementAndGet();
                break;
            case "copyFromHost":
                uploads.incrementAndGet();
                break;
            case "copy":
                copies.incrementAndGet();
                break;
            case "toString":
                return "CountingBackend over " + cpu.name();
            case "hashCode":
                return System.identityHashCode(proxy);
            case "equals":
                return proxy == args[0];
            default:
                break;
        }
        Object[] inner = args == null ? null : new Object[args.length];
        for (int i = 0; inner != null && i < args.length; i++) {
            inner[i] = unwrap(args[i]);
        }
        try {
            return method.invoke(cpu, inner);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    private static Object unwrap(Object arg) {
        if (arg instanceof Wrapped w) {
            return w.inner();
        }
        if (arg instanceof StridedView v) {
            return new StridedView((Storage) unwrap(v.storage()), v.dtype(), v.offset(), v.shape(), v.strides());
        }
        if (arg instanceof Object[] array && (StridedView.class.isAssignableFrom(array.getClass().getComponentType())
                || array.getClass().getComponentType().isArray())) {
            Object[] r = (Object[]) Array.newInstance(array.getClass().getComponentType(), array.length);
            for (int i = 0; i < array.length; i++) {
                r[i] = unwrap(array[i]);
            }
            return r;
        }
        if (arg instanceof List<?> list) {
            // runProgram's tensor sets.
            return list.stream().map(CountingBackend::unwrap).toList();
        }
        return arg;
    }
}
