// Convolution as unfolding plus cuBLAS (dev.descent.cuda.ConvolutionKernels). For a chunk of S
// samples from n0, the column matrix is [C·KH·KW, S·OH·OW]: row (c·KH + p)·KW + q, column
// (s·OH + i)·OW + j holds x[n0 + s, c, i·strideH − padH + p·dilH, j·strideW − padW + q·dilW], or 0 in
// the padding (Chellapilla et al. 2006; Caffe's im2col). Group g's rows are the block of its Cg
// channels. col2im is the adjoint written as a gather: each input element sums the column entries
// that read it, in a fixed order, so no atomics and the same bits on every run.
#include "descent.cuh"

// The sizes of one chunk's unfolding, passed as one struct of int64 values.
struct ConvShape {
    i64 n0, samples, channels, height, width;       // the chunk, and the input planes
    i64 kh, kw, oh, ow;                               // kernel and output sizes
    i64 strideH, strideW, padH, padW, dilH, dilW;     // the window's geometry
    i64 xN, xC, xH, xW;                               // the input's strides (any layout)
};

template <typename T>
__device__ void im2col_kernel(ConvShape s, const T* x, T* col) {
    i64 cols = s.samples * s.oh * s.ow;
    i64 total = s.channels * s.kh * s.kw * cols;
    FOR_EACH_ELEMENT(e, total) {
        i64 k = e % cols;
        i64 row = e / cols;
        i64 j = k % s.ow;
        i64 i = (k / s.ow) % s.oh;
        i64 n = s.n0 + k / (s.oh * s.ow);
        i64 q = row % s.kw;
        i64 p = (row / s.kw) % s.kh;
        i64 c = row / (s.kh * s.kw);
        i64 ih = i * s.strideH - s.padH + p * s.dilH;
        i64 iw = j * s.strideW - s.padW + q * s.dilW;
        bool inside = ih >= 0 && ih < s.height && iw >= 0 && iw < s.width;
        col[e] = inside ? x[n * s.xN + c * s.xC + ih * s.xH + iw * s.xW] : (T) 0;
    }
}

// gradIn[n0 + s, c, h, w] (contiguous) = Σ over (p, q) of the column entry whose window puts kernel
// element (p, q) on (h, w): i = (h + padH − p·dilH) / strideH when that divides exactly and 0 <= i < OH.
template <typename T>
__device__ void col2im_kernel(ConvShape s, const T* col, T* gradIn) {
    i64 cols = s.samples * s.oh * s.ow;
    i64 total = s.samples * s.channels * s.height * s.width;
    FOR_EACH_ELEMENT(e, total) {
        i64 w = e % s.width;
        i64 h = (e / s.width) % s.height;
        i64 c = (e / (s.width * s.height)) % s.channels;
        i64 n = e / (s.width * s.height * s.channels);
        T sum = 0;
        for (i64 p = 0; p < s.kh; p++) {
            i64 hp = h + s.padH - p * s.dilH;
            if (hp < 0 || hp % s.strideH != 0 || hp / s.strideH >= s.oh) continue;
            i64 i = hp / s.strideH;
            for (i64 q = 0; q < s.kw; q++) {
                i64 wq = w + s.padW - q * s.dilW;
                if (wq < 0 || wq % s.strideW != 0 || wq / s.strideW >= s.ow) continue;
                i64 j = wq / s.strideW;
                sum += col[((c * s.kh + p) * s.kw + q) * cols + (n * s.oh + i) * s.ow + j];
            }
        }
        gradIn[(s.n0 + n) * s.channels * s.height * s.width + (c * s.height + h) * s.width + w] = sum;
    }
}

#define CONV_KERNELS(SUFFIX, T)                                                                     \
    extern "C" __global__ void im2col_##SUFFIX(ConvShape s, const T* x, T* col) {                  \
        im2col_kernel<T>(s, x, col);                                                                \
    }                                                                                               \
    extern "C" __global__ void col2im_##SUFFIX(ConvShape s, const T* col, T* gradIn) {             \
        col2im_kernel<T>(s, col, gradIn);                                                           \
    }

CONV_KERNELS(f32, float)
CONV_KERNELS(f64, double)
