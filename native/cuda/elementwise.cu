// Elementwise kernels over strided views: unary and binary ops (tensor or scalar operand),
// copy with dtype conversion, fill, where and addScaled. Each launch gets a Geometry whose
// strides[k] are operand k's strides (0 where it is broadcast); operand 0 is the output.
#include "descent_ops.cuh"

// The arithmetic of each op, unary_op(op, x) and binary_op(op, a, b), comes from the generated
// header: the Java table dev.descent.cuda.OpTable is its one definition.

template <typename T>
__device__ void unary_kernel(Geometry g, i64 n, int op, T* out, const T* x) {
    FOR_EACH_ELEMENT(i, n) {
        i64 o[2];
        offsets<2>(g, i, o);
        out[o[0]] = unary_op(op, x[o[1]]);
    }
}

template <typename T>
__device__ void binary_kernel(Geometry g, i64 n, int op, T* out, const T* a, const T* b) {
    typedef typename Compute<T>::type C;
    FOR_EACH_ELEMENT(i, n) {
        i64 o[3];
        offsets<3>(g, i, o);
        out[o[0]] = (T) binary_op(op, (C) a[o[1]], (C) b[o[2]]);
    }
}

// The scalar arrives already in the arithmetic type (an int64 for int32 tensors, so that a
// comparison with a scalar beyond the int32 range is still right).
template <typename T>
__device__ void binary_scalar_kernel(Geometry g, i64 n, int op, T* out, const T* a,
                                     typename Compute<T>::type scalar) {
    typedef typename Compute<T>::type C;
    FOR_EACH_ELEMENT(i, n) {
        i64 o[2];
        offsets<2>(g, i, o);
        out[o[0]] = (T) binary_op(op, (C) a[o[1]], scalar);
    }
}

template <typename T>
__device__ void fill_kernel(Geometry g, i64 n, T* out, T value) {
    FOR_EACH_ELEMENT(i, n) {
        i64 o[1];
        offsets<1>(g, i, o);
        out[o[0]] = value;
    }
}

template <typename D, typename S>
__device__ void copy_kernel(Geometry g, i64 n, D* out, const S* src) {
    FOR_EACH_ELEMENT(i, n) {
        i64 o[2];
        offsets<2>(g, i, o);
        out[o[0]] = convert<D, S>(src[o[1]]);
    }
}

// The condition may have any dtype; its code says how to read it.
__device__ __forceinline__ bool condition_at(const void* cond, int dtype, i64 at) {
    switch (dtype) {
        case DT_FLOAT32: return ((const float*) cond)[at] != 0.0f;
        case DT_FLOAT64: return ((const double*) cond)[at] != 0.0;
        case DT_INT32: return ((const int*) cond)[at] != 0;
        default: return ((const i64*) cond)[at] != 0;
    }
}

template <typename T>
__device__ void where_kernel(Geometry g, i64 n, T* out, const void* cond, int condType, const T* a, const T* b) {
    FOR_EACH_ELEMENT(i, n) {
        i64 o[4];
        offsets<4>(g, i, o);
        out[o[0]] = condition_at(cond, condType, o[1]) ? a[o[2]] : b[o[3]];
    }
}

// y = y + alpha * x, computed in double and rounded once, as the CPU backend does.
template <typename T>
__device__ void add_scaled_kernel(Geometry g, i64 n, T* y, const T* x, double alpha) {
    FOR_EACH_ELEMENT(i, n) {
        i64 o[2];
        offsets<2>(g, i, o);
        y[o[0]] = (T) ((double) y[o[0]] + alpha * (double) x[o[1]]);
    }
}

#define ELEMENTWISE(SUFFIX, T)                                                                          \
    extern "C" __global__ void unary_##SUFFIX(Geometry g, i64 n, int op, T* out, const T* x) {         \
        unary_kernel<T>(g, n, op, out, x);                                                              \
    }                                                                                                   \
    extern "C" __global__ void binary_##SUFFIX(Geometry g, i64 n, int op, T* out, const T* a, const T* b) { \
        binary_kernel<T>(g, n, op, out, a, b);                                                          \
    }                                                                                                   \
    extern "C" __global__ void binary_scalar_##SUFFIX(Geometry g, i64 n, int op, T* out, const T* a,    \
                                                      Compute<T>::type scalar) {                        \
        binary_scalar_kernel<T>(g, n, op, out, a, scalar);                                              \
    }                                                                                                   \
    extern "C" __global__ void fill_##SUFFIX(Geometry g, i64 n, T* out, T value) {                      \
        fill_kernel<T>(g, n, out, value);                                                               \
    }                                                                                                   \
    extern "C" __global__ void where_##SUFFIX(Geometry g, i64 n, T* out, const void* cond, int condType, \
                                              const T* a, const T* b) {                                 \
        where_kernel<T>(g, n, out, cond, condType, a, b);                                               \
    }

ELEMENTWISE(f32, float)
ELEMENTWISE(f64, double)
ELEMENTWISE(i32, int)
ELEMENTWISE(i64, i64)

extern "C" __global__ void add_scaled_f32(Geometry g, i64 n, float* y, const float* x, double alpha) {
    add_scaled_kernel<float>(g, n, y, x, alpha);
}
extern "C" __global__ void add_scaled_f64(Geometry g, i64 n, double* y, const double* x, double alpha) {
    add_scaled_kernel<double>(g, n, y, x, alpha);
}

#define COPY(FROM, S, TO, D)                                                                 \
    extern "C" __global__ void copy_##FROM##_##TO(Geometry g, i64 n, D* out, const S* src) { \
        copy_kernel<D, S>(g, n, out, src);                                                   \
    }
#define COPY_FROM(FROM, S) \
    COPY(FROM, S, f32, float) COPY(FROM, S, f64, double) COPY(FROM, S, i32, int) COPY(FROM, S, i64, i64)

COPY_FROM(f32, float)
COPY_FROM(f64, double)
COPY_FROM(i32, int)
COPY_FROM(i64, i64)
