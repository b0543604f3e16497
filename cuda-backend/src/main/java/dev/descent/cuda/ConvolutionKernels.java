package dev.descent.cuda;

import dev.descent.core.DType;
import dev.descent.core.spi.BinaryOp;
import dev.descent.core.spi.Conv2dGeometry;
import dev.descent.core.spi.Storage;
import dev.descent.core.spi.StridedView;
import java.util.function.BiFunction;

/**
 * 2-d convolutions and their gradients on the GPU as unfolding plus cuBLAS: for a chunk of S
 * samples, {@code native/cuda/conv.cu} unfolds the windows into a column matrix
 * {@code [C·KH·KW, S·OH·OW]}, each group's product with its weight rows is one cuBLAS call
 * ({@link CublasGemm}), and the input's gradient is folded back by {@code col2im}, a gather (no
 * atomics). The products come out channel-major ({@code [O, S·OH·OW]}); the elementwise copy
 * kernel moves them to NCHW (and the output gradient the other way). Chunks are sized by the
 * shapes alone ({@link #CHUNK_ELEMENTS}), so results are the same bits on every run.
 */
final class ConvolutionKernels {
    private static final String FILE = "conv.cu";
    /** int64 values in the kernels' {@code ConvShape}. */
    static final int SHAPE_LONGS = 19;
    /** The most elements of a chunk's column matrix (256 MiB of float32). */
    static final long CHUNK_ELEMENTS = 1L << 26;

    private final KernelLauncher launcher;
    private final ElementwiseKernels elementwise;
    private final CublasGemm gemm;
    private final BiFunction<DType, Long, Storage> allocate;

    ConvolutionKernels(KernelLauncher launcher, ElementwiseKernels elementwise, CublasGemm gemm,
            BiFunction<DType, Long, Storage> allocate) {
        this.launcher = launcher;
        this.elementwise = elementwise;
        this.gemm = gemm;
        this.allocate = allocate;
    }

    /** The sizes of one convolution: input [n, c, h, w], weight [o, c/groups, kh, kw], output [n, o, oh, ow]. */
    private record Sizes(int n, int c, int h, int w, int o, int kh, int kw, int oh, int ow, Conv2dGeometry g) {
        static Sizes of(int[] x, int[] weight, int[] out, Conv2dGeometry g) {
            return new Sizes(x[0], x[1], x[2], x[3], weight[0], weight[2], weight[3], out[2], out[3], g);
        }

        int groups() {
            return g.groups();
        }

        /** The product's inner size per group: Cg·KH·KW. */
        long k() {
            return (long) c / groups() * kh * kw;
        }

        long plane() {
            return (long) oh * ow;
        }

        /** Samples per chunk: the column matrix within {@link #CHUNK_ELEMENTS}, at least one sample. */
        int chunk() {
            long perSample = k() * groups() * plane();
            return (int) Math.max(1, Math.min(n, CHUNK_ELEMENTS / Math.max(1, perSample)));
        }

        long[] encode(int n0, int samples, long[] xStrides) {
            return new long[] {n0, samples, c, h, w, kh, kw, oh, ow, g.strideH(), g.strideW(), g.padH(), g.padW(),
                g.dilationH(), g.dilationW(), xStrides[0], xStrides[1], xStrides[2], xStrides[3]};
        }
    }

    void forward(StridedView x, StridedView w, StridedView bias, Conv2dGeometry g, StridedView out) {
        Sizes s = Sizes.of(x.shape(), w.shape(), out.shape(), g);
        int chunk = s.chunk();
        DType t = out.dtype();
        StridedView wc = contiguous(w);
        Storage col = allocate.apply(t, s.k() * s.groups() * chunk * s.plane());
        Storage product = allocate.apply(t, (long) s.o() * chunk * s.plane());
        try {
            for (int n0 = 0; n0 < s.n(); n0 += chunk) {
                int samples = Math.min(chunk, s.n() - n0);
                long cols = samples * s.plane();
                unfold(x, s, n0, samples, col);
                int og = s.o() / s.groups();
                for (int grp = 0; grp < s.groups(); grp++) {
                    gemm.matmul(matrix(wc.storage(), t, wc.offset() + grp * og * s.k(), og, s.k()),
                            matrix(col, t, grp * s.k() * cols, s.k(), cols),
                            matrix(product, t, (long) grp * og * cols, og, cols));
                }
                // [O, S, OH·OW] -> out[n0 .. n0 + S] as [S, O, OH·OW]
                elementwise.copy(view(product, t, 0, new int[] {s.o(), samples, (int) s.plane()},
                        new long[] {cols, s.plane(), 1}), view(out.storage(), t, out.offset() + n0 * out.strides()[0],
                        new int[] {s.o(), samples, (int) s.plane()}, new long[] {s.plane(), (long) s.o() * s.plane(), 1}));
            }
            if (bias != null) {
                StridedView b = new StridedView(bias.storage(), t, bias.offset(), out.shape(),
                        new long[] {0, bias.strides()[0], 0, 0});
                elementwise.binary(BinaryOp.ADD, out, b, out);
            }
        } finally {
            col.free();
            product.free();
            freeCopy(wc, w);
        }
    }

    void inputGrad(StridedView gradOut, StridedView w, Conv2dGeometry g, StridedView gradIn) {
        Sizes s = Sizes.of(gradIn.shape(), w.shape(), gradOut.shape(), g);
        int chunk = s.chunk();
        DType t = gradIn.dtype();
        StridedView wc = contiguous(w);
        Storage grads = allocate.apply(t, (long) s.o() * chunk * s.plane());
        Storage col = allocate.apply(t, s.k() * s.groups() * chunk * s.plane());
        try {
            int og = s.o() / s.groups();
            for (int n0 = 0; n0 < s.n(); n0 += chunk) {
                int samples = Math.min(chunk, s.n() - n0);
                long cols = samples * s.plane();
                channelMajor(gradOut, s, n0, samples, grads);
                for (int grp = 0; grp < s.groups(); grp++) {
                    // Wᵀ [K, Og]: the weight rows of the group read transposed
                    StridedView wt = new StridedView(wc.storage(), t, wc.offset() + grp * og * s.k(),
                            new int[] {(int) s.k(), og}, new long[] {1, s.k()});
                    gemm.matmul(wt, matrix(grads, t, (long) grp * og * cols, og, cols),
                            matrix(col, t, grp * s.k() * cols, s.k(), cols));
                }
                KernelArgs args = KernelArgs.begin().longs(s.encode(n0, samples, new long[4]))
                        .pointer(((DeviceAddressed) col).address(0)).pointer(ElementwiseKernels.address(gradIn));
                launcher.launch("conv2dInputGrad", FILE, "col2im_" + ElementwiseKernels.suffix(t),
                        (long) samples * s.c() * s.h() * s.w(), args);
            }
        } finally {
            grads.free();
            col.free();
            freeCopy(wc, w);
        }
    }

    void weightGrad(StridedView x, StridedView gradOut, Conv2dGeometry g, StridedView gradW) {
        Sizes s = Sizes.of(x.shape(), gradW.shape(), gradOut.shape(), g);
        int chunk = s.chunk();
        DType t = gradW.dtype();
        Storage col = allocate.apply(t, s.k() * s.groups() * chunk * s.plane());
        Storage grads = allocate.apply(t, (long) s.o() * chunk * s.plane());
        Storage partial = chunk < s.n() ? allocate.apply(t, s.o() * s.k()) : null;
        try {
            int og = s.o() / s.groups();
            for (int n0 = 0; n0 < s.n(); n0 += chunk) {
                int samples = Math.min(chunk, s.n() - n0);
                long cols = samples * s.plane();
                unfold(x, s, n0, samples, col);
                channelMajor(gradOut, s, n0, samples, grads);
                Storage target = n0 == 0 ? gradW.storage() : partial;
                long at = n0 == 0 ? gradW.offset() : 0;
                for (int grp = 0; grp < s.groups(); grp++) {
                    // colᵀ [S·OH·OW, K]: the group's rows of the column matrix read transposed
                    StridedView colT = new StridedView(col, t, grp * s.k() * cols, new int[] {(int) cols, (int) s.k()},
                            new long[] {1, cols});
                    gemm.matmul(matrix(grads, t, (long) grp * og * cols, og, cols), colT,
                            matrix(target, t, at + grp * og * s.k(), og, s.k()));
                }
                if (n0 > 0) {
                    elementwise.addScaled(matrix(partial, t, 0, s.o(), s.k()), 1,
                            matrix(gradW.storage(), t, gradW.offset(), s.o(), s.k()));
                }
            }
        } finally {
            col.free();
            grads.free();
            if (partial != null) {
                partial.free();
            }
        }
    }

    /** The column matrix of samples [n0, n0 + samples) of x into {@code col}. */
    private void unfold(StridedView x, Sizes s, int n0, int samples, Storage col) {
        KernelArgs args = KernelArgs.begin().longs(s.encode(n0, samples, x.strides()))
                .pointer(ElementwiseKernels.address(x)).pointer(((DeviceAddressed) col).address(0));
        launcher.launch("conv2d", FILE, "im2col_" + ElementwiseKernels.suffix(x.dtype()),
                s.k() * s.groups() * samples * s.plane(), args);
    }

    /** Samples [n0, n0 + samples) of the output gradient, channel-major: [O, S, OH·OW] in {@code dst}. */
    private void channelMajor(StridedView gradOut, Sizes s, int n0, int samples, Storage dst) {
        long[] st = gradOut.strides();
        StridedView src = new StridedView(gradOut.storage(), gradOut.dtype(), gradOut.offset() + n0 * st[0],
                new int[] {s.o(), samples, s.oh(), s.ow()}, new long[] {st[1], st[0], st[2], st[3]});
        elementwise.copy(src, view(dst, gradOut.dtype(), 0, new int[] {s.o(), samples, s.oh(), s.ow()},
                new long[] {samples * s.plane(), s.plane(), s.ow(), 1}));
    }

    private static StridedView matrix(Storage storage, DType t, long offset, long rows, long cols) {
        return new StridedView(storage, t, offset, new int[] {(int) rows, (int) cols}, new long[] {cols, 1});
    }

    private static StridedView view(Storage storage, DType t, long offset, int[] shape, long[] strides) {
        return new StridedView(storage, t, offset, shape, strides);
    }

    /** The weight in row-major order: itself, or a copy (freed by {@link #freeCopy}). */
    private StridedView contiguous(StridedView v) {
        if (v.isContiguous()) {
            return v;
        }
        Storage copy = allocate.apply(v.dtype(), v.numel());
        StridedView c = view(copy, v.dtype(), 0, v.shape(), dev.descent.core.Shape.of(v.shape()).contiguousStrides());
        elementwise.copy(v, c);
        return c;
    }

    private static void freeCopy(StridedView used, StridedView original) {
        if (used != original) {
            used.storage().free();
        }
    }
}
