// Shared definitions of Descent's CUDA kernels: the math helpers that the op expressions of
// dev.descent.cuda.OpTable are written in, geometry, conversions. Compiled both by NVRTC at run
// time (which has no host headers, so nothing is included here) and by nvcc in the module's tests.
#pragma once

// The reduction codes are the ordinals of dev.descent.core.spi.ReduceOp; KernelSourcesTest
// checks that they still agree. The elementwise op codes need no list here: the op functions
// of descent_ops.cuh are generated from the Java table (dev.descent.cuda.OpTable).
#define RED_SUM 0
#define RED_MAX 1
#define RED_MIN 2
#define RED_ARGMAX 3
#define RED_ARGMIN 4

// The dtype codes are the ordinals of dev.descent.core.DType.
#define DT_FLOAT32 0
#define DT_FLOAT64 1
#define DT_INT32 2
#define DT_INT64 3

#define DESCENT_MAX_RANK 8
#define DESCENT_MAX_OPERANDS 4

typedef long long i64;

// The shape of an elementwise launch and each operand's strides in elements; written by
// dev.descent.cuda.Geometry as 1 + 8 + 4 * 8 int64 values. Size-1 and mergeable dimensions
// are already folded away on the host, so most launches arrive with rank 1.
struct Geometry {
    i64 rank;
    i64 shape[DESCENT_MAX_RANK];
    i64 strides[DESCENT_MAX_OPERANDS][DESCENT_MAX_RANK];
};

// The same for any number of operands: the generated kernels of elementwise programs
// (dev.descent.cuda.ProgramKernelSource) take one stride row per tensor of the program,
// written by dev.descent.cuda.Geometry.encode(operands) as 1 + 8 + OPERANDS * 8 int64 values.
template <int OPERANDS>
struct GeometryN {
    i64 rank;
    i64 shape[DESCENT_MAX_RANK];
    i64 strides[OPERANDS][DESCENT_MAX_RANK];
};

// The element offsets of the first `operands` operands for the linear index i (row-major).
// G is Geometry or GeometryN<N> (N >= OPERANDS).
template <int OPERANDS, typename G>
__device__ __forceinline__ void offsets(const G& g, i64 i, i64 (&off)[OPERANDS]) {
#pragma unroll
    for (int k = 0; k < OPERANDS; k++) {
        off[k] = 0;
    }
    if (g.rank == 1) {
#pragma unroll
        for (int k = 0; k < OPERANDS; k++) {
            off[k] = i * g.strides[k][0];
        }
        return;
    }
    for (int d = (int) g.rank - 1; d >= 0; d--) {
        i64 size = g.shape[d];
        i64 c = i % size;
        i /= size;
#pragma unroll
        for (int k = 0; k < OPERANDS; k++) {
            off[k] += c * g.strides[k][d];
        }
    }
}

// A grid-stride loop over n elements.
#define FOR_EACH_ELEMENT(i, n) \
    for (i64 i = (i64) blockIdx.x * blockDim.x + threadIdx.x; i < (n); i += (i64) blockDim.x * gridDim.x)

__device__ __forceinline__ bool is_nan(float x) { return x != x; }
__device__ __forceinline__ bool is_nan(double x) { return x != x; }
__device__ __forceinline__ bool is_nan(int) { return false; }
__device__ __forceinline__ bool is_nan(i64) { return false; }

__device__ __forceinline__ bool sign_bit(float x) { return __float_as_int(x) < 0; }
__device__ __forceinline__ bool sign_bit(double x) { return __double_as_longlong(x) < 0; }
__device__ __forceinline__ bool sign_bit(int x) { return x < 0; }
__device__ __forceinline__ bool sign_bit(i64 x) { return x < 0; }

// Math by explicit precision: float calls the *f function rather than trusting an overload
// of the double one to exist in every compiler (NVRTC brings no <cmath>).
__device__ __forceinline__ float m_exp(float x) { return expf(x); }
__device__ __forceinline__ double m_exp(double x) { return exp(x); }
__device__ __forceinline__ float m_log(float x) { return logf(x); }
__device__ __forceinline__ double m_log(double x) { return log(x); }
__device__ __forceinline__ float m_log1p(float x) { return log1pf(x); }
__device__ __forceinline__ double m_log1p(double x) { return log1p(x); }
__device__ __forceinline__ float m_sqrt(float x) { return sqrtf(x); }
__device__ __forceinline__ double m_sqrt(double x) { return sqrt(x); }
__device__ __forceinline__ float m_tanh(float x) { return tanhf(x); }
__device__ __forceinline__ double m_tanh(double x) { return tanh(x); }
__device__ __forceinline__ float m_fabs(float x) { return fabsf(x); }
__device__ __forceinline__ double m_fabs(double x) { return fabs(x); }
__device__ __forceinline__ i64 m_fabs(i64 x) { return x < 0 ? -x : x; }
__device__ __forceinline__ float m_expm1(float x) { return expm1f(x); }
__device__ __forceinline__ double m_expm1(double x) { return expm1(x); }
__device__ __forceinline__ float m_erf(float x) { return erff(x); }
__device__ __forceinline__ double m_erf(double x) { return erf(x); }
__device__ __forceinline__ float m_sin(float x) { return sinf(x); }
__device__ __forceinline__ double m_sin(double x) { return sin(x); }
__device__ __forceinline__ float m_cos(float x) { return cosf(x); }
__device__ __forceinline__ double m_cos(double x) { return cos(x); }

// Java's Math.max/min: NaN propagates and -0.0 is below +0.0 (fmax/fmin drop NaN instead).
template <typename T>
__device__ __forceinline__ T java_max(T a, T b) {
    if (is_nan(a)) return a;
    if (is_nan(b)) return b;
    if (a == b) return sign_bit(a) ? b : a;
    return a > b ? a : b;
}

template <typename T>
__device__ __forceinline__ T java_min(T a, T b) {
    if (is_nan(a)) return a;
    if (is_nan(b)) return b;
    if (a == b) return sign_bit(a) ? a : b;
    return a < b ? a : b;
}

// 1/(1+e^-x) without overflow: for x < 0 it is e^x/(1+e^x), as the CPU backend computes it.
__device__ __forceinline__ float sigmoid(float x) {
    if (x >= 0.0f) return 1.0f / (1.0f + expf(-x));
    float e = expf(x);
    return e / (1.0f + e);
}
__device__ __forceinline__ double sigmoid(double x) {
    if (x >= 0.0) return 1.0 / (1.0 + exp(-x));
    double e = exp(x);
    return e / (1.0 + e);
}

// x/2 erfc(-x/sqrt 2), the exact GELU, as the CPU backend's ScalarMath.gelu: erfc keeps the
// negative tail's relative accuracy, and below -40 the value is below double's smallest subnormal.
// float32 computes in double: erfcf would amplify the rounding of -x/sqrt 2 by 2z^2 in the tail.
__device__ __forceinline__ double gelu(double x) {
    return x < -40.0 ? -0.0 : 0.5 * x * erfc(-x * 0.70710678118654752440);
}
__device__ __forceinline__ float gelu(float x) { return (float) gelu((double) x); }

// ln(1 + e^x) = max(x, 0) + log1p(e^-|x|), without overflow for large x.
__device__ __forceinline__ float softplus(float x) { return java_max(x, 0.0f) + log1pf(expf(-fabsf(x))); }
__device__ __forceinline__ double softplus(double x) { return java_max(x, 0.0) + log1p(exp(-fabs(x))); }

// Java's Math.signum: NaN and signed zeros come back unchanged.
template <typename T>
__device__ __forceinline__ T signum(T x) {
    return x > (T) 0 ? (T) 1 : (x < (T) 0 ? (T) -1 : x);
}

// Java's Math.pow where C's pow differs: a NaN exponent always gives NaN, and (+-1)^(+-inf) is NaN.
template <typename T>
__device__ __forceinline__ T java_pow(T a, T b) {
    if (b != b) return b;
    if (m_fabs(a) == (T) 1 && m_fabs(b) == (T) 1 / (T) 0) return (T) 0 / (T) 0;
    return pow(a, b);
}

// The arithmetic type of each storage type: integers compute in 64 bits and wrap on store,
// as the CPU backend does.
template <typename T> struct Compute { typedef T type; };
template <> struct Compute<int> { typedef i64 type; };

// Java's (long) cast: truncation toward zero, NaN to 0, saturation at the int64 range (a C
// cast leaves the last two undefined).
template <typename S>
__device__ __forceinline__ i64 java_long(S x) {
    if (x != x) return 0;
    if (x >= (S) 9.2233720368547758e18) return 0x7fffffffffffffffLL;
    if (x <= (S) -9.2233720368547758e18) return (i64) (-0x7fffffffffffffffLL - 1);
    return (i64) x;
}

// Converts between dtypes as the CPU backend does: floating to integer through Java's (long)
// cast, then a wrapping narrowing to int32.
template <typename D, typename S>
__device__ __forceinline__ D convert(S x) { return (D) x; }
template <> __device__ __forceinline__ i64 convert<i64, float>(float x) { return java_long(x); }
template <> __device__ __forceinline__ i64 convert<i64, double>(double x) { return java_long(x); }
template <> __device__ __forceinline__ int convert<int, float>(float x) { return (int) java_long(x); }
template <> __device__ __forceinline__ int convert<int, double>(double x) { return (int) java_long(x); }
