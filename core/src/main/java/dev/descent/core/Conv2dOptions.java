package dev.descent.core;

/**
 * The settings of a 2-d convolution other than its tensors, with PyTorch's defaults and meanings
 * ({@code torch.nn.functional.conv2d}): stride 1, no padding, dilation 1, one group. Each
 * setting takes one number for both spatial axes or two (rows, columns):
 *
 * <pre>{@code
 * Conv2dOptions.DEFAULT.padding(1)                       // 3x3 kernels keep the size
 * Conv2dOptions.DEFAULT.stride(2).padding(1, 0)
 * Conv2dOptions.DEFAULT.paddingSame().dilation(2)        // the output has the input's size
 * Conv2dOptions.DEFAULT.groups(32)                       // depthwise over 32 channels
 * }</pre>
 *
 * <p>{@code paddingSame()} pads {@code dilation·(k − 1)} in total along each axis, half before
 * (rounded down) and the rest after, as PyTorch's {@code padding="same"}; like PyTorch it needs
 * stride 1.
 *
 * @param strideH rows between kernel positions, at least 1
 * @param strideW columns between kernel positions, at least 1
 * @param padH zero rows added above and below (ignored when {@code same})
 * @param padW zero columns added left and right (ignored when {@code same})
 * @param same whether the padding is chosen so that the output has the input's size
 * @param dilationH spacing of kernel rows, at least 1
 * @param dilationW spacing of kernel columns, at least 1
 * @param groups the channel groups, at least 1 (input and output channels must be multiples)
 */
public record Conv2dOptions(int strideH, int strideW, int padH, int padW, boolean same, int dilationH,
        int dilationW, int groups) {

    /** Stride 1, no padding, dilation 1, one group. */
    public static final Conv2dOptions DEFAULT = new Conv2dOptions(1, 1, 0, 0, false, 1, 1, 1);

    public Conv2dOptions {
        String op = "Conv2dOptions";
        Check.argument(strideH >= 1 && strideW >= 1, op, "expected strides >= 1, got %d x %d", strideH, strideW);
        Check.argument(padH >= 0 && padW >= 0, op, "expected padding >= 0, got %d x %d", padH, padW);
        Check.argument(dilationH >= 1 && dilationW >= 1, op, "expected dilations >= 1, got %d x %d", dilationH,
                dilationW);
        Check.argument(groups >= 1, op, "expected groups >= 1, got %d", groups);
        Check.argument(!same || (strideH == 1 && strideW == 1), op,
                "padding \"same\" needs stride 1 (as PyTorch), got stride %d x %d", strideH, strideW);
    }

    public Conv2dOptions stride(int s) {
        return stride(s, s);
    }

    public Conv2dOptions stride(int h, int w) {
        return new Conv2dOptions(h, w, padH, padW, same, dilationH, dilationW, groups);
    }

    public Conv2dOptions padding(int p) {
        return padding(p, p);
    }

    public Conv2dOptions padding(int h, int w) {
        return new Conv2dOptions(strideH, strideW, h, w, false, dilationH, dilationW, groups);
    }

    /** Padding that keeps the input's size (PyTorch's {@code padding="same"}; stride 1 only). */
    public Conv2dOptions paddingSame() {
        return new Conv2dOptions(strideH, strideW, 0, 0, true, dilationH, dilationW, groups);
    }

    public Conv2dOptions dilation(int d) {
        return dilation(d, d);
    }

    public Conv2dOptions dilation(int h, int w) {
        return new Conv2dOptions(strideH, strideW, padH, padW, same, h, w, groups);
    }

    public Conv2dOptions groups(int g) {
        return new Conv2dOptions(strideH, strideW, padH, padW, same, dilationH, dilationW, g);
    }

    /** Padding before the first row for a kernel of {@code kh} rows. */
    int padTop(int kh) {
        return same ? dilationH * (kh - 1) / 2 : padH;
    }

    /** Padding after the last row. */
    int padBottom(int kh) {
        return same ? dilationH * (kh - 1) - padTop(kh) : padH;
    }

    int padLeft(int kw) {
        return same ? dilationW * (kw - 1) / 2 : padW;
    }

    int padRight(int kw) {
        return same ? dilationW * (kw - 1) - padLeft(kw) : padW;
    }

    @Override
    public String toString() {
        return "stride " + strideH + "x" + strideW + ", padding " + (same ? "same" : padH + "x" + padW) + ", dilation "
                + dilationH + "x" + dilationW + ", groups " + groups;
    }
}
