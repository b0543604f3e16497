package dev.descent.cpu;

import dev.descent.core.IndexOutOfRangeException;
import dev.descent.core.spi.StridedView;
import java.util.concurrent.atomic.AtomicReference;

/** {@code torch.gather}: each output element reads the source at an index taken from {@code index}. */
final class Gather {
    private Gather() {
    }

    static void gather(StridedView src, int axis, StridedView index, StridedView out) {
        long[] srcOff = src.strides().clone();
        long axisStride = srcOff[axis];
        srcOff[axis] = 0;
        Layout layout = Layout.of(out.shape(), out.strides(), index.strides(), srcOff);
        if (layout.numel == 0) {
            return;
        }
        int axisSize = src.shape()[axis];
        Access in = ((CpuStorage) src.storage()).access();
        Access idx = ((CpuStorage) index.storage()).access();
        Access dst = ((CpuStorage) out.storage()).access();
        boolean floating = src.dtype().isFloating();
        // Thrown on the calling thread: a pool would re-create the exception and lose its fields.
        AtomicReference<IndexOutOfRangeException> badIndex = new AtomicReference<>();
        CpuThreads.parallelFor(layout.numel, CpuThreads.GRAIN, 1, (from, to) -> {
            Layout.Cursor co = layout.cursor(0, out.offset(), from);
            Layout.Cursor ci = layout.cursor(1, index.offset(), from);
            Layout.Cursor cs = layout.cursor(2, src.offset(), from);
            long[] i1 = new long[1];
            double[] d1 = new double[1];
            long[] l1 = new long[1];
            for (long p = from; p < to; p++) {
                idx.read(ci.offset, 1, i1, 0, 1);
                long at = i1[0];
                if (at < 0 || at >= axisSize) {
                    // the first in row-major order, whichever thread finds it
                    badIndex.accumulateAndGet(new IndexOutOfRangeException("gather", at, p, axis, axisSize, false),
                            (a, b) -> a == null || b.position() < a.position() ? b : a);
                    return;
                }
                long from1 = cs.offset + at * axisStride;
                if (floating) {
                    in.read(from1, 1, d1, 0, 1);
                    dst.write(co.offset, 1, d1, 0, 1);
                } else {
                    in.read(from1, 1, l1, 0, 1);
                    dst.write(co.offset, 1, l1, 0, 1);
                }
                co.advance(1);
                ci.advance(1);
                cs.advance(1);
            }
        });
        if (badIndex.get() != null) {
            throw badIndex.get();
        }
    }
}
