// Max and average pooling and their gradients (dev.descent.cuda.PoolingKernels), one thread per
// output element forward and one per input element backward: the backward kernels gather the
// gradients of the windows that cover their element, in a fixed order, instead of scattering with
// atomics, so results are the same bits on every run. The window geometry is Pool2dGeometry's.
#include "descent.cuh"

// The planes [N·C, H, W] of the input, the output size, the window, and the strides of the
// input (x*) and of the output-shaped operand (the output gradient and the indices, g* and i*).
struct PoolShape {
    i64 planes, channels, height, width, oh, ow;
    i64 kh, kw, strideH, strideW, padH, padW;
    i64 xN, xC, xH, xW;
    i64 gN, gC, gH, gW;
    i64 iN, iC, iH, iW;
};

__device__ __forceinline__ float negative_infinity(float) { return __int_as_float(0xff800000); }
__device__ __forceinline__ double negative_infinity(double) { return __longlong_as_double(0xfff0000000000000LL); }

__device__ __forceinline__ i64 window_first(i64 at, i64 pad, i64 k, i64 stride) {
    // the first output whose window [o·stride − pad, o·stride − pad + k) reaches `at`
    i64 v = at + pad - k + 1;
    return v <= 0 ? 0 : (v + stride - 1) / stride;
}

// PyTorch's scan: start at the window's first input element with −inf; a greater value or a NaN takes over.
template <typename T>
__device__ void max_pool_kernel(PoolShape s, const T* x, T* out, i64* indices) {
    i64 total = s.planes * s.oh * s.ow;
    FOR_EACH_ELEMENT(e, total) {
        i64 j = e % s.ow;
        i64 i = (e / s.ow) % s.oh;
        i64 plane = e / (s.ow * s.oh);
        const T* xp = x + (plane / s.channels) * s.xN + (plane % s.channels) * s.xC;
        i64 h0 = i * s.strideH - s.padH;
        i64 w0 = j * s.strideW - s.padW;
        i64 h1 = h0 + s.kh < s.height ? h0 + s.kh : s.height;
        i64 w1 = w0 + s.kw < s.width ? w0 + s.kw : s.width;
        h0 = h0 > 0 ? h0 : 0;
        w0 = w0 > 0 ? w0 : 0;
        i64 best = h0 * s.width + w0;
        T max = negative_infinity((T) 0);
        for (i64 h = h0; h < h1; h++) {
            for (i64 w = w0; w < w1; w++) {
                T v = xp[h * s.xH + w * s.xW];
                if (v > max || is_nan(v)) {
                    max = v;
                    best = h * s.width + w;
                }
            }
        }
        out[e] = max;
        if (indices != 0) {
            indices[e] = best;
        }
    }
}

// gradIn (contiguous) [plane, h, w] = Σ gradOut[plane, i, j] over the windows covering (h, w) whose index names it.
template <typename T>
__device__ void max_pool_backward_kernel(PoolShape s, const T* gradOut, const i64* indices, T* gradIn) {
    i64 total = s.planes * s.height * s.width;
    FOR_EACH_ELEMENT(e, total) {
        i64 w = e % s.width;
        i64 h = (e / s.width) % s.height;
        i64 plane = e / (s.width * s.height);
        i64 n = plane / s.channels;
        i64 c = plane % s.channels;
        i64 here = h * s.width + w;
        T sum = 0;
        i64 iEnd = (h + s.padH) / s.strideH;
        i64 jEnd = (w + s.padW) / s.strideW;
        for (i64 i = window_first(h, s.padH, s.kh, s.strideH); i <= iEnd && i < s.oh; i++) {
            for (i64 j = window_first(w, s.padW, s.kw, s.strideW); j <= jEnd && j < s.ow; j++) {
                if (indices[n * s.iN + c * s.iC + i * s.iH + j * s.iW] == here) {
                    sum += gradOut[n * s.gN + c * s.gC + i * s.gH + j * s.gW];
                }
            }
        }
        gradIn[e] = sum;
    }
}

// PyTorch's divisor: the window clipped to the padded input, or to the input alone.
__device__ __forceinline__ i64 pool_divisor(const PoolShape& s, i64 i, i64 j, int countIncludePad) {
    i64 h0 = i * s.strideH - s.padH;
    i64 w0 = j * s.strideW - s.padW;
    i64 h1 = h0 + s.kh < s.height + s.padH ? h0 + s.kh : s.height + s.padH;
    i64 w1 = w0 + s.kw < s.width + s.padW ? w0 + s.kw : s.width + s.padW;
    if (countIncludePad) {
        return (h1 - h0) * (w1 - w0);
    }
    i64 hc = (h1 < s.height ? h1 : s.height) - (h0 > 0 ? h0 : 0);
    i64 wc = (w1 < s.width ? w1 : s.width) - (w0 > 0 ? w0 : 0);
    return hc * wc;
}

template <typename T>
__device__ void avg_pool_kernel(PoolShape s, int countIncludePad, const T* x, T* out) {
    i64 total = s.planes * s.oh * s.ow;
    FOR_EACH_ELEMENT(e, total) {
        i64 j = e % s.ow;
        i64 i = (e / s.ow) % s.oh;
        i64 plane = e / (s.ow * s.oh);
        const T* xp = x + (plane / s.channels) * s.xN + (plane % s.channels) * s.xC;
        i64 h0 = i * s.strideH - s.padH;
        i64 w0 = j * s.strideW - s.padW;
        i64 h1 = h0 + s.kh < s.height ? h0 + s.kh : s.height;
        i64 w1 = w0 + s.kw < s.width ? w0 + s.kw : s.width;
        typename Compute<T>::type sum = 0;
        for (i64 h = h0 > 0 ? h0 : 0; h < h1; h++) {
            for (i64 w = w0 > 0 ? w0 : 0; w < w1; w++) {
                sum += xp[h * s.xH + w * s.xW];
            }
        }
        out[e] = (T) (sum / pool_divisor(s, i, j, countIncludePad));
    }
}

template <typename T>
__device__ void avg_pool_backward_kernel(PoolShape s, int countIncludePad, const T* gradOut, T* gradIn) {
    i64 total = s.planes * s.height * s.width;
    FOR_EACH_ELEMENT(e, total) {
        i64 w = e % s.width;
        i64 h = (e / s.width) % s.height;
        i64 plane = e / (s.width * s.height);
        i64 n = plane / s.channels;
        i64 c = plane % s.channels;
        typename Compute<T>::type sum = 0;
        i64 iEnd = (h + s.padH) / s.strideH;
        i64 jEnd = (w + s.padW) / s.strideW;
        for (i64 i = window_first(h, s.padH, s.kh, s.strideH); i <= iEnd && i < s.oh; i++) {
            for (i64 j = window_first(w, s.padW, s.kw, s.strideW); j <= jEnd && j < s.ow; j++) {
                sum += (typename Compute<T>::type) gradOut[n * s.gN + c * s.gC + i * s.gH + j * s.gW]
                        / pool_divisor(s, i, j, countIncludePad);
            }
        }
        gradIn[e] = (T) sum;
    }
}

#define POOL_KERNELS(SUFFIX, T)                                                                           \
    extern "C" __global__ void max_pool2d_##SUFFIX(PoolShape s, const T* x, T* out, i64* indices) {      \
        max_pool_kernel<T>(s, x, out, indices);                                                           \
    }                                                                                                     \
    extern "C" __global__ void max_pool2d_backward_##SUFFIX(PoolShape s, const T* gradOut,               \
                                                             const i64* indices, T* gradIn) {             \
        max_pool_backward_kernel<T>(s, gradOut, indices, gradIn);                                         \
    }                                                                                                     \
    extern "C" __global__ void avg_pool2d_##SUFFIX(PoolShape s, int countIncludePad, const T* x, T* out) { \
        avg_pool_kernel<T>(s, countIncludePad, x, out);                                                   \
    }                                                                                                     \
    extern "C" __global__ void avg_pool2d_backward_##SUFFIX(PoolShape s, int countIncludePad,            \
                                                             const T* gradOut, T* gradIn) {               \
        avg_pool_backward_kernel<T>(s, countIncludePad, gradOut, gradIn);                                 \
    }

POOL_KERNELS(f32, float)
POOL_KERNELS(f64, double)
