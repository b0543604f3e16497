package dev.descent.cuda;

import org.bytedeco.javacpp.Pointer;

/**
 * A JavaCPP pointer to a raw device address, for passing device memory to CUDA and cuBLAS
 * calls. Owns nothing: the memory belongs to a {@link DeviceMemoryPool} block.
 */
final class DevicePointer extends Pointer {
    DevicePointer(long address) {
        this.address = address;
    }
}
