// Reductions over any set of axes. The host passes `kept` (strides[0]: the input's,
// strides[1]: the output's, over the kept axes) and `red` (strides[0]: the input's over the
// reduced axes). Each output's values are split into `parts` equal ranges; a block folds one
// range at a time (a grid-stride loop over output × part): thread t takes values t, t + B, ...
// of the range in order, then the block combines them in a fixed tree. With parts == 1 the
// block writes the output; otherwise it writes a partial, and reduce_partials_* folds each
// output's partials in order. Every step is fixed by the shapes, so one input gives
// bit-identical results on every run. blockDim.x is a power of two from 32 to 256; the dynamic
// shared memory holds one partial (and for arg-reductions one index) per thread.
#include "descent.cuh"

// Floating sums accumulate in double, integer sums in int64, as on the CPU backend.
template <typename T> struct Accumulator { typedef T type; };
template <> struct Accumulator<float> { typedef double type; };
template <> struct Accumulator<int> { typedef i64 type; };

template <typename A>
__device__ __forceinline__ A fold(int op, A acc, A v) {
    switch (op) {
        case RED_MAX: return java_max(acc, v);
        case RED_MIN: return java_min(acc, v);
        default: return acc + v;
    }
}

// The element offset in the input of value j of the output whose input base is `base`.
__device__ __forceinline__ i64 reduced_offset(const Geometry& red, i64 base, i64 j) {
    i64 o[1];
    offsets<1>(red, j, o);
    return base + o[0];
}

// Folds load(j) for j in [from, to) across the block; every thread gets the result. A thread
// with no values takes 0 for sums and a copy of value `from` for max/min (idempotent there).
template <typename A, typename Load>
__device__ A block_fold(int op, i64 from, i64 to, Load load, A* scratch) {
    int t = threadIdx.x;
    A acc = 0;
    bool empty = true;
    for (i64 j = from + t; j < to; j += blockDim.x) {
        A v = load(j);
        acc = empty ? v : fold(op, acc, v);
        empty = false;
    }
    if (empty) acc = (op == RED_SUM || from >= to) ? (A) 0 : load(from);
    scratch[t] = acc;
    __syncthreads();
    for (int s = blockDim.x / 2; s > 0; s >>= 1) {
        if (t < s) scratch[t] = fold(op, scratch[t], scratch[t + s]);
        __syncthreads();
    }
    A result = scratch[0];
    __syncthreads();
    return result;
}

template <typename T>
__device__ void reduce_kernel(Geometry kept, Geometry red, i64 outputs, i64 inner, i64 parts, int op, T* out,
                              typename Accumulator<T>::type* partials, const T* x) {
    typedef typename Accumulator<T>::type A;
    extern __shared__ unsigned char shared[];
    A* scratch = (A*) shared;
    i64 chunk = (inner + parts - 1) / parts;
    for (i64 w = blockIdx.x; w < outputs * parts; w += gridDim.x) {
        i64 o = w / parts;
        i64 from = (w % parts) * chunk;
        i64 to = from + chunk < inner ? from + chunk : inner;
        i64 k[2];
        offsets<2>(kept, o, k);
        i64 base = k[0];
        A r = block_fold<A>(op, from, to, [&](i64 j) { return (A) x[reduced_offset(red, base, j)]; }, scratch);
        if (threadIdx.x == 0) {
            if (parts == 1) {
                out[k[1]] = (T) r;
            } else {
                partials[w] = r;
            }
        }
    }
}

template <typename T>
__device__ void reduce_partials_kernel(Geometry kept, i64 outputs, i64 parts, int op, T* out,
                                       const typename Accumulator<T>::type* partials) {
    typedef typename Accumulator<T>::type A;
    extern __shared__ unsigned char shared[];
    A* scratch = (A*) shared;
    for (i64 o = blockIdx.x; o < outputs; o += gridDim.x) {
        i64 k[2];
        offsets<2>(kept, o, k);
        const A* mine = partials + o * parts;
        A r = block_fold<A>(op, 0, parts, [&](i64 j) { return mine[j]; }, scratch);
        if (threadIdx.x == 0) out[k[1]] = (T) r;
    }
}

// Whether (v, i) beats (best, bestIndex): the first NaN beats every number, otherwise the
// greater (argmax) or smaller (argmin) value, ties going to the lower index. Index -1 is empty.
template <typename T>
__device__ __forceinline__ bool beats(bool isMax, T v, i64 i, T best, i64 bestIndex) {
    if (i < 0) return false;
    if (bestIndex < 0) return true;
    bool vNan = is_nan(v);
    bool bestNan = is_nan(best);
    if (vNan || bestNan) return vNan && (!bestNan || i < bestIndex);
    if (v == best) return i < bestIndex;
    return isMax ? v > best : v < best;
}

// The block's best (value, index) over candidates c in [from, to), each loaded as a pair.
template <typename T, typename Load>
__device__ void block_arg(bool isMax, i64 from, i64 to, Load load, T* values, i64* indices, T& best, i64& bestIndex) {
    int t = threadIdx.x;
    T b = 0;
    i64 bi = -1;
    for (i64 c = from + t; c < to; c += blockDim.x) {
        T v;
        i64 i;
        load(c, v, i);
        if (beats(isMax, v, i, b, bi)) {
            b = v;
            bi = i;
        }
    }
    values[t] = b;
    indices[t] = bi;
    __syncthreads();
    for (int s = blockDim.x / 2; s > 0; s >>= 1) {
        if (t < s && beats(isMax, values[t + s], indices[t + s], values[t], indices[t])) {
            values[t] = values[t + s];
            indices[t] = indices[t + s];
        }
        __syncthreads();
    }
    best = values[0];
    bestIndex = indices[0];
    __syncthreads();
}

template <typename T>
__device__ void arg_reduce_kernel(Geometry kept, Geometry red, i64 outputs, i64 inner, i64 parts, int op, i64* out,
                                  T* partialValues, i64* partialIndices, const T* x) {
    extern __shared__ unsigned char shared[];
    i64* indices = (i64*) shared;
    T* values = (T*) (indices + blockDim.x);
    bool isMax = op == RED_ARGMAX;
    i64 chunk = (inner + parts - 1) / parts;
    for (i64 w = blockIdx.x; w < outputs * parts; w += gridDim.x) {
        i64 o = w / parts;
        i64 from = (w % parts) * chunk;
        i64 to = from + chunk < inner ? from + chunk : inner;
        i64 k[2];
        offsets<2>(kept, o, k);
        i64 base = k[0];
        T best;
        i64 bestIndex;
        block_arg<T>(isMax, from, to, [&](i64 j, T& v, i64& i) { v = x[reduced_offset(red, base, j)]; i = j; },
                     values, indices, best, bestIndex);
        if (threadIdx.x == 0) {
            if (parts == 1) {
                out[k[1]] = bestIndex < 0 ? 0 : bestIndex;
            } else {
                partialValues[w] = best;
                partialIndices[w] = bestIndex;
            }
        }
    }
}

template <typename T>
__device__ void arg_reduce_partials_kernel(Geometry kept, i64 outputs, i64 parts, int op, i64* out,
                                           const T* partialValues, const i64* partialIndices) {
    extern __shared__ unsigned char shared[];
    i64* indices = (i64*) shared;
    T* values = (T*) (indices + blockDim.x);
    bool isMax = op == RED_ARGMAX;
    for (i64 o = blockIdx.x; o < outputs; o += gridDim.x) {
        i64 k[2];
        offsets<2>(kept, o, k);
        const T* v0 = partialValues + o * parts;
        const i64* i0 = partialIndices + o * parts;
        T best;
        i64 bestIndex;
        block_arg<T>(isMax, 0, parts, [&](i64 c, T& v, i64& i) { v = v0[c]; i = i0[c]; }, values, indices, best,
                     bestIndex);
        if (threadIdx.x == 0) out[k[1]] = bestIndex < 0 ? 0 : bestIndex;
    }
}

#define REDUCE(SUFFIX, T)                                                                                   \
    extern "C" __global__ void reduce_##SUFFIX(Geometry kept, Geometry red, i64 outputs, i64 inner, i64 parts, \
                                               int op, T* out, Accumulator<T>::type* partials, const T* x) {   \
        reduce_kernel<T>(kept, red, outputs, inner, parts, op, out, partials, x);                           \
    }                                                                                                       \
    extern "C" __global__ void reduce_partials_##SUFFIX(Geometry kept, i64 outputs, i64 parts, int op, T* out, \
                                                        const Accumulator<T>::type* partials) {               \
        reduce_partials_kernel<T>(kept, outputs, parts, op, out, partials);                                  \
    }                                                                                                       \
    extern "C" __global__ void arg_reduce_##SUFFIX(Geometry kept, Geometry red, i64 outputs, i64 inner,      \
                                                   i64 parts, int op, i64* out, T* partialValues,           \
                                                   i64* partialIndices, const T* x) {                       \
        arg_reduce_kernel<T>(kept, red, outputs, inner, parts, op, out, partialValues, partialIndices, x);   \
    }                                                                                                       \
    extern "C" __global__ void arg_reduce_partials_##SUFFIX(Geometry kept, i64 outputs, i64 parts, int op,   \
                                                            i64* out, const T* partialValues,               \
                                                            const i64* partialIndices) {                    \
        arg_reduce_partials_kernel<T>(kept, outputs, parts, op, out, partialValues, partialIndices);         \
    }

REDUCE(f32, float)
REDUCE(f64, double)
REDUCE(i32, int)
REDUCE(i64, i64)
