package dev.descent.cpu;

import dev.descent.core.DType;
import dev.descent.core.Device;
import dev.descent.core.spi.NativeMemory;
import dev.descent.core.spi.Storage;
import java.lang.ref.Cleaner;
import java.util.concurrent.atomic.AtomicBoolean;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Pointer;

/**
 * Host memory off the Java heap, from {@link HostMemoryPool}, so OpenBLAS reads it without a
 * copy. Java reaches it through one typed NIO buffer, which limits a storage to 2^31 - 1
 * bytes. {@link #free()} returns the block to the pool; a {@link Cleaner} does so if the
 * storage becomes unreachable first. Its address is open to native libraries ({@link NativeMemory}).
 */
final class CpuStorage implements Storage, NativeMemory {
    static final HostMemoryPool POOL = HostMemoryPool.fromProperties();
    private static final Cleaner CLEANER = Cleaner.create();

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
        HostMemoryPool.Block block = POOL.take(bytes);
        this.dtype = dtype;
        this.elements = elements;
        this.memory = block.memory;
        this.access = Access.of(dtype, block.buffer.duplicate().order(block.buffer.order()));
        this.cleanable = CLEANER.register(this, new Release(block));
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

    Pointer memory() {
        return memory;
    }

    @Override
    public long address(long offset) {
        return memory.address() + offset * dtype.byteSize();
    }

    /** Host memory: every op on it is complete when it returns. */
    @Override
    public long stream() {
        return 0;
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

    /** Returns the block once; holds no reference to the storage, so the Cleaner can run. */
    private static final class Release implements Runnable {
        private final AtomicBoolean done = new AtomicBoolean();
        private final HostMemoryPool.Block block;

        Release(HostMemoryPool.Block block) {
            this.block = block;
        }

        @Override
        public void run() {
            if (done.compareAndSet(false, true)) {
                POOL.give(block);
            }
        }
    }
}
