// torch.Tensor.scatter_add_ along one axis, the adjoint of gather (gather.cu): each element of
// src is added into out at the index's position along the axis, by atomicAdd, so repeated indices
// add up in whatever order the threads arrive (integer-valued floats, whose sums are exact, give
// the same bits every run). The host passes strides[0] (source), strides[1] (index) and strides[2]
// (output, with the scattered axis's stride set to 0) over the source's shape. An index outside
// the axis is not written through: the first thread to find one claims the fault record `bad`
// ({flag, index, position, axis, axisSize}; DeviceFaults.java) with flag 2 (scatterAdd), which
// the host reads with its next copy to the host. No synchronisation here.
#include "descent.cuh"

#define FAULT_SCATTER_ADD 2ULL

__device__ __forceinline__ void atomic_add(float* at, float v) { atomicAdd(at, v); }
__device__ __forceinline__ void atomic_add(double* at, double v) { atomicAdd(at, v); }
__device__ __forceinline__ void atomic_add(int* at, int v) { atomicAdd(at, v); }
__device__ __forceinline__ void atomic_add(i64* at, i64 v) {
    atomicAdd((unsigned long long*) at, (unsigned long long) v);
}

template <typename T, typename I>
__device__ void scatter_add_kernel(Geometry g, i64 n, T* out, const I* index, const T* src, i64 axisStride,
                                   i64 axisSize, i64 axis, i64* bad) {
    FOR_EACH_ELEMENT(i, n) {
        i64 o[3];
        offsets<3>(g, i, o);
        i64 at = (i64) index[o[1]];
        if (at < 0 || at >= axisSize) {
            if (atomicCAS((unsigned long long*) bad, 0ULL, FAULT_SCATTER_ADD) == 0ULL) {
                bad[1] = at;
                bad[2] = i;
                bad[3] = axis;
                bad[4] = axisSize;
            }
            continue;
        }
        atomic_add(out + o[2] + at * axisStride, src[o[0]]);
    }
}

#define SCATTER_ADD(SUFFIX, T, ISUFFIX, I)                                                              \
    extern "C" __global__ void scatter_add_##SUFFIX##_##ISUFFIX(Geometry g, i64 n, T* out, const I* index, \
                                                                const T* src, i64 axisStride,           \
                                                                i64 axisSize, i64 axis, i64* bad) {     \
        scatter_add_kernel<T, I>(g, n, out, index, src, axisStride, axisSize, axis, bad);               \
    }
#define SCATTER_ADD_BY(ISUFFIX, I)                                                       \
    SCATTER_ADD(f32, float, ISUFFIX, I) SCATTER_ADD(f64, double, ISUFFIX, I)             \
    SCATTER_ADD(i32, int, ISUFFIX, I) SCATTER_ADD(i64, i64, ISUFFIX, I)

SCATTER_ADD_BY(i32, int)
SCATTER_ADD_BY(i64, i64)
