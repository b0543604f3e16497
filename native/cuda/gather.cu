// torch.gather along one axis. The host passes strides[0] (output), strides[1] (index) and
// strides[2] (source, with the gathered axis's stride set to 0) over the output's shape. An
// index outside the axis is not read: the first thread to find one claims the fault record
// `bad` ({flag, index, position, axis, axisSize}; DeviceFaults.java), which the host reads with
// its next copy to the host and throws as IndexOutOfRangeException. No synchronisation here.
#include "descent.cuh"

template <typename T, typename I>
__device__ void gather_kernel(Geometry g, i64 n, T* out, const I* index, const T* src, i64 axisStride,
                              i64 axisSize, i64 axis, i64* bad) {
    FOR_EACH_ELEMENT(i, n) {
        i64 o[3];
        offsets<3>(g, i, o);
        i64 at = (i64) index[o[1]];
        if (at < 0 || at >= axisSize) {
            if (atomicCAS((unsigned long long*) bad, 0ULL, 1ULL) == 0ULL) {
                bad[1] = at;
                bad[2] = i;
                bad[3] = axis;
                bad[4] = axisSize;
            }
            continue;
        }
        out[o[0]] = src[o[2] + at * axisStride];
    }
}

#define GATHER(SUFFIX, T, ISUFFIX, I)                                                                  \
    extern "C" __global__ void gather_##SUFFIX##_##ISUFFIX(Geometry g, i64 n, T* out, const I* index,  \
                                                           const T* src, i64 axisStride, i64 axisSize, \
                                                           i64 axis, i64* bad) {                       \
        gather_kernel<T, I>(g, n, out, index, src, axisStride, axisSize, axis, bad);                   \
    }
#define GATHER_BY(ISUFFIX, I) \
    GATHER(f32, float, ISUFFIX, I) GATHER(f64, double, ISUFFIX, I) GATHER(i32, int, ISUFFIX, I) GATHER(i64, i64, ISUFFIX, I)

GATHER_BY(i32, int)
GATHER_BY(i64, i64)
