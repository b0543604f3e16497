package dev.descent.core.spi;

/**
 * How a 2-d pooling window slides, as a backend sees it: output {@code [N, C, OH, OW]} element
 * {@code (i, j)} covers input rows {@code i·strideH − padH + p} for {@code p < kernelH} and
 * columns {@code j·strideW − padW + q} for {@code q < kernelW}; positions outside the input are
 * padding (never the maximum; counted or not by an average, as its caller says).
 *
 * @param kernelH window rows, at least 1
 * @param kernelW window columns, at least 1
 * @param strideH step between output rows, at least 1
 * @param strideW step between output columns, at least 1
 * @param padH padding rows on each side, at most kernelH / 2
 * @param padW padding columns on each side, at most kernelW / 2
 */
public record Pool2dGeometry(int kernelH, int kernelW, int strideH, int strideW, int padH, int padW) {
}
