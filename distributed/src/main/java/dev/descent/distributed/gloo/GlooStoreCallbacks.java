package dev.descent.distributed.gloo;

import dev.descent.distributed.spi.KeyValueStore;
import java.time.Duration;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.Pointer;

/**
 * Gloo's rendezvous store, answered by the group's {@link KeyValueStore}. Gloo calls it only
 * from the thread that connects, so the store in use is that thread's; the two callbacks are
 * made once per process (JavaCPP allows ten instances of a callback class).
 */
final class GlooStoreCallbacks {
    private static final ThreadLocal<Target> TARGET = new ThreadLocal<>();
    private static GlooNative.StoreSet set;
    private static GlooNative.StoreGet get;

    private record Target(KeyValueStore store, Duration timeout) {
    }

    private GlooStoreCallbacks() {
    }

    static synchronized GlooNative.StoreSet set() {
        if (set == null) {
            set = new GlooNative.StoreSet() {
                @Override
                public void call(String key, BytePointer data, long size) {
                    byte[] b = new byte[Math.toIntExact(size)];
                    if (size > 0) {   // an empty value comes with a null pointer
                        data.get(b);
                    }
                    target().store().set(key, b);
                }
            };
        }
        return set;
    }

    static synchronized GlooNative.StoreGet get() {
        if (get == null) {
            get = new GlooNative.StoreGet() {
                @Override
                public void call(String key, Pointer result) {
                    Target t = target();
                    byte[] b = t.store().get(key, t.timeout());
                    GlooNative.descent_gloo_store_result(result, b, b.length);
                }
            };
        }
        return get;
    }

    /** Routes this thread's callbacks to {@code store} until {@link #clear()}. */
    static void route(KeyValueStore store, Duration timeout) {
        TARGET.set(new Target(store, timeout));
    }

    static void clear() {
        TARGET.remove();
    }

    private static Target target() {
        Target t = TARGET.get();
        if (t == null) {
            throw new IllegalStateException("Gloo called its store outside of connecting");
        }
        return t;
    }
}
