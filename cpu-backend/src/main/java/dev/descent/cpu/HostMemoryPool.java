package dev.descent.cpu;

import dev.descent.core.MemoryLimitException;
import dev.descent.core.spi.MemoryUse;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.Pointer;

/**
 * Keeps freed host blocks for reuse by size. A training loop allocates the same sizes every
 * step; reusing them skips malloc, the JNI call that wraps a block in a buffer, and, for large
 * blocks, the page faults of fresh memory (which otherwise cost more than the op itself).
 * At most {@code descent.cpu.cacheBytes} (default 1 GiB) are kept; beyond that blocks are freed.
 *
 * <p><b>A bound on live memory.</b> Tensors that are never closed are freed by a {@code Cleaner}
 * only after the garbage collector finds them unreachable, and it looks only at the Java heap,
 * where a tensor of a megabyte takes a few dozen bytes: a loop that leaks tensors can fill the
 * machine long before the heap asks for a collection. So live blocks are counted against
 * {@code descent.cpu.maxBytes} (default: half the physical memory): an allocation that would pass
 * it first asks for a collection and waits, with growing pauses of up to about a second in all,
 * for the Cleaner to return unreachable blocks (as {@code java.nio.Bits.reserveMemory} does for
 * direct buffers, and JavaCPP for its {@code maxBytes}); if the live bytes are still too many it
 * throws {@link MemoryLimitException}, naming the bound, instead of an {@code OutOfMemoryError}
 * or the operating system's kill.
 *
 * <p>Well below the bound, a leak is kept small the way a heap keeps its garbage small: when the
 * live bytes have grown by {@link #COLLECT_EVERY} (or by as much as were live after the last
 * collection, when that is more: a program that really holds more memory pays a collection per
 * doubling) since the last collection, one more is asked for. A loop that closes its tensors
 * reuses cached blocks and never grows the live bytes, so it never pays for one.
 */
final class HostMemoryPool {
    /** Pauses while waiting for the Cleaner: 1, 2, 4, ... ms, about a second in all (Bits.reserveMemory's nine). */
    private static final int MAX_SLEEPS = 10;
    /** Growth of the live bytes after which a collection is asked for, at least. */
    static final long COLLECT_EVERY = 256L << 20;

    /** Blocks are rounded up to this many bytes, so near sizes share a list. */
    private static final long ALIGN = 64;

    private final Map<Long, ArrayDeque<Block>> free = new HashMap<>();
    private final long limit;
    private long maxLiveBytes;
    private long cachedBytes;
    private long liveBytes;
    /** Blocks taken and not yet given back: the live storages. */
    private long liveBlocks;
    /** Live bytes beyond which the next allocation asks for a collection. */
    private long collectAt = COLLECT_EVERY;

    HostMemoryPool(long limit, long maxLiveBytes) {
        this.limit = limit;
        this.maxLiveBytes = maxLiveBytes;
    }

    static HostMemoryPool fromProperties() {
        return new HostMemoryPool(bytesProperty("descent.cpu.cacheBytes", 1L << 30),
                bytesProperty("descent.cpu.maxBytes", defaultMaxBytes()));
    }

    private static long bytesProperty(String name, long otherwise) {
        String p = System.getProperty(name);
        if (p == null || p.isBlank()) {
            return otherwise;
        }
        try {
            long v = Long.parseLong(p.trim());
            if (v < 0) {
                throw new NumberFormatException();
            }
            return v;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + ": expected a whole number of bytes >= 0, got '" + p + "'");
        }
    }

    /** Half the physical memory (the heap takes up to a quarter by default), or no bound where it is unknown. */
    private static long defaultMaxBytes() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            long total = os.getTotalMemorySize();
            if (total > 0) {
                return Math.max(total / 2, 256L << 20);
            }
        }
        return Long.MAX_VALUE;
    }

    /** Sets the bound on live bytes (tests; the property sets it for a process). */
    synchronized void setMaxLiveBytes(long bytes) {
        maxLiveBytes = bytes;
    }

    synchronized long maxLiveBytes() {
        return maxLiveBytes;
    }

    /** A block of off-heap memory, with one NIO buffer over it made once. */
    static final class Block {
        final Pointer memory;
        final ByteBuffer buffer;
        final long bytes;

        private Block(long bytes) {
            Pointer p = Pointer.malloc(bytes);
            if (p == null || p.isNull()) {
                throw new OutOfMemoryError("cpu: malloc of " + bytes + " bytes failed");
            }
            this.memory = p;
            this.bytes = bytes;
            this.buffer = new BytePointer(p).capacity(bytes).asByteBuffer().order(ByteOrder.nativeOrder());
        }
    }

    /** A block of at least {@code requested} bytes, counted against the bound on live bytes. */
    Block take(long requested) {
        long bytes = (Math.max(requested, 1) + ALIGN - 1) / ALIGN * ALIGN;
        reserve(bytes);
        try {
            return takeReserved(bytes);
        } catch (RuntimeException | Error e) {
            unreserve(bytes);
            throw e;
        }
    }

    private synchronized Block takeReserved(long bytes) {
        ArrayDeque<Block> list = free.get(bytes);
        Block b = list == null ? null : list.pollLast();
        if (b != null) {
            cachedBytes -= bytes;
        } else {
            b = new Block(bytes);
        }
        liveBlocks++;
        return b;
    }

    /** Counts {@code bytes} as live, collecting unreachable tensors first when the bound would be passed. */
    private void reserve(long bytes) {
        if (dueForCollection(bytes)) {
            collect();
        }
        if (tryReserve(bytes)) {
            return;
        }
        if (bytes <= maxLiveBytes()) {
            // the Cleaner returns blocks only after a collection has found their tensors unreachable
            System.gc();
            boolean interrupted = false;
            try {
                long sleep = 1;
                for (int i = 0; i < MAX_SLEEPS; i++) {
                    if (tryReserve(bytes)) {
                        return;
                    }
                    try {
                        Thread.sleep(sleep);
                    } catch (InterruptedException e) {
                        interrupted = true;
                    }
                    sleep <<= 1;
                }
                if (tryReserve(bytes)) {
                    return;
                }
            } finally {
                if (interrupted) {
                    Thread.currentThread().interrupt();
                }
            }
        }
        throw new MemoryLimitException("cpu: allocating " + bytes + " bytes would take the live tensors' memory from "
                + liveBytes() + " bytes past the bound of " + maxLiveBytes() + " (descent.cpu.maxBytes), even after "
                + "collecting unreachable tensors; close tensors (or use a Scope) when done with them, or raise the "
                + "bound");
    }

    private synchronized boolean dueForCollection(long bytes) {
        return liveBytes + bytes > collectAt;
    }

    /** Asks for a collection, gives the Cleaner a moment, and sets when to ask again. */
    private void collect() {
        System.gc();
        long before = Long.MAX_VALUE;
        // a few milliseconds while the Cleaner is still returning blocks
        for (int sleep = 1; sleep <= 8 && liveBytes() < before; sleep <<= 1) {
            before = liveBytes();
            try {
                Thread.sleep(sleep);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        synchronized (this) {
            collectAt = liveBytes + Math.max(COLLECT_EVERY, liveBytes);
        }
    }

    private synchronized boolean tryReserve(long bytes) {
        if (liveBytes + bytes > maxLiveBytes) {
            return false;
        }
        liveBytes += bytes;
        return true;
    }

    private synchronized void unreserve(long bytes) {
        liveBytes -= bytes;
    }

    synchronized void give(Block b) {
        liveBytes -= b.bytes;
        liveBlocks--;
        if (cachedBytes + b.bytes > limit) {
            Pointer.free(b.memory);
            return;
        }
        free.computeIfAbsent(b.bytes, k -> new ArrayDeque<>()).addLast(b);
        cachedBytes += b.bytes;
    }

    /** Frees every cached block. */
    synchronized void release() {
        for (ArrayDeque<Block> list : free.values()) {
            for (Block b : list) {
                Pointer.free(b.memory);
            }
        }
        free.clear();
        cachedBytes = 0;
    }

    synchronized long liveBytes() {
        return liveBytes;
    }

    /** The live blocks and their bytes, read together. */
    synchronized MemoryUse inUse() {
        return new MemoryUse(liveBlocks, liveBytes);
    }

    synchronized long cachedBytes() {
        return cachedBytes;
    }
}
