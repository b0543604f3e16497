package dev.descent.cpu;

import dev.descent.core.spi.StridedView;
import dev.descent.core.spi.UnaryOp;
import java.nio.FloatBuffer;

/**
 * The float32 path of unary ops with a float kernel ({@link FloatKernels#has}): each thread
 * walks its range of the output a chunk at a time, copies the input's chunk into a float array
 * (one bulk copy per contiguous run), runs the kernel on it and copies the result out. No
 * element is widened to double, and the kernel's loops are the SIMD ones.
 */
final class FloatUnary {
    private FloatUnary() {
    }

    static void run(UnaryOp op, StridedView x, StridedView out) {
        Layout layout = Layout.of(out.shape(), out.strides(), x.strides());
        if (layout.numel == 0) {
            return;
        }
        FloatBuffer in = ((Access.F32) ((CpuStorage) x.storage()).access()).b;
        FloatBuffer dst = ((Access.F32) ((CpuStorage) out.storage()).access()).b;
        CpuThreads.parallelFor(layout.numel, CpuThreads.GRAIN, FloatKernels.CHUNK, (from, to) -> {
            FloatKernels.Scratch s = FloatKernels.scratch();
            Layout.Cursor read = layout.cursor(1, x.offset(), from);
            Layout.Cursor write = layout.cursor(0, out.offset(), from);
            for (long pos = from; pos < to; pos += FloatKernels.CHUNK) {
                int n = (int) Math.min(FloatKernels.CHUNK, to - pos);
                read.forEachRun(n, (off, stride, at, k) -> read(in, off, stride, s.x, at, k));
                FloatKernels.unary(op, s.x, s.out, n, s);
                write.forEachRun(n, (off, stride, at, k) -> write(dst, off, stride, s.out, at, k));
            }
        });
    }

    static void read(FloatBuffer b, long off, long stride, float[] dst, int at, int n) {
        if (stride == 1) {
            b.get((int) off, dst, at, n);
        } else {
            int o = (int) off;
            int st = (int) stride;
            for (int i = 0; i < n; i++) {
                dst[at + i] = b.get(o + i * st);
            }
        }
    }

    static void write(FloatBuffer b, long off, long stride, float[] src, int at, int n) {
        if (stride == 1) {
            b.put((int) off, src, at, n);
        } else {
            int o = (int) off;
            int st = (int) stride;
            for (int i = 0; i < n; i++) {
                b.put(o + i * st, src[at + i]);
            }
        }
    }
}
