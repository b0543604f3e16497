package dev.descent.cpu;

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
 */
final class HostMemoryPool {
    /** Blocks are rounded up to this many bytes, so near sizes share a list. */
    private static final long ALIGN = 64;

    private final Map<Long, ArrayDeque<Block>> free = new HashMap<>();
    private final long limit;
    private long cachedBytes;
    private long liveBytes;

    HostMemoryPool(long limit) {
        this.limit = limit;
    }

    static HostMemoryPool fromProperties() {
        String p = System.getProperty("descent.cpu.cacheBytes");
        long limit = 1L << 30;
        if (p != null && !p.isBlank()) {
            try {
                limit = Long.parseLong(p.trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("descent.cpu.cacheBytes: expected a whole number of bytes, got '"
                        + p + "'");
            }
        }
        return new HostMemoryPool(limit);
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

    synchronized Block take(long requested) {
        long bytes = (Math.max(requested, 1) + ALIGN - 1) / ALIGN * ALIGN;
        ArrayDeque<Block> list = free.get(bytes);
        Block b = list == null ? null : list.pollLast();
        if (b != null) {
            cachedBytes -= bytes;
        } else {
            b = new Block(bytes);
        }
        liveBytes += bytes;
        return b;
    }

    synchronized void give(Block b) {
        liveBytes -= b.bytes;
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

    synchronized long cachedBytes() {
        return cachedBytes;
    }
}
