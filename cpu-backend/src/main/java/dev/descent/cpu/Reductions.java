package dev.descent.cpu;

import dev.descent.core.spi.ReduceOp;
import dev.descent.core.spi.StridedView;

/**
 * Reductions over any set of axes. The kept axes index the outputs, the reduced axes the
 * values folded into each. Floating values accumulate in double, integers in long.
 *
 * <p><b>Independent of the thread count.</b> An output's values are folded in fixed blocks of
 * {@link #BLOCK} values (each block in order, chunk by chunk), and the blocks' partial results
 * are combined in order, whether one thread does it all or the blocks are spread over threads:
 * so a sum has the same bits on 1 thread as on 16. Parallel over outputs when there are many;
 * over one output's blocks when there are few.
 */
final class Reductions {
    /** Values per block: a multiple of every chunk the folds read ({@link Access#sum}'s, {@link Elementwise#CHUNK}). */
    static final long BLOCK = 1 << 15;

    private Reductions() {
    }

    /**
     * The sum over the leading axes {@code 0..k-1} of a contiguous float32 tensor, R rows of P
     * columns, into a contiguous [P] (a bias's gradient, summed over batch and time): rows in
     * fixed blocks of {@code BLOCK/P}, each block's column sums in double in row order (a loop
     * across the columns, which vectorises), the blocks' sums added in block order and rounded
     * once. The same bits on any thread count. False, doing nothing, for any other case.
     */
    private static boolean columnSums(StridedView x, int[] axes, StridedView out) {
        if (x.dtype() != dev.descent.core.DType.FLOAT32 || !x.isContiguous() || !out.isContiguous()
                || axes.length == 0 || axes.length == x.rank()) {
            return false;
        }
        for (int i = 0; i < axes.length; i++) {
            if (axes[i] != i) {
                return false;
            }
        }
        long p = 1;
        for (int d = axes.length; d < x.rank(); d++) {
            p *= x.shape()[d];
        }
        long n = x.numel();
        if (p < 16 || p > BLOCK || n == 0) {
            return false;
        }
        int cols = (int) p;
        long rows = n / cols;
        long per = Math.max(1, BLOCK / cols);
        int blocks = (int) ((rows + per - 1) / per);
        double[][] partial = new double[blocks][cols];
        java.nio.FloatBuffer in = ((Access.F32) ((CpuStorage) x.storage()).access()).b;
        int base = (int) x.offset();
        CpuThreads.parallelFor(blocks, 1, 1, (first, last) -> {
            float[] row = new float[cols];
            for (long blk = first; blk < last; blk++) {
                double[] sum = partial[(int) blk];
                long end = Math.min(rows, (blk + 1) * per);
                for (long r = blk * per; r < end; r++) {
                    in.get((int) (base + r * cols), row, 0, cols);
                    for (int j = 0; j < cols; j++) {
                        sum[j] += row[j];
                    }
                }
            }
        });
        double[] total = new double[cols];
        for (double[] part : partial) {
            for (int j = 0; j < cols; j++) {
                total[j] += part[j];
            }
        }
        ((CpuStorage) out.storage()).access().write(out.offset(), 1, total, 0, cols);
        return true;
    }

    /**
     * The sum over the last axis of a contiguous float32 tensor of rows no longer than a block
     * (a softmax's gradient, row by row) into a contiguous output: each row summed in double in
     * order by one thread, as the general path folds a row of one block. False for any other case.
     */
    private static boolean rowSums(StridedView x, int[] axes, StridedView out) {
        int last = x.rank() - 1;
        if (x.dtype() != dev.descent.core.DType.FLOAT32 || !x.isContiguous() || !out.isContiguous()
                || axes.length != 1 || axes[0] != last || last < 1) {
            return false;
        }
        int len = x.shape()[last];
        long rows = len == 0 ? 0 : x.numel() / len;
        if (len < 16 || len > BLOCK || rows == 0) {
            return false;
        }
        java.nio.FloatBuffer in = ((Access.F32) ((CpuStorage) x.storage()).access()).b;
        Access dst = ((CpuStorage) out.storage()).access();
        int base = (int) x.offset();
        CpuThreads.parallelFor(rows, Math.max(1, CpuThreads.GRAIN / len), 1, (from, to) -> {
            float[] row = new float[len];
            double[] sums = new double[(int) (to - from)];
            for (long r = from; r < to; r++) {
                in.get((int) (base + r * len), row, 0, len);
                double s = 0;
                for (int j = 0; j < len; j++) {
                    s += row[j];
                }
                sums[(int) (r - from)] = s;
            }
            dst.write(out.offset() + from, 1, sums, 0, sums.length);
        });
        return true;
    }

    /** A partial result: the running value and, for arg-reductions, its index. */
    private static final class Acc {
        double d;
        long l;
        long index = -1;
        boolean empty = true;
    }

    static void reduce(ReduceOp op, StridedView x, int[] axes, StridedView out) {
        if (op == ReduceOp.SUM && (columnSums(x, axes, out) || rowSums(x, axes, out))) {
            return;
        }
        int rank = x.rank();
        boolean[] reduced = new boolean[rank];
        for (int a : axes) {
            reduced[a] = true;
        }
        int keptRank = rank - axes.length;
        int[] keptShape = new int[keptRank];
        long[] keptX = new long[keptRank];
        long[] keptOut = new long[keptRank];
        int[] redShape = new int[axes.length];
        long[] redX = new long[axes.length];
        for (int d = 0, k = 0, r = 0; d < rank; d++) {
            if (reduced[d]) {
                redShape[r] = x.shape()[d];
                redX[r++] = x.strides()[d];
            } else {
                keptShape[k] = x.shape()[d];
                keptX[k] = x.strides()[d];
                keptOut[k++] = out.strides()[d];
            }
        }
        Layout kept = Layout.of(keptShape, keptX, keptOut);
        Layout red = Layout.of(redShape, redX);
        long outputs = kept.numel;
        long inner = red.numel;
        if (outputs == 0) {
            return;
        }
        boolean floating = x.dtype().isFloating();
        Access in = ((CpuStorage) x.storage()).access();
        Access dst = ((CpuStorage) out.storage()).access();
        if (outputs >= CpuThreads.threads() || inner <= BLOCK) {
            long grain = Math.max(1, CpuThreads.GRAIN / Math.max(inner, 1));
            CpuThreads.parallelFor(outputs, grain, 1, (from, to) -> {
                Layout.Cursor xc = kept.cursor(0, x.offset(), from);
                Layout.Cursor oc = kept.cursor(1, out.offset(), from);
                for (long o = from; o < to; o++) {
                    Acc acc = new Acc();
                    for (long b = 0; b < inner; b += BLOCK) {
                        combine(op, floating, acc, reduceRange(op, floating, in, red, xc.offset, b,
                                Math.min(inner, b + BLOCK)));
                    }
                    store(op, floating, acc, dst, oc.offset);
                    xc.advance(1);
                    oc.advance(1);
                }
            });
            return;
        }
        Layout.Cursor xc = kept.cursor(0, x.offset(), 0);
        Layout.Cursor oc = kept.cursor(1, out.offset(), 0);
        int blocks = (int) ((inner + BLOCK - 1) / BLOCK);
        for (long o = 0; o < outputs; o++) {
            long base = xc.offset;
            Acc[] partial = new Acc[blocks];
            CpuThreads.parallelFor(blocks, 1, 1, (from, to) -> {
                for (long b = from; b < to; b++) {
                    partial[(int) b] = reduceRange(op, floating, in, red, base, b * BLOCK,
                            Math.min(inner, (b + 1) * BLOCK));
                }
            });
            Acc total = new Acc();
            for (Acc p : partial) {
                combine(op, floating, total, p);
            }
            store(op, floating, total, dst, oc.offset);
            xc.advance(1);
            oc.advance(1);
        }
    }

    private static Acc reduceRange(ReduceOp op, boolean floating, Access in, Layout red, long base, long from,
            long to) {
        Acc acc = new Acc();
        if (from >= to) {
            return acc;
        }
        if (op == ReduceOp.SUM && floating && red.shape.length == 1 && red.strides[0][0] == 1) {
            acc.d = in.sum(base + from, (int) (to - from));
            acc.empty = false;
            return acc;
        }
        int chunk = (int) Math.min(Elementwise.CHUNK, to - from);
        Layout.Cursor c = red.cursor(0, base, from);
        double[] d = floating ? new double[chunk] : null;
        long[] l = floating ? null : new long[chunk];
        for (long pos = from; pos < to; pos += chunk) {
            int n = (int) Math.min(chunk, to - pos);
            if (floating) {
                c.read(in, d, n);
                fold(op, acc, d, n, pos);
            } else {
                c.read(in, l, n);
                fold(op, acc, l, n, pos);
            }
        }
        return acc;
    }

    private static void fold(ReduceOp op, Acc acc, double[] v, int n, long first) {
        switch (op) {
            case SUM -> {
                double s = ChunkMath.sum(v, n);
                acc.d = acc.empty ? s : acc.d + s;
            }
            case MAX -> {
                double m = acc.empty ? v[0] : acc.d;
                for (int i = 0; i < n; i++) {
                    m = Math.max(m, v[i]);
                }
                acc.d = m;
            }
            case MIN -> {
                double m = acc.empty ? v[0] : acc.d;
                for (int i = 0; i < n; i++) {
                    m = Math.min(m, v[i]);
                }
                acc.d = m;
            }
            case ARGMAX, ARGMIN -> {
                for (int i = 0; i < n; i++) {
                    offer(op, acc, v[i], first + i);
                }
            }
        }
        acc.empty = false;
    }

    /** Arg-reductions keep the first extreme; the first NaN beats every number. */
    private static void offer(ReduceOp op, Acc acc, double v, long index) {
        boolean better;
        if (acc.index < 0) {
            better = true;
        } else if (Double.isNaN(acc.d)) {
            better = false;
        } else if (Double.isNaN(v)) {
            better = true;
        } else {
            better = op == ReduceOp.ARGMAX ? v > acc.d : v < acc.d;
        }
        if (better) {
            acc.d = v;
            acc.index = index;
        }
    }

    private static void fold(ReduceOp op, Acc acc, long[] v, int n, long first) {
        switch (op) {
            case SUM -> {
                long s = 0;
                for (int i = 0; i < n; i++) {
                    s += v[i];
                }
                acc.l = acc.empty ? s : acc.l + s;
            }
            case MAX -> {
                long m = acc.empty ? v[0] : acc.l;
                for (int i = 0; i < n; i++) {
                    m = Math.max(m, v[i]);
                }
                acc.l = m;
            }
            case MIN -> {
                long m = acc.empty ? v[0] : acc.l;
                for (int i = 0; i < n; i++) {
                    m = Math.min(m, v[i]);
                }
                acc.l = m;
            }
            case ARGMAX, ARGMIN -> {
                for (int i = 0; i < n; i++) {
                    boolean better = acc.index < 0 || (op == ReduceOp.ARGMAX ? v[i] > acc.l : v[i] < acc.l);
                    if (better) {
                        acc.l = v[i];
                        acc.index = first + i;
                    }
                }
            }
        }
        acc.empty = false;
    }

    /** Folds {@code later} (the next range) into {@code acc}. */
    private static void combine(ReduceOp op, boolean floating, Acc acc, Acc later) {
        if (later.empty) {
            return;
        }
        if (acc.empty) {
            acc.d = later.d;
            acc.l = later.l;
            acc.index = later.index;
            acc.empty = false;
            return;
        }
        switch (op) {
            case SUM -> {
                acc.d += later.d;
                acc.l += later.l;
            }
            case MAX -> {
                acc.d = Math.max(acc.d, later.d);
                acc.l = Math.max(acc.l, later.l);
            }
            case MIN -> {
                acc.d = Math.min(acc.d, later.d);
                acc.l = Math.min(acc.l, later.l);
            }
            case ARGMAX, ARGMIN -> {
                if (floating) {
                    offer(op, acc, later.d, later.index);
                } else if (op == ReduceOp.ARGMAX ? later.l > acc.l : later.l < acc.l) {
                    acc.l = later.l;
                    acc.index = later.index;
                }
            }
        }
    }

    private static void store(ReduceOp op, boolean floating, Acc acc, Access dst, long offset) {
        if (op == ReduceOp.ARGMAX || op == ReduceOp.ARGMIN) {
            dst.write(offset, 1, new long[] {Math.max(acc.index, 0)}, 0, 1);
        } else if (floating) {
            dst.write(offset, 1, new double[] {acc.empty ? 0 : acc.d}, 0, 1);
        } else {
            dst.write(offset, 1, new long[] {acc.empty ? 0 : acc.l}, 0, 1);
        }
    }
}
