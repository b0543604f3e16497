package dev.descent.cuda;

import static org.bytedeco.cuda.global.cudart.cudaEventCreateWithFlags;
import static org.bytedeco.cuda.global.cudart.cudaEventDisableTiming;
import static org.bytedeco.cuda.global.cudart.cudaEventRecord;
import static org.bytedeco.cuda.global.cudart.cudaEventSynchronize;
import static org.bytedeco.cuda.global.cudart.cudaMallocHost;
import static org.bytedeco.cuda.global.cudart.cudaMemcpyAsync;
import static org.bytedeco.cuda.global.cudart.cudaMemcpyDeviceToHost;
import static org.bytedeco.cuda.global.cudart.cudaMemcpyHostToDevice;

import dev.descent.core.DType;
import org.bytedeco.cuda.cudart.CUevent_st;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.javacpp.Pointer;

/**
 * Copies between Java arrays and device memory through a pinned (page-locked) staging buffer,
 * which the GPU reads and writes at full bus speed and asynchronously. A copy to the device
 * returns once the array is in the staging buffer; an event marks when the device has taken
 * it, and the next copy waits on that event before reusing the buffer. A copy to the host
 * must wait for the stream, since the value has to reach Java; index faults recorded by kernels
 * since the last read come back with it and are thrown ({@link DeviceFaults}).
 */
final class HostTransfers {
    private static final long STAGING_BYTES = Long.getLong("descent.cuda.stagingBytes", 8L << 20);

    private final CudaContext context;
    private final BytePointer staging;
    private final CUevent_st drained = new CUevent_st();

    HostTransfers(CudaContext context) {
        this.context = context;
        Pointer p = new Pointer();
        CudaErrors.runtime(cudaMallocHost(p, STAGING_BYTES), "init", "cudaMallocHost(" + STAGING_BYTES + " bytes)");
        this.staging = new BytePointer(p).capacity(STAGING_BYTES);
        CudaErrors.runtime(cudaEventCreateWithFlags(drained, cudaEventDisableTiming), "init", "cudaEventCreate");
        CudaErrors.runtime(cudaEventRecord(drained, context.stream()), "init", "cudaEventRecord");
    }

    synchronized void toDevice(Object array, int arrayOffset, CudaStorage dst, long dstOffset, int count) {
        context.makeCurrent();
        DType dtype = dst.dtype();
        int size = dtype.byteSize();
        int perChunk = (int) (STAGING_BYTES / size);
        for (int done = 0; done < count; done += perChunk) {
            int n = Math.min(perChunk, count - done);
            CudaErrors.runtime(cudaEventSynchronize(drained), "copyFromHost", "cudaEventSynchronize");
            put(dtype, array, arrayOffset + done, n);
            CudaErrors.runtime(cudaMemcpyAsync(new DevicePointer(dst.address(dstOffset + done)), staging, (long) n * size,
                    cudaMemcpyHostToDevice, context.stream()), "copyFromHost", "cudaMemcpyAsync");
            CudaErrors.runtime(cudaEventRecord(drained, context.stream()), "copyFromHost", "cudaEventRecord");
        }
        context.afterOp("copyFromHost");
    }

    synchronized void toHost(CudaStorage src, long srcOffset, Object array, int arrayOffset, int count) {
        context.makeCurrent();
        DType dtype = src.dtype();
        int size = dtype.byteSize();
        int perChunk = (int) (STAGING_BYTES / size);
        for (int done = 0; done < count; done += perChunk) {
            int n = Math.min(perChunk, count - done);
            CudaErrors.runtime(cudaMemcpyAsync(staging, new DevicePointer(src.address(srcOffset + done)), (long) n * size,
                    cudaMemcpyDeviceToHost, context.stream()), "copyToHost", "cudaMemcpyAsync");
            context.faults().beforeSync();
            context.synchronize("copyToHost");
            context.faults().afterSync();
            get(dtype, array, arrayOffset + done, n);
        }
    }

    private void put(DType dtype, Object array, int offset, int n) {
        switch (dtype) {
            case FLOAT32 -> new FloatPointer(staging).put((float[]) array, offset, n);
            case FLOAT64 -> new DoublePointer(staging).put((double[]) array, offset, n);
            case INT32 -> new IntPointer(staging).put((int[]) array, offset, n);
            case INT64 -> new LongPointer(staging).put((long[]) array, offset, n);
        }
    }

    private void get(DType dtype, Object array, int offset, int n) {
        switch (dtype) {
            case FLOAT32 -> new FloatPointer(staging).get((float[]) array, offset, n);
            case FLOAT64 -> new DoublePointer(staging).get((double[]) array, offset, n);
            case INT32 -> new IntPointer(staging).get((int[]) array, offset, n);
            case INT64 -> new LongPointer(staging).get((long[]) array, offset, n);
        }
    }
}
