// Batch normalisation per channel of x [N, C, L] (dev.descent.cuda.BatchNormKernels): the
// per-channel reductions run one block per channel, each thread summing a fixed slice in double
// and the block folding the slices in a fixed tree, so results are the same bits on every run;
// the elementwise steps run one thread per element. Each plane x[n, c, :] is L consecutive
// elements (the host copies other layouts first); the outputs are contiguous.
#include "descent.cuh"

struct BnShape {
    i64 n, c, l;
    i64 xN, xC;   // the input's plane strides
    i64 gN, gC;   // the output gradient's plane strides
};

// Folds the block's two partial sums held in shared memory; thread 0 ends with the totals.
__device__ void block_fold(double* a, double* b) {
    for (int half = blockDim.x / 2; half > 0; half /= 2) {
        __syncthreads();
        if (threadIdx.x < half) {
            a[threadIdx.x] += a[threadIdx.x + half];
            b[threadIdx.x] += b[threadIdx.x + half];
        }
    }
    __syncthreads();
}

// Mean and biased variance of channel blockIdx.x, about its first value (no cancellation for a large mean).
template <typename T>
__device__ void bn_stats_kernel(BnShape s, const T* x, T* mean, T* var) {
    extern __shared__ double shared[];
    double* s1 = shared;
    double* s2 = shared + blockDim.x;
    i64 c = blockIdx.x;
    double shift = (double) x[c * s.xC];
    double a = 0;
    double b = 0;
    i64 m = s.n * s.l;
    for (i64 k = threadIdx.x; k < m; k += blockDim.x) {
        double d = (double) x[(k / s.l) * s.xN + c * s.xC + k % s.l] - shift;
        a += d;
        b += d * d;
    }
    s1[threadIdx.x] = a;
    s2[threadIdx.x] = b;
    block_fold(s1, s2);
    if (threadIdx.x == 0) {
        double meanShift = s1[0] / (double) m;
        double v = s2[0] / (double) m - meanShift * meanShift;
        mean[c] = (T) (shift + meanShift);
        var[c] = (T) (v > 0 ? v : 0);
    }
}

template <typename T>
__device__ void bn_normalize_kernel(BnShape s, const T* x, const T* weight, i64 weightStride, const T* bias,
                                    i64 biasStride, const T* mean, const T* var, double eps, T* out) {
    i64 total = s.n * s.c * s.l;
    FOR_EACH_ELEMENT(e, total) {
        i64 k = e % s.l;
        i64 c = (e / s.l) % s.c;
        i64 n = e / (s.l * s.c);
        double scale = (weight != 0 ? (double) weight[c * weightStride] : 1.0) / sqrt((double) var[c] + eps);
        T beta = bias != 0 ? bias[c * biasStride] : (T) 0;
        out[e] = (T) ((double) (x[n * s.xN + c * s.xC + k] - mean[c]) * scale + (double) beta);
    }
}

// sums[c] = Σ g and sums[C + c] = Σ g·(x − μ) over channel blockIdx.x; dγ and dβ from them when wanted.
template <typename T>
__device__ void bn_backward_reduce_kernel(BnShape s, const T* g, const T* x, const T* mean, const T* var, double eps,
                                          double* sums, T* gradWeight, T* gradBias) {
    extern __shared__ double shared[];
    double* s1 = shared;
    double* s2 = shared + blockDim.x;
    i64 c = blockIdx.x;
    double mu = (double) mean[c];
    double a = 0;
    double b = 0;
    i64 m = s.n * s.l;
    for (i64 k = threadIdx.x; k < m; k += blockDim.x) {
        i64 n = k / s.l;
        double gv = (double) g[n * s.gN + c * s.gC + k % s.l];
        a += gv;
        b += gv * ((double) x[n * s.xN + c * s.xC + k % s.l] - mu);
    }
    s1[threadIdx.x] = a;
    s2[threadIdx.x] = b;
    block_fold(s1, s2);
    if (threadIdx.x == 0) {
        double invStd = 1.0 / sqrt((double) var[c] + eps);
        sums[c] = s1[0];
        sums[s.c + c] = s2[0];
        if (gradWeight != 0) gradWeight[c] = (T) (s2[0] * invStd);
        if (gradBias != 0) gradBias[c] = (T) s1[0];
    }
}

// dx = γ·invStd·(g − Σg/m − x̂·Σg·x̂/m) with batch statistics, γ·invStd·g without.
template <typename T>
__device__ void bn_backward_input_kernel(BnShape s, const T* g, const T* x, const T* weight, i64 weightStride,
                                         const T* mean, const T* var, double eps, int batchStats, const double* sums,
                                         T* gradIn) {
    i64 total = s.n * s.c * s.l;
    double m = (double) (s.n * s.l);
    FOR_EACH_ELEMENT(e, total) {
        i64 k = e % s.l;
        i64 c = (e / s.l) % s.c;
        i64 n = e / (s.l * s.c);
        double invStd = 1.0 / sqrt((double) var[c] + eps);
        double a = (weight != 0 ? (double) weight[c * weightStride] : 1.0) * invStd;
        double gv = (double) g[n * s.gN + c * s.gC + k];
        double r = a * gv;
        if (batchStats) {
            double centred = (double) x[n * s.xN + c * s.xC + k] - (double) mean[c];
            r -= a * sums[c] / m + a * invStd * invStd * centred * sums[s.c + c] / m;
        }
        gradIn[e] = (T) r;
    }
}

#define BN_KERNELS(SUFFIX, T)                                                                                      \
    extern "C" __global__ void bn_stats_##SUFFIX(BnShape s, const T* x, T* mean, T* var) {                        \
        bn_stats_kernel<T>(s, x, mean, var);                                                                       \
    }                                                                                                              \
    extern "C" __global__ void bn_normalize_##SUFFIX(BnShape s, const T* x, const T* weight, i64 weightStride,    \
                                                     const T* bias, i64 biasStride, const T* mean, const T* var,  \
                                                     double eps, T* out) {                                         \
        bn_normalize_kernel<T>(s, x, weight, weightStride, bias, biasStride, mean, var, eps, out);                \
    }                                                                                                              \
    extern "C" __global__ void bn_backward_reduce_##SUFFIX(BnShape s, const T* g, const T* x, const T* mean,      \
                                                           const T* var, double eps, double* sums,               \
                                                           T* gradWeight, T* gradBias) {                          \
        bn_backward_reduce_kernel<T>(s, g, x, mean, var, eps, sums, gradWeight, gradBias);                        \
    }                                                                                                              \
    extern "C" __global__ void bn_backward_input_##SUFFIX(BnShape s, const T* g, const T* x, const T* weight,     \
                                                          i64 weightStride, const T* mean, const T* var,          \
                                                          double eps, int batchStats, const double* sums,          \
                                                          T* gradIn) {                                             \
        bn_backward_input_kernel<T>(s, g, x, weight, weightStride, mean, var, eps, batchStats, sums, gradIn);      \
    }

BN_KERNELS(f32, float)
BN_KERNELS(f64, double)
