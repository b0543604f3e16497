package dev.descent.cpu;

import dev.descent.core.spi.StridedView;

/**
 * Layer normalisation ({@code Backend.layerNorm}) and its gradients, one row at a time, rows in
 * parallel. Each row is read into a double array; its mean μ and biased variance σ² are taken in
 * double (two passes: the sum, then the sum of squared deviations, which loses nothing to
 * cancellation), and {@code (x − μ)ρ·w + b}, ρ = 1/√(σ² + eps), is rounded once on store.
 *
 * <p>The backward pass computes, per row, x̂ = (x − μ)ρ and ĝ = g·w, then
 * {@code dx = ρ(ĝ − mean ĝ − x̂·mean(ĝx̂))} in double. The weight's and bias's gradients sum over
 * rows: rows are cut into fixed blocks of {@link #blockRows} (set by the row length alone), each
 * block sums in double, and the blocks' sums are added in block order: the same bits on any
 * thread count.
 */
final class LayerNormRows {
    private LayerNormRows() {
    }

    /** Rows per block of the backward pass's sums: about {@link CpuThreads#GRAIN} elements. */
    static int blockRows(int n) {
        return (int) Math.max(1, CpuThreads.GRAIN / Math.max(n, 1));
    }

    static void forward(StridedView x, StridedView weight, StridedView bias, double eps, StridedView out,
            StridedView mean, StridedView rstd) {
        int rows = x.shape()[0];
        int n = x.shape()[1];
        double[] w = vector(weight, n);
        double[] b = vector(bias, n);
        Access in = access(x);
        Access dst = access(out);
        Access means = access(mean);
        Access rstds = access(rstd);
        if (in instanceof Access.F32 fx && dst instanceof Access.F32 fo && x.strides()[1] == 1 && out.strides()[1] == 1) {
            forwardFloat(x, fx, fo, out, w, b, eps, means, mean, rstds, rstd, rows, n);
            return;
        }
        CpuThreads.parallelFor(rows, blockRows(n), 1, (from, to) -> {
            double[] row = new double[n];
            double[] stat = new double[1];
            for (long r = from; r < to; r++) {
                in.read(x.offset() + r * x.strides()[0], x.strides()[1], row, 0, n);
                double mu = mean(row, n);
                double rho = 1 / Math.sqrt(variance(row, n, mu) + eps);
                for (int i = 0; i < n; i++) {
                    double y = (row[i] - mu) * rho;
                    if (w != null) {
                        y *= w[i];
                    }
                    if (b != null) {
                        y += b[i];
                    }
                    row[i] = y;
                }
                dst.write(out.offset() + r * out.strides()[0], out.strides()[1], row, 0, n);
                stat[0] = mu;
                means.write(mean.offset() + r * mean.strides()[0], 1, stat, 0, 1);
                stat[0] = rho;
                rstds.write(rstd.offset() + r * rstd.strides()[0], 1, stat, 0, 1);
            }
        });
    }

    /**
     * The float32 rows with unit stride: read in bulk into {@code float[]}, the statistics summed
     * in double as the general path does (so the bits are the same), the output computed in double
     * and rounded once.
     */
    private static void forwardFloat(StridedView x, Access.F32 fx, Access.F32 fo, StridedView out, double[] w,
            double[] b, double eps, Access means, StridedView mean, Access rstds, StridedView rstd, int rows, int n) {
        CpuThreads.parallelFor(rows, blockRows(n), 1, (from, to) -> {
            float[] row = new float[n];
            float[] y = new float[n];
            double[] stat = new double[1];
            for (long r = from; r < to; r++) {
                fx.b.get((int) (x.offset() + r * x.strides()[0]), row, 0, n);
                double s = 0;
                for (int i = 0; i < n; i++) {
                    s += row[i];
                }
                double mu = s / n;
                double q = 0;
                for (int i = 0; i < n; i++) {
                    double d = row[i] - mu;
                    q += d * d;
                }
                double rho = 1 / Math.sqrt(q / n + eps);
                for (int i = 0; i < n; i++) {
                    double v = (row[i] - mu) * rho;
                    if (w != null) {
                        v *= w[i];
                    }
                    if (b != null) {
                        v += b[i];
                    }
                    y[i] = (float) v;
                }
                fo.b.put((int) (out.offset() + r * out.strides()[0]), y, 0, n);
                stat[0] = mu;
                means.write(mean.offset() + r * mean.strides()[0], 1, stat, 0, 1);
                stat[0] = rho;
                rstds.write(rstd.offset() + r * rstd.strides()[0], 1, stat, 0, 1);
            }
        });
    }

    static void backward(StridedView grad, StridedView x, StridedView weight, StridedView mean, StridedView rstd,
            StridedView dx, StridedView dweight, StridedView dbias) {
        int rows = x.shape()[0];
        int n = x.shape()[1];
        double[] w = vector(weight, n);
        Access gIn = access(grad);
        Access xIn = access(x);
        Access means = access(mean);
        Access rstds = access(rstd);
        Access dxOut = dx == null ? null : access(dx);
        boolean sums = dweight != null || dbias != null;
        int per = blockRows(n);
        int blocks = (rows + per - 1) / per;
        double[][] dwParts = dweight != null ? new double[blocks][n] : null;
        double[][] dbParts = dbias != null ? new double[blocks][n] : null;
        CpuThreads.parallelFor(blocks, 1, 1, (firstBlock, lastBlock) -> {
            double[] g = new double[n];
            double[] row = new double[n];
            double[] stat = new double[1];
            for (long blk = firstBlock; blk < lastBlock; blk++) {
                long end = Math.min(rows, (blk + 1) * per);
                for (long r = blk * per; r < end; r++) {
                    gIn.read(grad.offset() + r * grad.strides()[0], grad.strides()[1], g, 0, n);
                    xIn.read(x.offset() + r * x.strides()[0], x.strides()[1], row, 0, n);
                    means.read(mean.offset() + r * mean.strides()[0], 1, stat, 0, 1);
                    double mu = stat[0];
                    rstds.read(rstd.offset() + r * rstd.strides()[0], 1, stat, 0, 1);
                    double rho = stat[0];
                    double sumG = 0;
                    double sumGx = 0;
                    for (int i = 0; i < n; i++) {
                        double xh = (row[i] - mu) * rho;
                        row[i] = xh;
                        if (sums) {
                            if (dwParts != null) {
                                dwParts[(int) blk][i] += g[i] * xh;
                            }
                            if (dbParts != null) {
                                dbParts[(int) blk][i] += g[i];
                            }
                        }
                        double gh = w == null ? g[i] : g[i] * w[i];
                        sumG += gh;
                        sumGx += gh * xh;
                        g[i] = gh;
                    }
                    if (dxOut != null) {
                        double meanG = sumG / n;
                        double meanGx = sumGx / n;
                        for (int i = 0; i < n; i++) {
                            g[i] = rho * (g[i] - meanG - row[i] * meanGx);
                        }
                        dxOut.write(dx.offset() + r * dx.strides()[0], dx.strides()[1], g, 0, n);
                    }
                }
            }
        });
        if (dweight != null) {
            writeSum(dwParts, dweight, n);
        }
        if (dbias != null) {
            writeSum(dbParts, dbias, n);
        }
    }

    /** The blocks' partial sums added in block order, then rounded once. */
    private static void writeSum(double[][] parts, StridedView out, int n) {
        double[] total = new double[n];
        for (double[] p : parts) {
            for (int i = 0; i < n; i++) {
                total[i] += p[i];
            }
        }
        access(out).write(out.offset(), out.strides()[0], total, 0, n);
    }

    private static double mean(double[] v, int n) {
        double s = 0;
        for (int i = 0; i < n; i++) {
            s += v[i];
        }
        return s / n;
    }

    private static double variance(double[] v, int n, double mu) {
        double s = 0;
        for (int i = 0; i < n; i++) {
            double d = v[i] - mu;
            s += d * d;
        }
        return s / n;
    }

    private static double[] vector(StridedView v, int n) {
        if (v == null) {
            return null;
        }
        double[] values = new double[n];
        access(v).read(v.offset(), v.strides()[0], values, 0, n);
        return values;
    }

    private static Access access(StridedView v) {
        return ((CpuStorage) v.storage()).access();
    }
}
