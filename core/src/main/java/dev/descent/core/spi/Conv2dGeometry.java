package dev.descent.core.spi;

/**
 * How a 2-d convolution slides its kernel, as a backend sees it. For an input
 * {@code x [N, C, H, W]}, a weight {@code w [O, C/G, KH, KW]} (G = {@code groups}) and an output
 * {@code [N, O, OH, OW]} (the sizes come from the views), with {@code Cg = C/G} and
 * {@code Og = O/G}, the convolution is PyTorch's {@code conv2d} (a cross-correlation):
 *
 * <pre>
 * out[n, o, i, j] = bias[o] + Σ_{c &lt; Cg} Σ_{p &lt; KH} Σ_{q &lt; KW}
 *                   x[n, (o / Og)·Cg + c, i·strideH − padH + p·dilationH, j·strideW − padW + q·dilationW] · w[o, c, p, q]
 * </pre>
 *
 * where an {@code x} index outside the input reads 0 (the padding). {@code padH} and
 * {@code padW} are the padding before the first row and column; the padding after the last is
 * whatever the output size implies (asymmetric for {@code padding="same"} with an even extent).
 *
 * @param strideH step of the kernel between output rows, at least 1
 * @param strideW step between output columns, at least 1
 * @param padH zero rows before the input's first row, at least 0
 * @param padW zero columns before the input's first column, at least 0
 * @param dilationH spacing of the kernel's rows over the input, at least 1
 * @param dilationW spacing of the kernel's columns, at least 1
 * @param groups G, dividing both C and O: output channel o sees only the input channels of its group
 */
public record Conv2dGeometry(int strideH, int strideW, int padH, int padW, int dilationH, int dilationW, int groups) {
}
