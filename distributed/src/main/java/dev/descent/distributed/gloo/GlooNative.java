package dev.descent.distributed.gloo;

import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.FunctionPointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.annotation.Cast;
import org.bytedeco.javacpp.annotation.Opaque;
import org.bytedeco.javacpp.annotation.Platform;

/**
 * The JavaCPP binding of {@code descent_gloo.h}: JavaCPP's {@code Builder} generates its JNI code
 * and compiles it with g++ against the machine's Gloo at first use ({@link GlooLibrary}), so
 * the build needs no Gloo. Nothing here may run before {@link GlooLibrary#load()} succeeded.
 * Every C++ exception (Gloo's {@code IoException} on a timeout or a closed peer) comes back as a
 * {@link RuntimeException} carrying Gloo's message.
 */
@Platform(include = "descent_gloo.h", link = "gloo")
final class GlooNative {
    private GlooNative() {
    }

    /** Element types, as {@code descent_gloo.h} numbers them. */
    static final int FLOAT32 = 0;
    static final int FLOAT64 = 1;
    static final int INT32 = 2;
    static final int INT64 = 3;

    /** Reductions, as {@code descent_gloo.h} numbers them. */
    static final int SUM = 0;
    static final int AVERAGE = 1;
    static final int MAX = 2;

    /** All-reduce algorithms, as {@code descent_gloo.h} numbers them. */
    static final int RING = 0;
    static final int BCUBE = 1;

    /** A connected Gloo context. */
    @Opaque
    static final class DescentGlooGroup extends Pointer {
        DescentGlooGroup(Pointer p) {
            super(p);
        }
    }

    /**
     * Gloo's store {@code set}, answered in Java. JavaCPP allows ten instances of a callback class
     * per process, so there is one ({@link GlooStoreCallbacks}), routing to the store of the
     * thread that connects.
     */
    abstract static class StoreSet extends FunctionPointer {
        protected StoreSet() {
            allocate();
        }

        private native void allocate();

        public abstract void call(String key, @Cast("const char*") BytePointer data, long size) throws Exception;
    }

    /** Gloo's store {@code get}: the answer goes back through {@link #descent_gloo_store_result}. */
    abstract static class StoreGet extends FunctionPointer {
        protected StoreGet() {
            allocate();
        }

        private native void allocate();

        public abstract void call(String key, Pointer result) throws Exception;
    }

    static native void descent_gloo_store_result(Pointer result, @Cast("const char*") byte[] data, long size);

    static native DescentGlooGroup descent_gloo_connect(int rank, int size, String hostname, String iface,
            int algorithm, long timeoutMs, StoreSet set, StoreGet get);

    static native void descent_gloo_close(DescentGlooGroup group);

    static native void descent_gloo_allreduce(DescentGlooGroup group, @Cast("void*") long data, long count, int dtype,
            int op, long timeoutMs);

    static native void descent_gloo_broadcast(DescentGlooGroup group, @Cast("void*") long data, long count, int dtype,
            int root, long timeoutMs);

    static native void descent_gloo_allgather(DescentGlooGroup group, @Cast("void*") long input,
            @Cast("void*") long output, long count, int dtype, long timeoutMs);

    static native void descent_gloo_reduce_scatter(DescentGlooGroup group, @Cast("void*") long input,
            @Cast("void*") long output, long count, int dtype, int op, long timeoutMs);

    static native void descent_gloo_barrier(DescentGlooGroup group, long timeoutMs);
}
