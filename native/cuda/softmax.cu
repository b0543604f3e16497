// The softmax family along one axis (dev.descent.core.spi.SoftmaxOp), one block per row in a
// grid-stride loop over rows. The host passes `rows` (strides[0]: the input's, strides[1]: the
// output's, over the axes other than the softmax axis) and each tensor's stride along the axis.
// With m the row's maximum (its first index k) and S' = sum over j != k of exp(x_j - m):
//   SOFTMAX      exp(x_i - m) / (1 + S')
//   LOG_SOFTMAX  (x_i - m) - log1p(S')
//   LOGSUMEXP    m + log1p(S')             (one value per row)
// so that a confident row keeps the relative precision of its log-probabilities near 0. A NaN
// maximum gives NaN; an infinite one gives m (LOGSUMEXP), NaN (SOFTMAX) or x_i - m (LOG_SOFTMAX).
// float32 computes in float, float64 in double. blockDim.x is a power of two from 32 to 256; the
// dynamic shared memory holds one value and one index per thread.
#include "descent.cuh"

// The ordinals of dev.descent.core.spi.SoftmaxOp; KernelSourcesTest checks that they agree.
#define SM_SOFTMAX 0
#define SM_LOG_SOFTMAX 1
#define SM_LOGSUMEXP 2

// (value, index) pairs: NaN wins, then the larger value, then the smaller index.
template <typename T>
__device__ __forceinline__ bool better(T v, i64 j, T m, i64 at) {
    if (is_nan(m)) return false;
    if (is_nan(v)) return true;
    return v > m || (v == m && j < at);
}

template <typename T>
__device__ void softmax_kernel(Geometry rows, i64 nrows, i64 len, i64 xStride, i64 outStride, int op, T* out,
                               const T* x) {
    extern __shared__ unsigned char shared[];
    i64* at_s = (i64*) shared;
    T* v_s = (T*) (at_s + blockDim.x);
    int t = threadIdx.x;
    const T inf = (T) 1 / (T) 0;
    for (i64 r = blockIdx.x; r < nrows; r += gridDim.x) {
        i64 o[2];
        offsets<2>(rows, r, o);
        const T* xr = x + o[0];
        T* yr = out + o[1];

        T m = -inf;
        i64 at = len;
        for (i64 j = t; j < len; j += blockDim.x) {
            T v = xr[j * xStride];
            if (better(v, j, m, at)) {
                m = v;
                at = j;
            }
        }
        v_s[t] = m;
        at_s[t] = at;
        __syncthreads();
        for (int s = blockDim.x / 2; s > 0; s >>= 1) {
            if (t < s && better(v_s[t + s], at_s[t + s], v_s[t], at_s[t])) {
                v_s[t] = v_s[t + s];
                at_s[t] = at_s[t + s];
            }
            __syncthreads();
        }
        m = v_s[0];
        at = at_s[0];
        __syncthreads();

        if (is_nan(m) || m == inf || m == -inf) {
            if (op == SM_LOGSUMEXP) {
                if (t == 0) yr[0] = m;
            } else {
                for (i64 j = t; j < len; j += blockDim.x) {
                    yr[j * outStride] = op == SM_SOFTMAX ? (T) 0 / (T) 0 : xr[j * xStride] - m;
                }
            }
            continue;
        }

        T partial = 0;
        for (i64 j = t; j < len; j += blockDim.x) {
            if (j != at) partial += m_exp(xr[j * xStride] - m);
        }
        v_s[t] = partial;
        __syncthreads();
        for (int s = blockDim.x / 2; s > 0; s >>= 1) {
            if (t < s) v_s[t] += v_s[t + s];
            __syncthreads();
        }
        T rest = v_s[0];
        __syncthreads();

        if (op == SM_LOGSUMEXP) {
            if (t == 0) yr[0] = m + m_log1p(rest);
        } else if (op == SM_LOG_SOFTMAX) {
            T l = m_log1p(rest);
            for (i64 j = t; j < len; j += blockDim.x) {
                yr[j * outStride] = (xr[j * xStride] - m) - l;
            }
        } else {
            T total = (T) 1 + rest;
            for (i64 j = t; j < len; j += blockDim.x) {
                yr[j * outStride] = m_exp(xr[j * xStride] - m) / total;
            }
        }
    }
}

extern "C" __global__ void softmax_f32(Geometry rows, i64 nrows, i64 len, i64 xStride, i64 outStride, int op,
                                       float* out, const float* x) {
    softmax_kernel<float>(rows, nrows, len, xStride, outStride, op, out, x);
}
extern "C" __global__ void softmax_f64(Geometry rows, i64 nrows, i64 len, i64 xStride, i64 outStride, int op,
                                       double* out, const double* x) {
    softmax_kernel<double>(rows, nrows, len, xStride, outStride, op, out, x);
}
