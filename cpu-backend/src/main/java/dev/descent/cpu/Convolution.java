package dev.descent.cpu;

import dev.descent.core.DType;
import dev.descent.core.spi.Conv2dGeometry;
import dev.descent.core.spi.StridedView;
import java.util.Arrays;

/**
 * 2-d convolutions and their two gradients, each as single-threaded OpenBLAS products over one
 * sample at a time (Chellapilla et al. 2006): a sample's windows are unfolded into a column
 * matrix held in cache ({@link Im2col}), multiplied by the weight, and, for the input's gradient,
 * the product folded back. A 1×1 kernel with stride 1 and no padding multiplies the sample's own
 * memory, unfolding nothing.
 *
 * <p><b>Threads and bits.</b> Samples are spread over the backend's threads; every product has a
 * shape fixed by the convolution alone, so each output has the same bits on any thread count.
 * The weight's gradient, a sum over the batch, is accumulated in {@link #partials} fixed slices of
 * the batch (one product per sample added into its slice's partial sum), and the partial sums are
 * added in slice order: the split depends on the batch size, never on the threads.
 *
 * <p>Why not one product over the whole batch: its column matrix ({@code Cg·KH·KW} × {@code N·OH·OW})
 * would go through memory instead of cache, and the output would come out channel-major and need a
 * transposition; the README of this module has the measurements.
 */
final class Convolution {
    /** Elements of a column tile: bounds each thread's scratch (4 MiB of float32). */
    static final int TILE_ELEMENTS = 1 << 20;
    /** The most slices the batch is split into for the weight's gradient. */
    static final int MAX_PARTIALS = 16;
    /** The most elements all partial weight gradients together may hold. */
    static final long PARTIAL_ELEMENTS = 1L << 24;

    private Convolution() {
    }

    /** The sizes of one convolution: input [n, c, h, w], weight [o, c/groups, kh, kw], output [n, o, oh, ow]. */
    private record Sizes(int n, int c, int h, int w, int o, int oh, int ow, Im2col.Plan plan, DType dtype) {
        static Sizes of(int[] x, int[] weight, int[] out, Conv2dGeometry g, DType dtype) {
            Im2col.Plan plan = new Im2col.Plan(x[1] / g.groups(), x[2], x[3], weight[2], weight[3], out[2], out[3], g);
            return new Sizes(x[0], x[1], x[2], x[3], weight[0], out[2], out[3], plan, dtype);
        }

        int groups() {
            return plan.g().groups();
        }

        int og() {
            return o / groups();
        }

        /** Rows of the column matrix (the product's inner size): Cg·KH·KW. */
        int k() {
            return plan.rows();
        }

        int outPlane() {
            return oh * ow;
        }

        int sample() {
            return c * h * w;
        }

        /** Output rows per column tile. */
        int tileRows() {
            return (int) Math.max(1, Math.min(oh, TILE_ELEMENTS / ((long) k() * ow)));
        }

        /** A 1×1 kernel, stride 1, no padding: the sample is its own column matrix. */
        boolean pointwise() {
            Conv2dGeometry g = plan.g();
            return plan.kh() == 1 && plan.kw() == 1 && g.strideH() == 1 && g.strideW() == 1 && g.padH() == 0
                    && g.padW() == 0;
        }

        Im2col.Runs runs() {
            return dtype == DType.FLOAT32 ? Im2col.FLOATS : Im2col.DOUBLES;
        }

        Object array(int length) {
            return dtype == DType.FLOAT32 ? new float[length] : new double[length];
        }
    }

    /** One thread's scratch: a sample, a column tile on the heap, and the same tile off the heap for BLAS. */
    private static final class Work implements AutoCloseable {
        final Object sample;
        final Object col;
        final CpuStorage blasCol;

        Work(Sizes s, boolean unfold) {
            int tile = s.k() * s.tileRows() * s.ow();
            sample = unfold ? s.array(s.sample()) : null;
            col = unfold ? s.array(tile) : null;
            blasCol = unfold ? new CpuStorage(s.dtype(), tile) : null;
        }

        @Override
        public void close() {
            if (blasCol != null) {
                blasCol.free();
            }
        }
    }

    static void forward(CpuBackend backend, StridedView x, StridedView w, StridedView bias, Conv2dGeometry g,
            StridedView out) {
        Sizes s = Sizes.of(x.shape(), w.shape(), out.shape(), g, out.dtype());
        StridedView wc = w.isContiguous() ? w : Gemm.contiguousCopy(backend, w);
        double[] b = bias == null ? null : values(bias);
        boolean direct = s.pointwise() && samplesContiguous(x);
        try {
            CpuStorage so = (CpuStorage) out.storage();
            CpuThreads.parallelFor(s.n(), 1, 1, (from, to) -> {
                try (Work work = new Work(s, !direct)) {
                    for (int n = (int) from; n < to; n++) {
                        long outAt = out.offset() + (long) n * s.o() * s.outPlane();
                        if (b != null) {
                            fillRows(so, outAt, b, s.outPlane(), s.dtype());
                        }
                        if (!direct) {
                            readSample(x, n, s, work.sample);
                        }
                        for (int grp = 0; grp < s.groups(); grp++) {
                            long wAt = wc.offset() + (long) grp * s.og() * s.k();
                            long cAt = outAt + (long) grp * s.og() * s.outPlane();
                            if (direct) {
                                long xAt = x.offset() + n * x.strides()[0] + grp * s.plan().cg() * x.strides()[1];
                                Gemm.block(false, false, s.og(), s.outPlane(), s.k(), (CpuStorage) wc.storage(), wAt,
                                        s.k(), (CpuStorage) x.storage(), xAt, s.h() * s.w(), b == null ? 0 : 1, so,
                                        cAt, s.outPlane());
                                continue;
                            }
                            for (int i0 = 0; i0 < s.oh(); i0 += s.tileRows()) {
                                int i1 = Math.min(s.oh(), i0 + s.tileRows());
                                int width = (i1 - i0) * s.ow();
                                Im2col.unfold(s.runs(), work.sample, grp * s.plan().cg() * s.h() * s.w(), s.plan(),
                                        i0, i1, work.col);
                                work.blasCol.access().writeOwn(0, 1, work.col, 0, s.k() * width);
                                Gemm.block(false, false, s.og(), width, s.k(), (CpuStorage) wc.storage(), wAt, s.k(),
                                        work.blasCol, 0, width, b == null ? 0 : 1, so, cAt + (long) i0 * s.ow(),
                                        s.outPlane());
                            }
                        }
                    }
                }
            });
        } finally {
            freeCopy(wc, w);
        }
    }

    static void inputGrad(CpuBackend backend, StridedView gradOut, StridedView w, Conv2dGeometry g,
            StridedView gradIn) {
        Sizes s = Sizes.of(gradIn.shape(), w.shape(), gradOut.shape(), g, gradIn.dtype());
        StridedView wc = w.isContiguous() ? w : Gemm.contiguousCopy(backend, w);
        StridedView gc = gradOut.isContiguous() ? gradOut : Gemm.contiguousCopy(backend, gradOut);
        boolean direct = s.pointwise();
        try {
            CpuStorage si = (CpuStorage) gradIn.storage();
            CpuStorage sg = (CpuStorage) gc.storage();
            CpuThreads.parallelFor(s.n(), 1, 1, (from, to) -> {
                try (Work work = new Work(s, !direct)) {
                    for (int n = (int) from; n < to; n++) {
                        long inAt = gradIn.offset() + (long) n * s.sample();
                        if (!direct) {
                            s.runs().zero(work.sample, 0, s.sample());
                        }
                        for (int grp = 0; grp < s.groups(); grp++) {
                            long wAt = wc.offset() + (long) grp * s.og() * s.k();
                            long gAt = gc.offset() + ((long) n * s.o() + (long) grp * s.og()) * s.outPlane();
                            int xAt = grp * s.plan().cg() * s.h() * s.w();
                            if (direct) {
                                Gemm.block(true, false, s.k(), s.outPlane(), s.og(), (CpuStorage) wc.storage(), wAt,
                                        s.k(), sg, gAt, s.outPlane(), 0, si, inAt + xAt, s.outPlane());
                                continue;
                            }
                            for (int i0 = 0; i0 < s.oh(); i0 += s.tileRows()) {
                                int i1 = Math.min(s.oh(), i0 + s.tileRows());
                                int width = (i1 - i0) * s.ow();
                                Gemm.block(true, false, s.k(), width, s.og(), (CpuStorage) wc.storage(), wAt, s.k(), sg,
                                        gAt + (long) i0 * s.ow(), s.outPlane(), 0, work.blasCol, 0, width);
                                work.blasCol.access().readOwn(0, 1, work.col, 0, s.k() * width);
                                Im2col.fold(s.runs(), work.col, s.plan(), i0, i1, work.sample, xAt);
                            }
                        }
                        if (!direct) {
                            si.access().writeOwn(inAt, 1, work.sample, 0, s.sample());
                        }
                    }
                }
            });
        } finally {
            freeCopy(wc, w);
            freeCopy(gc, gradOut);
        }
    }

    static void weightGrad(CpuBackend backend, StridedView x, StridedView gradOut, Conv2dGeometry g,
            StridedView gradW) {
        Sizes s = Sizes.of(x.shape(), gradW.shape(), gradOut.shape(), g, gradW.dtype());
        StridedView gc = gradOut.isContiguous() ? gradOut : Gemm.contiguousCopy(backend, gradOut);
        boolean direct = s.pointwise() && samplesContiguous(x);
        long weightSize = (long) s.o() * s.k();
        int parts = partials(s.n(), weightSize);
        CpuStorage partial = parts > 1 ? new CpuStorage(s.dtype(), parts * weightSize) : null;
        try {
            CpuStorage sg = (CpuStorage) gc.storage();
            CpuThreads.parallelFor(parts, 1, 1, (from, to) -> {
                try (Work work = new Work(s, !direct)) {
                    for (int p = (int) from; p < to; p++) {
                        CpuStorage target = partial == null ? (CpuStorage) gradW.storage() : partial;
                        long targetAt = partial == null ? gradW.offset() : p * weightSize;
                        int first = (int) ((long) s.n() * p / parts);
                        int last = (int) ((long) s.n() * (p + 1) / parts);
                        for (int n = first; n < last; n++) {
                            if (!direct) {
                                readSample(x, n, s, work.sample);
                            }
                            for (int grp = 0; grp < s.groups(); grp++) {
                                long cAt = targetAt + (long) grp * s.og() * s.k();
                                long gAt = gc.offset() + ((long) n * s.o() + (long) grp * s.og()) * s.outPlane();
                                if (direct) {
                                    long xAt = x.offset() + n * x.strides()[0] + grp * s.plan().cg() * x.strides()[1];
                                    Gemm.block(false, true, s.og(), s.k(), s.outPlane(), sg, gAt, s.outPlane(),
                                            (CpuStorage) x.storage(), xAt, s.h() * s.w(), n == first ? 0 : 1, target,
                                            cAt, s.k());
                                    continue;
                                }
                                for (int i0 = 0; i0 < s.oh(); i0 += s.tileRows()) {
                                    int i1 = Math.min(s.oh(), i0 + s.tileRows());
                                    int width = (i1 - i0) * s.ow();
                                    Im2col.unfold(s.runs(), work.sample, grp * s.plan().cg() * s.h() * s.w(), s.plan(),
                                            i0, i1, work.col);
                                    work.blasCol.access().writeOwn(0, 1, work.col, 0, s.k() * width);
                                    Gemm.block(false, true, s.og(), s.k(), width, sg, gAt + (long) i0 * s.ow(),
                                            s.outPlane(), work.blasCol, 0, width, n == first && i0 == 0 ? 0 : 1,
                                            target, cAt, s.k());
                                }
                            }
                        }
                    }
                }
            });
            if (partial != null) {
                addPartials(partial, parts, weightSize, gradW);
            }
        } finally {
            freeCopy(gc, gradOut);
            if (partial != null) {
                partial.free();
            }
        }
    }

    /**
     * How many slices of the batch the weight's gradient is summed in: up to {@link #MAX_PARTIALS}
     * (work for every thread), at most one per sample, within {@link #PARTIAL_ELEMENTS}. A function
     * of the sizes alone, so that the sums are ordered the same on any thread count.
     */
    static int partials(int batch, long weightSize) {
        return (int) Math.max(1, Math.min(Math.min(batch, MAX_PARTIALS), PARTIAL_ELEMENTS / weightSize));
    }

    /** {@code gradW = Σ_p partial[p]} in slice order, each element summed in double and rounded once. */
    private static void addPartials(CpuStorage partial, int parts, long size, StridedView gradW) {
        Access src = partial.access();
        Access dst = ((CpuStorage) gradW.storage()).access();
        int chunk = (int) Math.min(size, Elementwise.CHUNK);
        double[] sum = new double[chunk];
        double[] term = new double[chunk];
        for (long at = 0; at < size; at += chunk) {
            int len = (int) Math.min(chunk, size - at);
            src.read(at, 1, sum, 0, len);
            for (int p = 1; p < parts; p++) {
                src.read(p * size + at, 1, term, 0, len);
                for (int i = 0; i < len; i++) {
                    sum[i] += term[i];
                }
            }
            dst.write(gradW.offset() + at, 1, sum, 0, len);
        }
    }

    /** Sample {@code n} of {@code x} [N, C, H, W] (any strides) as a contiguous [C, H, W] array. */
    private static void readSample(StridedView x, int n, Sizes s, Object dst) {
        Access a = ((CpuStorage) x.storage()).access();
        long[] st = x.strides();
        long at = x.offset() + n * st[0];
        if (sampleContiguous(x)) {
            a.readOwn(at, 1, dst, 0, s.sample());
            return;
        }
        for (int c = 0; c < s.c(); c++) {
            for (int h = 0; h < s.h(); h++) {
                a.readOwn(at + c * st[1] + h * st[2], st[3], dst, (c * s.h() + h) * s.w(), s.w());
            }
        }
    }

    /** Whether each sample of {@code x} [N, C, H, W] lies in row-major order (its own [C, H, W] block). */
    private static boolean sampleContiguous(StridedView x) {
        int[] d = x.shape();
        long[] st = x.strides();
        long expected = 1;
        for (int i = 3; i >= 1; i--) {
            if (d[i] != 1 && st[i] != expected) {
                return false;
            }
            expected *= d[i];
        }
        return true;
    }

    /** {@link #sampleContiguous} with the sample's rows as BLAS reads them (row stride H·W·... as stored). */
    private static boolean samplesContiguous(StridedView x) {
        return sampleContiguous(x) && x.strides()[2] == x.shape()[3] && x.strides()[1] == (long) x.shape()[2] * x.shape()[3];
    }

    /** Rows {@code out[at + o·plane .. + plane)} set to {@code b[o]}. */
    private static void fillRows(CpuStorage out, long at, double[] b, int plane, DType dtype) {
        Object row = dtype == DType.FLOAT32 ? new float[plane] : new double[plane];
        for (int o = 0; o < b.length; o++) {
            if (row instanceof float[] f) {
                Arrays.fill(f, (float) b[o]);
            } else {
                Arrays.fill((double[]) row, b[o]);
            }
            out.access().writeOwn(at + (long) o * plane, 1, row, 0, plane);
        }
    }

    private static double[] values(StridedView v) {
        double[] d = new double[(int) v.numel()];
        ((CpuStorage) v.storage()).access().read(v.offset(), v.strides()[0], d, 0, d.length);
        return d;
    }

    private static void freeCopy(StridedView used, StridedView original) {
        if (used != original) {
            used.storage().free();
        }
    }
}
