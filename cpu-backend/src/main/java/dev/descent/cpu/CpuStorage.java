package dev.descent.cpu;

import dev.descent.core.DType;
import dev.descent.core.Device;
import dev.descent.core.spi.Storage;
import java.lang.ref.Cleaner;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Pointer;

/**
 * Host memory from {@code malloc} (through JavaCPP), so OpenBLAS reads it without a copy.
 * Java reaches it through one typed NIO buffer, which limits a storage to 2^31 - 1 bytes.
 * Freed by {@link #free()}; a {@link Cleaner} frees it if it becomes unreachable first.
 */
final class CpuStorage implements Storage {
    private static final Cleaner CLEANER = Cleaner.create();
    private static final AtomicLong LIVE_BYTES = new AtomicLong();

    private final DType dtype;
    private final long elements;
    private final Pointer memory;
    private final Access access;
    private final Cleaner.Cleanable cleanable;

    CpuStorage(DType dtype, long elements) {
        long bytes = Math.max(1, elements) * dtype.byteSize();
        if (bytes > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("cpu: a storage of " + elements + " " + dtype
                    + " elements (" + bytes + " bytes) exceeds the CPU backend's limit of 2^31 - 1 bytes per tensor");
        }
        Pointer p = Pointer.malloc(bytes);
        if (p == null || p.isNull()) {
            throw new OutOfMemoryError("cpu: malloc of " + bytes + " bytes failed");
        }
        this.dtype = dtype;
        this.elements = elements;
        this.memory = p;
        ByteBuffer buffer = new BytePointer(p).capacity(bytes).asByteBuffer().order(ByteOrder.nativeOrder());
        this.access = Access.of(dtype, buffer);
        LIVE_BYTES.addAndGet(bytes);
        this.cleanable = CLEANER.register(this, new Release(p, bytes));
    }

    /** Bytes currently allocated by live CPU storages (a leak check for tests and tools). */
    static long liveBytes() {
        return LIVE_BYTES.get();
    }

    Access access() {
        return access;
    }

    FloatPointer floatPointer(long offset) {
        return new FloatPointer(memory).position(offset);
    }

    DoublePointer doublePointer(long offset) {
        return new DoublePointer(memory).position(offset);
    }

    @Override
    public Device device() {
        return Device.cpu();
    }

    @Override
    public DType dtype() {
        return dtype;
    }

    @Override
    public long elements() {
        return elements;
    }

    @Override
    public void free() {
        cleanable.clean();
    }

    /** Frees the memory once; holds no reference to the storage, so the Cleaner can run. */
    private static final class Release implements Runnable {
        private final AtomicBoolean done = new AtomicBoolean();
        private final Pointer memory;
        private final long bytes;

        Release(Pointer memory, long bytes) {
            this.memory = memory;
            this.bytes = bytes;
        }

        @Override
        public void run() {
            if (done.compareAndSet(false, true)) {
                Pointer.free(memory);
                LIVE_BYTES.addAndGet(-bytes);
            }
        }
    }
}
