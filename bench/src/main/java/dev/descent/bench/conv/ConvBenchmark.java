package dev.descent.bench.conv;

import static org.bytedeco.openblas.global.openblas_nolapack.CblasNoTrans;
import static org.bytedeco.openblas.global.openblas_nolapack.CblasRowMajor;
import static org.bytedeco.openblas.global.openblas_nolapack.cblas_sgemm;

import dev.descent.core.Conv2dOptions;
import dev.descent.core.DType;
import dev.descent.core.Generator;
import dev.descent.core.Shape;
import dev.descent.core.Tensor;
import dev.descent.cpu.CpuBackend;
import java.util.concurrent.TimeUnit;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.openblas.global.openblas_nolapack;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.BenchmarkParams;

/**
 * A float32 3×3 convolution (padding 1, stride 1) through the tensor API, forward and forward +
 * both gradients, against {@code cblas_sgemm} of the product it performs, {@code [O, C·9] ×
 * [C·9, N·H·W]}, on off-heap buffers in the same run (OpenBLAS with as many threads as Descent
 * uses). {@code unfoldedBatchForward} is the other place the SPI line could sit: im2col of the
 * whole batch into one column matrix, one sgemm, and the transposition of its [O, N·H·W] result
 * to NCHW, each a separate pass over memory (as a core built from im2col/col2im primitives and
 * matmul would run it).
 *
 * <p>Shapes ({@link #shape}): {@code c1o32} and {@code c32o64} are the two convolutions of the
 * README's Fashion-MNIST recipe at batch 128 (28×28 and 14×14); {@code c64o64} is a wider layer
 * (batch 32, 28×28).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class ConvBenchmark {
    @Param({"c1o32", "c32o64", "c64o64"})
    public String shape;

    private int n;
    private int c;
    private int hw;
    private int o;
    private Tensor x;
    private Tensor w;
    private Tensor gradOut;
    private Tensor col;
    private Tensor product;
    private FloatPointer pw;
    private FloatPointer pcol;
    private FloatPointer pproduct;
    private static final Conv2dOptions PAD1 = Conv2dOptions.DEFAULT.padding(1);

    /** N, C, H (= W), O of each shape. */
    public static int[] sizes(String shape) {
        return switch (shape) {
            case "c1o32" -> new int[] {128, 1, 28, 32};
            case "c32o64" -> new int[] {128, 32, 14, 64};
            case "c64o64" -> new int[] {32, 64, 28, 64};
            default -> throw new IllegalArgumentException("ConvBenchmark: unknown shape " + shape);
        };
    }

    /** Floating-point operations of the forward product, 2·N·O·H·W·C·9. */
    public static double forwardFlops(String shape) {
        int[] s = sizes(shape);
        return 2.0 * s[0] * s[3] * s[2] * s[2] * s[1] * 9;
    }

    @Setup(Level.Trial)
    public void setUp(BenchmarkParams params) {
        boolean reference = params.getBenchmark().endsWith("cblasSgemm") || params.getBenchmark().endsWith("unfoldedBatchForward");
        CpuBackend.useOneDnnConvolutions(params.getBenchmark().contains("oneDnn"));
        openblas_nolapack.blas_set_num_threads(reference ? CpuBackend.threads() : 1);
        int[] s = sizes(shape);
        n = s[0];
        c = s[1];
        hw = s[2];
        o = s[3];
        Generator g = new Generator(7);
        x = Tensor.randn(g, DType.FLOAT32, n, c, hw, hw);
        w = Tensor.randn(g, DType.FLOAT32, o, c, 3, 3);
        gradOut = Tensor.randn(g, DType.FLOAT32, n, o, hw, hw);
        col = Tensor.randn(g, DType.FLOAT32, c * 9, n * hw * hw);
        product = Tensor.zeros(DType.FLOAT32, o, n * hw * hw);
        pw = new FloatPointer(CpuBackend.address(w));
        pcol = new FloatPointer(CpuBackend.address(col));
        pproduct = new FloatPointer(CpuBackend.address(product));
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        openblas_nolapack.blas_set_num_threads(1);
        CpuBackend.useOneDnnConvolutions(false);
        for (Tensor t : new Tensor[] {x, w, gradOut, col, product}) {
            t.close();
        }
    }

    @Benchmark
    public double conv2dForward() {
        try (Tensor out = x.conv2d(w, null, PAD1)) {
            return out.numel();
        }
    }

    /** The forward pass and both gradients: three products of the forward's size. */
    @Benchmark
    public double conv2dForwardBackward() {
        try (Tensor out = x.conv2d(w, null, PAD1);
             Tensor gi = Tensor.conv2dInputGrad(gradOut, w, x.shape(), PAD1);
             Tensor gw = Tensor.conv2dWeightGrad(x, gradOut, w.shape(), PAD1)) {
            return out.numel() + gi.numel() + gw.numel();
        }
    }

    /** {@link #conv2dForward} on oneDNN's convolutions ({@code descent.cpu.convolutions=onednn}), reorders included. */
    @Benchmark
    public double oneDnnConv2dForward() {
        return conv2dForward();
    }

    /** {@link #conv2dForwardBackward} on oneDNN's convolutions, reorders included. */
    @Benchmark
    public double oneDnnConv2dForwardBackward() {
        return conv2dForwardBackward();
    }

    /** The forward's product alone: [O, C·9] × [C·9, N·H·W]. */
    @Benchmark
    public void cblasSgemm() {
        int cols = n * hw * hw;
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, o, cols, c * 9, 1f, pw, c * 9, pcol, cols, 0f, pproduct,
                cols);
    }

    /** The composed alternative: unfold the whole batch, one sgemm, then transpose [O, N, H·W] to [N, O, H·W]. */
    @Benchmark
    public double unfoldedBatchForward() {
        float[] input = x.toFloatArray();
        float[] unfolded = new float[c * 9 * n * hw * hw];
        int cols = n * hw * hw;
        for (int ch = 0; ch < c; ch++) {
            for (int p = 0; p < 3; p++) {
                for (int q = 0; q < 3; q++) {
                    int row = ((ch * 3 + p) * 3 + q) * cols;
                    for (int s = 0; s < n; s++) {
                        for (int i = 0; i < hw; i++) {
                            int ih = i + p - 1;
                            int at = row + (s * hw + i) * hw;
                            for (int j = 0; j < hw; j++) {
                                int iw = j + q - 1;
                                unfolded[at + j] = ih >= 0 && ih < hw && iw >= 0 && iw < hw
                                        ? input[((s * c + ch) * hw + ih) * hw + iw] : 0f;
                            }
                        }
                    }
                }
            }
        }
        pcol.put(unfolded);
        cblasSgemm();
        try (Tensor channelMajor = product.reshape(o, n, hw, hw);
             Tensor nchw = channelMajor.permute(1, 0, 2, 3);
             Tensor out = nchw.contiguous()) {
            return out.numel();
        }
    }
}
