package dev.descent.core.spi;

/**
 * What a backend holds for tensors now: storages returned by {@link Backend#allocate} and not yet
 * freed, and their bytes (blocks a backend caches for reuse after {@link Storage#free} do not
 * count). The conformance suite reads it around every case: a case that ends with more storages
 * live than it began with leaked them.
 *
 * @param storages live storages, or -1 when the backend does not report its memory
 * @param bytes their bytes (as the backend allocated them, rounding included)
 */
public record MemoryUse(long storages, long bytes) {
    /** What a backend that does not count its memory reports. */
    public static final MemoryUse UNREPORTED = new MemoryUse(-1, -1);

    /** Whether the backend reported its memory. */
    public boolean reported() {
        return storages >= 0;
    }
}
