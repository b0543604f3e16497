package dev.descent.cuda;

import dev.descent.core.DType;
import dev.descent.core.Device;
import dev.descent.core.spi.NativeMemory;
import dev.descent.core.spi.Storage;
import java.lang.ref.Cleaner;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Device memory for one tensor, a block of the {@link DeviceMemoryPool}. {@link #free()}
 * returns the block to the pool at once; a {@link Cleaner} does so if the storage becomes
 * unreachable first (a safety net, not the way memory is meant to be released). Its device
 * address and the backend's stream are open to native libraries such as NCCL ({@link NativeMemory}).
 */
final class CudaStorage implements Storage, DeviceAddressed, NativeMemory {
    private static final Cleaner CLEANER = Cleaner.create();

    private final Device device;
    private final DType dtype;
    private final long elements;
    private final long address;
    private final long stream;
    private final Cleaner.Cleanable cleanable;

    CudaStorage(CudaContext context, DType dtype, long elements) {
        long bytes = Math.max(1, elements) * dtype.byteSize();
        this.device = context.device();
        this.dtype = dtype;
        this.elements = elements;
        this.address = context.memory().take(bytes, "allocate");
        this.stream = context.stream().address();
        this.cleanable = CLEANER.register(this, new Release(context.memory(), address, bytes));
    }

    @Override
    public long address(long offset) {
        return address + offset * dtype.byteSize();
    }

    /** The backend's one stream, on which every op on this memory is queued. */
    @Override
    public long stream() {
        return stream;
    }

    @Override
    public Device device() {
        return device;
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

    /** Gives the block back once; holds no reference to the storage, so the Cleaner can run. */
    private static final class Release implements Runnable {
        private final AtomicBoolean done = new AtomicBoolean();
        private final DeviceMemoryPool pool;
        private final long address;
        private final long bytes;

        Release(DeviceMemoryPool pool, long address, long bytes) {
            this.pool = pool;
            this.address = address;
            this.bytes = bytes;
        }

        @Override
        public void run() {
            if (done.compareAndSet(false, true)) {
                pool.give(address, bytes);
            }
        }
    }
}
