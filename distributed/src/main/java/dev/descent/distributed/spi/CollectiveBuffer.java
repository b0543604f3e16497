package dev.descent.distributed.spi;

import dev.descent.core.DType;
import dev.descent.core.Device;

/**
 * A contiguous run of elements a library reads or writes in place.
 *
 * @param address the native address of the first element (host or device memory)
 * @param count the elements
 * @param dtype their type: float32, float64, int32 or int64
 * @param device where the memory is
 * @param stream the stream the compute backend queues work on for it (a {@code cudaStream_t}),
 *     0 for host memory
 */
public record CollectiveBuffer(long address, long count, DType dtype, Device device, long stream) {
}
