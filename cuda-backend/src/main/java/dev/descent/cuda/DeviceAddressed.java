package dev.descent.cuda;

/** Storage whose elements have device addresses (a {@link CudaStorage}). */
interface DeviceAddressed {
    /** The device address of element {@code offset}. */
    long address(long offset);
}
