package dev.descent.cpu;

import dev.descent.core.spi.Conv2dGeometry;

/**
 * Unfolds the windows of a convolution over one sample into a column matrix, and folds a
 * column matrix's gradient back (Chellapilla et al. 2006; Caffe's {@code im2col}/{@code col2im}):
 * for the channels of one group of a contiguous sample {@code [C, H, W]}, the matrix has a row per
 * kernel element {@code (c, p, q)} (row {@code (c·KH + p)·KW + q}) and a column per output position
 * {@code (i, j)} of the output rows {@code [i0, i1)}, holding
 * {@code x[c, i·sH − pH + p·dH, j·sW − pW + q·dW]} or 0 in the padding. The convolution is then
 * the matrix product {@code w[Og, Cg·KH·KW] · col}.
 *
 * <p>The geometry is written once; the element moves of each dtype ({@link Runs}) are loops over
 * a run of one output row.
 */
final class Im2col {
    private Im2col() {
    }

    /** One sample's unfolding: Cg channels of an H × W plane, a KH × KW kernel, OH × OW outputs. */
    record Plan(int cg, int h, int w, int kh, int kw, int oh, int ow, Conv2dGeometry g) {
        /** Rows of the column matrix: Cg·KH·KW. */
        int rows() {
            return cg * kh * kw;
        }
    }

    /** Runs of elements of one dtype, over {@code float[]} or {@code double[]} arrays. */
    interface Runs {
        /** {@code col[to + t] = x[from + t·step]} for t &lt; n. */
        void copy(Object x, int from, int step, Object col, int to, int n);

        /** {@code col[to + t] = 0} for t &lt; n. */
        void zero(Object col, int to, int n);

        /** {@code x[to + t·step] += col[from + t]} for t &lt; n. */
        void add(Object col, int from, Object x, int to, int step, int n);
    }

    static final Runs FLOATS = new Runs() {
        @Override
        public void copy(Object x, int from, int step, Object col, int to, int n) {
            float[] src = (float[]) x;
            float[] dst = (float[]) col;
            if (step == 1) {
                System.arraycopy(src, from, dst, to, n);
            } else {
                for (int t = 0; t < n; t++) {
                    dst[to + t] = src[from + t * step];
                }
            }
        }

        @Override
        public void zero(Object col, int to, int n) {
            java.util.Arrays.fill((float[]) col, to, to + n, 0f);
        }

        @Override
        public void add(Object col, int from, Object x, int to, int step, int n) {
            float[] src = (float[]) col;
            float[] dst = (float[]) x;
            if (step == 1) {
                for (int t = 0; t < n; t++) {
                    dst[to + t] += src[from + t];
                }
            } else {
                for (int t = 0; t < n; t++) {
                    dst[to + t * step] += src[from + t];
                }
            }
        }
    };

    static final Runs DOUBLES = new Runs() {
        @Override
        public void copy(Object x, int from, int step, Object col, int to, int n) {
            double[] src = (double[]) x;
            double[] dst = (double[]) col;
            if (step == 1) {
                System.arraycopy(src, from, dst, to, n);
            } else {
                for (int t = 0; t < n; t++) {
                    dst[to + t] = src[from + t * step];
                }
            }
        }

        @Override
        public void zero(Object col, int to, int n) {
            java.util.Arrays.fill((double[]) col, to, to + n, 0.0);
        }

        @Override
        public void add(Object col, int from, Object x, int to, int step, int n) {
            double[] src = (double[]) col;
            double[] dst = (double[]) x;
            if (step == 1) {
                for (int t = 0; t < n; t++) {
                    dst[to + t] += src[from + t];
                }
            } else {
                for (int t = 0; t < n; t++) {
                    dst[to + t * step] += src[from + t];
                }
            }
        }
    };

    /**
     * The column matrix {@code [Cg·KH·KW, (i1 − i0)·OW]} of the Cg channels starting at element
     * {@code xAt} of the contiguous sample {@code x}, for output rows [i0, i1).
     */
    static void unfold(Runs r, Object x, int xAt, Plan s, int i0, int i1, Object col) {
        walk(r, x, xAt, s, i0, i1, col, false);
    }

    /** The inverse scatter: each column entry added to the input element it was read from ({@code gx += fold(col)}). */
    static void fold(Runs r, Object col, Plan s, int i0, int i1, Object gx, int gxAt) {
        walk(r, gx, gxAt, s, i0, i1, col, true);
    }

    private static void walk(Runs r, Object x, int xAt, Plan s, int i0, int i1, Object col, boolean fold) {
        Conv2dGeometry g = s.g();
        int ow = s.ow();
        int width = (i1 - i0) * ow;
        int plane = s.h() * s.w();
        for (int c = 0; c < s.cg(); c++) {
            int xc = xAt + c * plane;
            for (int p = 0; p < s.kh(); p++) {
                for (int q = 0; q < s.kw(); q++) {
                    int row = ((c * s.kh() + p) * s.kw() + q) * width;
                    int shift = q * g.dilationW() - g.padW();
                    // output columns whose input column j·sW + shift lies in [0, W)
                    int jlo = Math.min(ow, Math.max(0, ceilDiv(-shift, g.strideW())));
                    int jhi = Math.min(ow, Math.max(jlo, ceilDiv(s.w() - shift, g.strideW())));
                    if (g.strideH() == 1 && g.strideW() == 1 && ow == s.w()) {
                        rowBlock(r, x, xc, s, i0, i1, col, fold, row, p * g.dilationH() - g.padH(), shift, jlo, jhi);
                        continue;
                    }
                    for (int i = i0; i < i1; i++) {
                        int at = row + (i - i0) * ow;
                        int ih = i * g.strideH() - g.padH() + p * g.dilationH();
                        boolean inside = ih >= 0 && ih < s.h() && jhi > jlo;
                        int from = xc + ih * s.w() + jlo * g.strideW() + shift;
                        if (fold) {
                            if (inside) {
                                r.add(col, at + jlo, x, from, g.strideW(), jhi - jlo);
                            }
                        } else if (!inside) {
                            r.zero(col, at, ow);
                        } else {
                            r.zero(col, at, jlo);
                            r.copy(x, from, g.strideW(), col, at + jlo, jhi - jlo);
                            r.zero(col, at + jhi, ow - jhi);
                        }
                    }
                }
            }
        }
    }

    /**
     * One row (c, p, q) of the column matrix where the strides are 1 and the output is as wide as
     * the input ("same" convolutions): then the output rows whose input row exists are one
     * contiguous run of the plane, shifted, moved by one copy (or add) instead of three calls per
     * output row; the entries of each output row that fall in the padding (shift columns at
     * either side) are zeroed afterwards (unfold), or before so that nothing is added from them
     * (fold, whose column matrix is scratch). Input row of output row i: {@code i + rowShift}.
     */
    private static void rowBlock(Runs r, Object x, int xc, Plan s, int i0, int i1, Object col, boolean fold, int row,
            int rowShift, int shift, int jlo, int jhi) {
        int w = s.w();
        int width = (i1 - i0) * w;
        int ilo = Math.max(i0, -rowShift);
        int ihi = Math.min(i1, s.h() - rowShift);
        if (ilo >= ihi || jlo >= jhi) {
            if (!fold) {
                r.zero(col, row, width);
            }
            return;
        }
        int first = row + (ilo - i0) * w;
        if (!fold) {
            r.zero(col, row, first - row);
            r.zero(col, row + (ihi - i0) * w, width - (ihi - i0) * w);
        }
        int from = xc + (ilo + rowShift) * w + jlo + shift;
        int length = (ihi - ilo - 1) * w + (jhi - jlo);
        if (fold) {
            clearMargins(r, col, first, ihi - ilo, w, jlo, jhi);
            r.add(col, first + jlo, x, from, 1, length);
        } else {
            r.copy(x, from, 1, col, first + jlo, length);
            clearMargins(r, col, first, ihi - ilo, w, jlo, jhi);
        }
    }

    /** Zeroes columns [0, jlo) and [jhi, w) of {@code rows} rows of width w starting at {@code at}. */
    private static void clearMargins(Runs r, Object col, int at, int rows, int w, int jlo, int jhi) {
        if (jlo == 0 && jhi == w) {
            return;
        }
        for (int i = 0; i < rows; i++) {
            r.zero(col, at + i * w, jlo);
            r.zero(col, at + i * w + jhi, w - jhi);
        }
    }

    /** ⌈a / b⌉ for b &gt; 0 and any sign of a. */
    private static int ceilDiv(int a, int b) {
        return -Math.floorDiv(-a, b);
    }
}
