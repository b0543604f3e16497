package dev.descent.cuda;

import static org.bytedeco.cuda.global.cudart.cudaMalloc;
import static org.bytedeco.cuda.global.cudart.cudaMallocHost;
import static org.bytedeco.cuda.global.cudart.cudaMemcpyAsync;
import static org.bytedeco.cuda.global.cudart.cudaMemcpyDeviceToHost;
import static org.bytedeco.cuda.global.cudart.cudaMemsetAsync;

import dev.descent.core.IndexOutOfRangeException;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.javacpp.Pointer;

/**
 * Index faults found by kernels, raised at the next read to the host rather than by a
 * synchronisation after each launch (PyTorch's device-side assert, with the index named).
 *
 * <p>A gather or scatter-add that meets an index outside its axis claims the device record
 * {@code {flag, index, position, axis, axisSize}} (the first claimant wins, by an atomic
 * compare-and-swap on the flag, which names the op: {@link #op}) and skips the element. The record is copied to pinned host
 * memory on the stream just before a copy to the host synchronises, so checking it adds a
 * 40-byte copy to that read and no synchronisation; only reads after a gather do it. A record
 * found set is cleared and thrown as a deferred {@link IndexOutOfRangeException}. With
 * {@code descent.cuda.sync=true} the gather checks it at once, so that the op that launched it
 * throws (and a loss can name the label).
 */
final class DeviceFaults {
    static final int LONGS = 5;
    private static final long BYTES = LONGS * Long.BYTES;

    private final CudaContext context;
    private long record;
    private LongPointer host;
    private boolean pending;
    private boolean queued;

    DeviceFaults(CudaContext context) {
        this.context = context;
    }

    /** The zeroed device record a kernel about to be launched reports into; the next read checks it. */
    synchronized long recordAddress() {
        if (record == 0) {
            Pointer p = new Pointer();
            CudaErrors.runtime(cudaMalloc(p, BYTES), "gather", "cudaMalloc(" + BYTES + " bytes)");
            Pointer h = new Pointer();
            CudaErrors.runtime(cudaMallocHost(h, BYTES), "gather", "cudaMallocHost(" + BYTES + " bytes)");
            host = new LongPointer(h).capacity(LONGS);
            record = p.address();
            clear();
        }
        pending = true;
        return record;
    }

    /** Before a read synchronises the stream: queues the record's copy to the host, when a kernel may have set it. */
    synchronized void beforeSync() {
        queued = pending;
        if (queued) {
            CudaErrors.runtime(cudaMemcpyAsync(host, new DevicePointer(record), BYTES, cudaMemcpyDeviceToHost,
                    context.stream()), "copyToHost", "cudaMemcpyAsync");
        }
    }

    /** After the stream synchronised: throws the recorded fault, if any, and clears it. */
    synchronized void afterSync() {
        if (!queued) {
            return;
        }
        queued = false;
        pending = false;
        long[] r = new long[LONGS];
        host.get(r);
        if (r[0] != 0) {
            clear();
            throw fault(r, true);
        }
    }

    /** Reads the record now (the stream is synchronised): {@code descent.cuda.sync}'s check after a launch. */
    void checkNow(String op) {
        beforeSync();
        context.synchronize(op);
        afterSync();
    }

    /** The op that claimed the record, by its flag: 1 for gather ({@code gather.cu}), 2 for scatterAdd ({@code scatter.cu}). */
    static String op(long flag) {
        return flag == 2 ? "scatterAdd" : "gather";
    }

    static IndexOutOfRangeException fault(long[] r, boolean deferred) {
        return new IndexOutOfRangeException(op(r[0]), r[1], r[2], (int) r[3], r[4], deferred);
    }

    private void clear() {
        CudaErrors.runtime(cudaMemsetAsync(new DevicePointer(record), 0, BYTES, context.stream()), "gather",
                "cudaMemsetAsync");
    }
}
