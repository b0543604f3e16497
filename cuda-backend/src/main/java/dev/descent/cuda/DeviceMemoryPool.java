package dev.descent.cuda;

import static org.bytedeco.cuda.global.cudart.cudaErrorMemoryAllocation;
import static org.bytedeco.cuda.global.cudart.cudaFree;
import static org.bytedeco.cuda.global.cudart.cudaGetLastError;
import static org.bytedeco.cuda.global.cudart.cudaMalloc;
import static org.bytedeco.cuda.global.cudart.cudaMemGetInfo;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.SizeTPointer;

/**
 * A caching allocator for device memory: {@code cudaMalloc} synchronises the device and
 * costs far more than a kernel, so freed blocks are kept and handed out again for requests
 * of the same rounded size. Sizes round up to 512 bytes below 1 MiB and to 2 MiB above, so a
 * training loop's tensors of one shape reuse one block each step.
 *
 * <p>Reuse is safe without events because every kernel and copy runs on the backend's one
 * stream: work on a block freed by one tensor completes before work queued for the next.
 * When {@code cudaMalloc} fails, every cached block goes back to the driver and the request
 * is tried once more before it becomes a {@link CudaOutOfMemoryException}.
 */
final class DeviceMemoryPool {
    private static final long SMALL = 1L << 20;
    private static final long SMALL_ROUND = 512;
    private static final long LARGE_ROUND = 2L << 20;

    private final Map<Long, ArrayDeque<Long>> free = new HashMap<>();
    private long liveBlocks;
    private long liveBytes;
    private long cachedBytes;
    private long peakBytes;

    /** The block size a request of {@code bytes} is served from. */
    static long roundedSize(long bytes) {
        long round = bytes < SMALL ? SMALL_ROUND : LARGE_ROUND;
        return Math.max(round, (bytes + round - 1) / round * round);
    }

    /** A device address of at least {@code bytes} bytes; give it back with {@link #give}. */
    synchronized long take(long bytes, String op) {
        long size = roundedSize(bytes);
        ArrayDeque<Long> blocks = free.get(size);
        if (blocks != null && !blocks.isEmpty()) {
            cachedBytes -= size;
            return count(blocks.pop(), size);
        }
        Pointer p = new Pointer();
        int status = cudaMalloc(p, size);
        if (status == cudaErrorMemoryAllocation) {
            cudaGetLastError(); // clears the sticky-free error so the retry can succeed
            releaseCached();
            status = cudaMalloc(p, size);
        }
        if (status == cudaErrorMemoryAllocation) {
            cudaGetLastError();
            long[] info = memInfo();
            throw new CudaOutOfMemoryException(String.format(
                    "cuda: %s: out of memory: asked for %s (%d bytes) but the device has %s free of %s; "
                            + "Descent holds %s in live tensors (cached blocks were already released)",
                    op, mib(size), size, info[0] < 0 ? "an unknown amount" : mib(info[0]),
                    info[1] < 0 ? "?" : mib(info[1]), mib(liveBytes)), size, info[0]);
        }
        CudaErrors.runtime(status, op, "cudaMalloc(" + size + " bytes)");
        return count(p.address(), size);
    }

    private long count(long address, long size) {
        liveBytes += size;
        liveBlocks++;
        peakBytes = Math.max(peakBytes, liveBytes);
        return address;
    }

    /** Returns a block from {@link #take} for reuse. */
    synchronized void give(long address, long bytes) {
        long size = roundedSize(bytes);
        free.computeIfAbsent(size, s -> new ArrayDeque<>()).push(address);
        liveBytes -= size;
        liveBlocks--;
        cachedBytes += size;
    }

    /** Returns every cached block to the driver ({@code cudaFree} waits for the device first). */
    synchronized void releaseCached() {
        for (Map.Entry<Long, ArrayDeque<Long>> e : free.entrySet()) {
            for (long address : e.getValue()) {
                CudaErrors.runtime(cudaFree(new DevicePointer(address)), "releaseCachedMemory", "cudaFree");
            }
        }
        free.clear();
        cachedBytes = 0;
    }

    synchronized long liveBytes() {
        return liveBytes;
    }

    /** Live blocks and their bytes, read together. */
    synchronized long[] inUse() {
        return new long[] {liveBlocks, liveBytes};
    }

    synchronized long cachedBytes() {
        return cachedBytes;
    }

    synchronized long peakBytes() {
        return peakBytes;
    }

    /** {free, total} bytes on the current device, or -1s when the driver cannot say. */
    static long[] memInfo() {
        try (SizeTPointer freeBytes = new SizeTPointer(1); SizeTPointer total = new SizeTPointer(1)) {
            if (cudaMemGetInfo(freeBytes, total) != 0) {
                cudaGetLastError();
                return new long[] {-1, -1};
            }
            return new long[] {freeBytes.get(), total.get()};
        }
    }

    static String mib(long bytes) {
        return String.format("%.1f MiB", bytes / (1024.0 * 1024.0));
    }
}
