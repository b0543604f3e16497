package dev.descent.core;

/**
 * The window of a 2-d pooling, with PyTorch's defaults and meanings ({@code max_pool2d},
 * {@code avg_pool2d}): the stride defaults to the kernel size, padding to 0, and an average
 * counts the padding in its divisor ({@code count_include_pad=True}). Padding is at most half
 * the kernel, as PyTorch requires; {@code countIncludePad} matters only to averages.
 *
 * <pre>{@code
 * Pool2dOptions.of(2)                                    // 2x2 windows, stride 2
 * Pool2dOptions.of(3).stride(2).padding(1)               // overlapping windows
 * Pool2dOptions.of(3).padding(1).countIncludePad(false)  // averages over the input elements only
 * }</pre>
 *
 * @param kernelH window rows, at least 1
 * @param kernelW window columns, at least 1
 * @param strideH rows between windows, at least 1
 * @param strideW columns between windows, at least 1
 * @param padH padding rows on each side, from 0 to kernelH / 2
 * @param padW padding columns on each side, from 0 to kernelW / 2
 * @param countIncludePad whether an average divides by the whole window (padding included)
 */
public record Pool2dOptions(int kernelH, int kernelW, int strideH, int strideW, int padH, int padW,
        boolean countIncludePad) {

    public Pool2dOptions {
        String op = "Pool2dOptions";
        Check.argument(kernelH >= 1 && kernelW >= 1, op, "expected a kernel of at least 1 x 1, got %d x %d", kernelH,
                kernelW);
        Check.argument(strideH >= 1 && strideW >= 1, op, "expected strides >= 1, got %d x %d", strideH, strideW);
        Check.argument(padH >= 0 && padW >= 0, op, "expected padding >= 0, got %d x %d", padH, padW);
        Check.argument(padH <= kernelH / 2 && padW <= kernelW / 2, op,
                "padding %d x %d should be at most half the kernel %d x %d (as PyTorch)", padH, padW, kernelH,
                kernelW);
    }

    /** A square window of {@code k}, stride {@code k}, no padding. */
    public static Pool2dOptions of(int k) {
        return of(k, k);
    }

    /** A window of {@code kh} rows and {@code kw} columns, stride equal to it, no padding. */
    public static Pool2dOptions of(int kh, int kw) {
        return new Pool2dOptions(kh, kw, kh, kw, 0, 0, true);
    }

    public Pool2dOptions stride(int s) {
        return stride(s, s);
    }

    public Pool2dOptions stride(int h, int w) {
        return new Pool2dOptions(kernelH, kernelW, h, w, padH, padW, countIncludePad);
    }

    public Pool2dOptions padding(int p) {
        return padding(p, p);
    }

    public Pool2dOptions padding(int h, int w) {
        return new Pool2dOptions(kernelH, kernelW, strideH, strideW, h, w, countIncludePad);
    }

    public Pool2dOptions countIncludePad(boolean include) {
        return new Pool2dOptions(kernelH, kernelW, strideH, strideW, padH, padW, include);
    }

    @Override
    public String toString() {
        return "kernel " + kernelH + "x" + kernelW + ", stride " + strideH + "x" + strideW + ", padding " + padH + "x"
                + padW;
    }
}
