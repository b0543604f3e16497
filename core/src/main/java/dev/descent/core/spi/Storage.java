package dev.descent.core.spi;

import dev.descent.core.DType;
import dev.descent.core.Device;

/**
 * A block of memory owned by a backend: host memory for the CPU, device memory for a GPU.
 * Opaque to everything above the backend; core reaches its contents only through the
 * backend's explicit copies.
 */
public interface Storage {
    /** The device that holds the memory. */
    Device device();

    /** The element type the block was allocated for. */
    DType dtype();

    /** Capacity in elements. */
    long elements();

    /** Frees the memory now. Idempotent; after it no backend call may touch this storage. */
    void free();
}
