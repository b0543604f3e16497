package dev.descent.cuda;

/**
 * The device had no room for an allocation, even after Descent returned its cached blocks to
 * the driver. The message says how much was asked for and how much the device had free.
 */
public final class CudaOutOfMemoryException extends CudaException {
    private static final long serialVersionUID = 1L;
    private final long requestedBytes;
    private final long freeBytes;

    public CudaOutOfMemoryException(String message, long requestedBytes, long freeBytes) {
        super(message);
        this.requestedBytes = requestedBytes;
        this.freeBytes = freeBytes;
    }

    /** Bytes the failed allocation asked for (after rounding to the allocator's block size). */
    public long requestedBytes() {
        return requestedBytes;
    }

    /** Bytes the driver reported free on the device when the allocation failed (-1 if unknown). */
    public long freeBytes() {
        return freeBytes;
    }
}
