// Layer normalisation over the rows of a [rows, n] view (dev.descent.core.spi.Backend.layerNorm):
// out = (x - mu) * rho * w + b, rho = 1/sqrt(var + eps), with mu the row's mean and var its
// biased variance, both taken in double (two passes: the sum, then the sum of squared deviations)
// whatever the dtype, and each output rounded once. One block per row in a grid-stride loop over
// rows; blockDim.x is a power of two from 32 to 256 and the dynamic shared memory holds one double
// per thread. Null weight or bias pointers stand for w = 1, b = 0.
//
// The backward pass: layer_norm_backward gives dx = rho (gh - mean(gh) - xh mean(gh xh)) per row
// (xh = (x - mu) rho, gh = g w), block per row as the forward pass; layer_norm_param_grads gives
// dw = sum over rows of g xh and db = sum of g, one thread per column summing the rows in order
// (the same bits every run).
#include "descent.cuh"

// The block's sum of v (each thread's), in double; every thread gets it. Uses shared[0..blockDim).
__device__ double block_sum(double v, double* shared) {
    int t = threadIdx.x;
    shared[t] = v;
    __syncthreads();
    for (int s = blockDim.x / 2; s > 0; s >>= 1) {
        if (t < s) shared[t] += shared[t + s];
        __syncthreads();
    }
    double total = shared[0];
    __syncthreads();
    return total;
}

template <typename T>
__device__ void layer_norm_kernel(i64 rows, i64 n, const T* x, i64 xs0, i64 xs1, const T* w, i64 ws, const T* b,
                                  i64 bs, double eps, T* out, i64 os0, i64 os1, T* mean, i64 ms, T* rstd, i64 rs) {
    extern __shared__ double shared_ln[];
    int t = threadIdx.x;
    for (i64 r = blockIdx.x; r < rows; r += gridDim.x) {
        const T* xr = x + r * xs0;
        double s = 0;
        for (i64 j = t; j < n; j += blockDim.x) s += (double) xr[j * xs1];
        double mu = block_sum(s, shared_ln) / (double) n;
        double q = 0;
        for (i64 j = t; j < n; j += blockDim.x) {
            double d = (double) xr[j * xs1] - mu;
            q += d * d;
        }
        double rho = 1.0 / sqrt(block_sum(q, shared_ln) / (double) n + eps);
        T* yr = out + r * os0;
        for (i64 j = t; j < n; j += blockDim.x) {
            double y = ((double) xr[j * xs1] - mu) * rho;
            if (w != nullptr) y *= (double) w[j * ws];
            if (b != nullptr) y += (double) b[j * bs];
            yr[j * os1] = (T) y;
        }
        if (t == 0) {
            mean[r * ms] = (T) mu;
            rstd[r * rs] = (T) rho;
        }
    }
}

template <typename T>
__device__ void layer_norm_backward_kernel(i64 rows, i64 n, const T* g, i64 gs0, i64 gs1, const T* x, i64 xs0,
                                           i64 xs1, const T* w, i64 ws, const T* mean, i64 ms, const T* rstd, i64 rs,
                                           T* dx, i64 dxs0, i64 dxs1) {
    extern __shared__ double shared_ln[];
    int t = threadIdx.x;
    for (i64 r = blockIdx.x; r < rows; r += gridDim.x) {
        const T* gr = g + r * gs0;
        const T* xr = x + r * xs0;
        double mu = (double) mean[r * ms];
        double rho = (double) rstd[r * rs];
        double sg = 0;
        double sgx = 0;
        for (i64 j = t; j < n; j += blockDim.x) {
            double gh = (double) gr[j * gs1] * (w != nullptr ? (double) w[j * ws] : 1.0);
            sg += gh;
            sgx += gh * ((double) xr[j * xs1] - mu) * rho;
        }
        double meanG = block_sum(sg, shared_ln) / (double) n;
        double meanGx = block_sum(sgx, shared_ln) / (double) n;
        T* dr = dx + r * dxs0;
        for (i64 j = t; j < n; j += blockDim.x) {
            double gh = (double) gr[j * gs1] * (w != nullptr ? (double) w[j * ws] : 1.0);
            double xh = ((double) xr[j * xs1] - mu) * rho;
            dr[j * dxs1] = (T) (rho * (gh - meanG - xh * meanGx));
        }
    }
}

template <typename T>
__device__ void layer_norm_param_grads_kernel(i64 rows, i64 n, const T* g, i64 gs0, i64 gs1, const T* x, i64 xs0,
                                              i64 xs1, const T* mean, i64 ms, const T* rstd, i64 rs, T* dw, i64 dws,
                                              T* db, i64 dbs) {
    FOR_EACH_ELEMENT(j, n) {
        double sw = 0;
        double sb = 0;
        for (i64 r = 0; r < rows; r++) {
            double gv = (double) g[r * gs0 + j * gs1];
            sw += gv * ((double) x[r * xs0 + j * xs1] - (double) mean[r * ms]) * (double) rstd[r * rs];
            sb += gv;
        }
        if (dw != nullptr) dw[j * dws] = (T) sw;
        if (db != nullptr) db[j * dbs] = (T) sb;
    }
}

#define LAYER_NORM(SUFFIX, T)                                                                                        \
    extern "C" __global__ void layer_norm_##SUFFIX(i64 rows, i64 n, const T* x, i64 xs0, i64 xs1, const T* w, i64 ws, \
                                                   const T* b, i64 bs, double eps, T* out, i64 os0, i64 os1,         \
                                                   T* mean, i64 ms, T* rstd, i64 rs) {                               \
        layer_norm_kernel<T>(rows, n, x, xs0, xs1, w, ws, b, bs, eps, out, os0, os1, mean, ms, rstd, rs);            \
    }                                                                                                                \
    extern "C" __global__ void layer_norm_backward_##SUFFIX(i64 rows, i64 n, const T* g, i64 gs0, i64 gs1,           \
                                                            const T* x, i64 xs0, i64 xs1, const T* w, i64 ws,        \
                                                            const T* mean, i64 ms, const T* rstd, i64 rs, T* dx,     \
                                                            i64 dxs0, i64 dxs1) {                                    \
        layer_norm_backward_kernel<T>(rows, n, g, gs0, gs1, x, xs0, xs1, w, ws, mean, ms, rstd, rs, dx, dxs0, dxs1); \
    }                                                                                                                \
    extern "C" __global__ void layer_norm_param_grads_##SUFFIX(i64 rows, i64 n, const T* g, i64 gs0, i64 gs1,        \
                                                               const T* x, i64 xs0, i64 xs1, const T* mean, i64 ms,  \
                                                               const T* rstd, i64 rs, T* dw, i64 dws, T* db,         \
                                                               i64 dbs) {                                            \
        layer_norm_param_grads_kernel<T>(rows, n, g, gs0, gs1, x, xs0, xs1, mean, ms, rstd, rs, dw, dws, db, dbs);   \
    }

LAYER_NORM(f32, float)
LAYER_NORM(f64, double)
