package dev.descent.cpu;

import dev.descent.core.IndexOutOfRangeException;
import dev.descent.core.spi.StridedView;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.util.concurrent.atomic.AtomicReference;

/**
 * {@code torch.Tensor.scatter_add_}: {@code out[..., index[..., j, ...], ...] += src[..., j, ...]}
 * along one axis, the adjoint of {@link Gather}. The work splits into <em>lines</em>, one per
 * position off the axis: a line of {@code src} adds only into the same line of {@code out}, so
 * lines run in parallel with nothing shared, and each line adds its terms in index order j = 0, 1,
 * ..., each add rounded to the dtype. The bits are therefore the same on any thread count, and the
 * memory used is the index's line, not a one-hot mask. Every index is checked before anything is
 * added, so a bad one leaves {@code out} unchanged.
 */
final class ScatterAdd {
    private ScatterAdd() {
    }

    static void scatterAdd(StridedView src, int axis, StridedView index, StridedView out) {
        int rank = src.rank();
        int len = src.shape()[axis];
        long outAxisSize = out.shape()[axis];
        int[] lineShape = new int[rank];
        long[] rowMajor = new long[rank];
        long s = 1;
        for (int d = rank - 1; d >= 0; d--) {
            lineShape[d] = d == axis ? 1 : src.shape()[d];
            rowMajor[d] = s;
            s *= src.shape()[d];
        }
        long positionStep = rowMajor[axis];
        Layout lines = Layout.of(lineShape, src.strides(), index.strides(), out.strides(), rowMajor);
        if (lines.numel == 0 || len == 0) {
            return;
        }
        long srcStep = src.strides()[axis];
        long indexStep = index.strides()[axis];
        long outStep = out.strides()[axis];
        Access idx = ((CpuStorage) index.storage()).access();
        long grain = Math.max(1, CpuThreads.GRAIN / len);

        // Thrown on the calling thread, the first in row-major order, before anything is written.
        AtomicReference<IndexOutOfRangeException> bad = new AtomicReference<>();
        CpuThreads.parallelFor(lines.numel, grain, 1, (from, to) -> {
            Layout.Cursor ci = lines.cursor(1, index.offset(), from);
            Layout.Cursor cp = lines.cursor(3, 0, from);
            long[] at = new long[len];
            for (long l = from; l < to; l++) {
                idx.read(ci.offset, indexStep, at, 0, len);
                for (int j = 0; j < len; j++) {
                    if (at[j] < 0 || at[j] >= outAxisSize) {
                        long position = cp.offset + j * positionStep;
                        bad.accumulateAndGet(new IndexOutOfRangeException("scatterAdd", at[j], position, axis,
                                outAxisSize, false), (a, b) -> a == null || b.position() < a.position() ? b : a);
                        break;
                    }
                }
                ci.advance(1);
                cp.advance(1);
            }
        });
        if (bad.get() != null) {
            throw bad.get();
        }

        Access in = ((CpuStorage) src.storage()).access();
        Access dst = ((CpuStorage) out.storage()).access();
        boolean floating = src.dtype().isFloating();
        CpuThreads.parallelFor(lines.numel, grain, 1, (from, to) -> {
            Layout.Cursor cs = lines.cursor(0, src.offset(), from);
            Layout.Cursor ci = lines.cursor(1, index.offset(), from);
            Layout.Cursor co = lines.cursor(2, out.offset(), from);
            long[] at = new long[len];
            double[] values = floating ? new double[len] : null;
            long[] counts = floating ? null : new long[len];
            long[] one = new long[1];
            for (long l = from; l < to; l++) {
                idx.read(ci.offset, indexStep, at, 0, len);
                long base = co.offset;
                if (dst instanceof Access.F32 f) {
                    in.read(cs.offset, srcStep, values, 0, len);
                    addFloats(f.b, base, outStep, at, values, len);
                } else if (dst instanceof Access.F64 f) {
                    in.read(cs.offset, srcStep, values, 0, len);
                    addDoubles(f.b, base, outStep, at, values, len);
                } else {
                    in.read(cs.offset, srcStep, counts, 0, len);
                    for (int j = 0; j < len; j++) {
                        long o = base + at[j] * outStep;
                        dst.read(o, 1, one, 0, 1);
                        one[0] += counts[j];
                        dst.write(o, 1, one, 0, 1);
                    }
                }
                cs.advance(1);
                ci.advance(1);
                co.advance(1);
            }
        });
    }

    /** One line into float32 storage: each add rounded to float, in index order. */
    private static void addFloats(FloatBuffer b, long base, long step, long[] at, double[] v, int len) {
        for (int j = 0; j < len; j++) {
            int o = (int) (base + at[j] * step);
            b.put(o, b.get(o) + (float) v[j]);
        }
    }

    private static void addDoubles(DoubleBuffer b, long base, long step, long[] at, double[] v, int len) {
        for (int j = 0; j < len; j++) {
            int o = (int) (base + at[j] * step);
            b.put(o, b.get(o) + v[j]);
        }
    }
}
