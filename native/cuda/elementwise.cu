// Elementwise kernels over strided views: unary and binary ops (tensor or scalar operand),
// copy with dtype conversion, fill, where and addScaled. Each launch gets a Geometry whose
// strides[k] are operand k's strides (0 where it is broadcast); operand 0 is the output.
#include "descent.cuh"

template <typename T>
__device__ __forceinline__ T unary_floating(int op, T x) {
    switch (op) {
        case OP_NEG: return -x;
        case OP_ABS: return m_fabs(x);
        case OP_SIGN: return signum(x);
        case OP_SQUARE: return x * x;
        case OP_RELU: return java_max(x, (T) 0);
        case OP_EXP: return m_exp(x);
        case OP_LOG: return m_log(x);
        case OP_LOG1P: return m_log1p(x);
        case OP_SQRT: return m_sqrt(x);
        case OP_RSQRT: return (T) 1 / m_sqrt(x);
        case OP_RECIPROCAL: return (T) 1 / x;
        case OP_SIGMOID: return sigmoid(x);
        case OP_TANH: return m_tanh(x);
        default: return x;
    }
}

// Integer dtypes have only the ops that keep integers integral; core rejects the others.
template <typename T>
__device__ __forceinline__ T unary_integer(int op, T x) {
    i64 v = x;
    switch (op) {
        case OP_NEG: return (T) -v;
        case OP_ABS: return (T) (v < 0 ? -v : v);
        case OP_SIGN: return (T) (v > 0 ? 1 : (v < 0 ? -1 : 0));
        case OP_SQUARE: return (T) (v * v);
        case OP_RELU: return (T) (v > 0 ? v : 0);
        default: return x;
    }
}

__device__ __forceinline__ float unary_op(int op, float x) { return unary_floating(op, x); }
__device__ __forceinline__ double unary_op(int op, double x) { return unary_floating(op, x); }
__device__ __forceinline__ int unary_op(int op, int x) { return unary_integer(op, x); }
__device__ __forceinline__ i64 unary_op(int op, i64 x) { return unary_integer(op, x); }

// C is the arithmetic type (Compute<T>); the result is narrowed to the storage type on store.
template <typename C>
__device__ __forceinline__ C binary_op(int op, C a, C b) {
    switch (op) {
        case OP_ADD: return a + b;
        case OP_SUB: return a - b;
        case OP_MUL: return a * b;
        case OP_DIV: return a / b;
        case OP_MAXIMUM: return java_max(a, b);
        case OP_MINIMUM: return java_min(a, b);
        case OP_EQ: return a == b ? (C) 1 : (C) 0;
        case OP_NE: return a != b ? (C) 1 : (C) 0;
        case OP_LT: return a < b ? (C) 1 : (C) 0;
        case OP_LE: return a <= b ? (C) 1 : (C) 0;
        case OP_GT: return a > b ? (C) 1 : (C) 0;
        case OP_GE: return a >= b ? (C) 1 : (C) 0;
        default: return a;
    }
}
// float32 pow goes through double, as on the CPU backend (powf is less accurate).
template <> __device__ __forceinline__ float binary_op<float>(int op, float a, float b) {
    if (op == OP_POW) return (float) java_pow((double) a, (double) b);
    switch (op) {
        case OP_ADD: return a + b;
        case OP_SUB: return a - b;
        case OP_MUL: return a * b;
        case OP_DIV: return a / b;
        case OP_MAXIMUM: return java_max(a, b);
        case OP_MINIMUM: return java_min(a, b);
        case OP_EQ: return a == b ? 1.0f : 0.0f;
        case OP_NE: return a != b ? 1.0f : 0.0f;
        case OP_LT: return a < b ? 1.0f : 0.0f;
        case OP_LE: return a <= b ? 1.0f : 0.0f;
        case OP_GT: return a > b ? 1.0f : 0.0f;
        case OP_GE: return a >= b ? 1.0f : 0.0f;
        default: return a;
    }
}
template <> __device__ __forceinline__ double binary_op<double>(int op, double a, double b) {
    if (op == OP_POW) return java_pow(a, b);
    switch (op) {
        case OP_ADD: return a + b;
        case OP_SUB: return a - b;
        case OP_MUL: return a * b;
        case OP_DIV: return a / b;
        case OP_MAXIMUM: return java_max(a, b);
        case OP_MINIMUM: return java_min(a, b);
        case OP_EQ: return a == b ? 1.0 : 0.0;
        case OP_NE: return a != b ? 1.0 : 0.0;
        case OP_LT: return a < b ? 1.0 : 0.0;
        case OP_LE: return a <= b ? 1.0 : 0.0;
        case OP_GT: return a > b ? 1.0 : 0.0;
        case OP_GE: return a >= b ? 1.0 : 0.0;
        default: return a;
    }
}

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
        out[o[0]] = (T) binary_op<C>(op, (C) a[o[1]], (C) b[o[2]]);
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
        out[o[0]] = (T) binary_op<C>(op, (C) a[o[1]], scalar);
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
