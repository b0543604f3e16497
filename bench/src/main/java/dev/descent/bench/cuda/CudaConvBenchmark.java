package dev.descent.bench.cuda;

import dev.descent.bench.conv.ConvBenchmark;
import dev.descent.core.Backends;
import dev.descent.core.Conv2dOptions;
import dev.descent.core.DType;
import dev.descent.core.Device;
import dev.descent.core.Generator;
import dev.descent.core.Tensor;
import dev.descent.cuda.CudaBackend;
import java.util.concurrent.TimeUnit;
import org.bytedeco.javacpp.FloatPointer;
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

/**
 * The shapes of {@link ConvBenchmark} on CUDA tensors: a 3×3 convolution (padding 1) forward
 * and backward through the tensor API (unfolding kernels and cuBLAS), against
 * {@code cublasSgemm} of the forward's product, {@code [O, C·9] × [C·9, N·H·W]}, called directly.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class CudaConvBenchmark {
    @Param({"c1o32", "c32o64", "c64o64"})
    public String shape;

    private static final Conv2dOptions PAD1 = Conv2dOptions.DEFAULT.padding(1);
    private CudaBackend backend;
    private DirectCuda direct;
    private Tensor x;
    private Tensor w;
    private Tensor gradOut;
    private Tensor col;
    private Tensor product;
    private int m;
    private int n;
    private int k;

    @Setup(Level.Trial)
    public void setUp() {
        backend = (CudaBackend) Backends.get("cuda");
        Device gpu = backend.devices().get(0);
        int[] s = ConvBenchmark.sizes(shape);
        Generator g = new Generator(7);
        x = Tensor.of(gpu, DType.FLOAT32, g.normal(s[0] * s[1] * s[2] * s[2], 0, 1), s[0], s[1], s[2], s[2]);
        w = Tensor.of(gpu, DType.FLOAT32, g.normal(s[3] * s[1] * 9, 0, 1), s[3], s[1], 3, 3);
        gradOut = Tensor.of(gpu, DType.FLOAT32, g.normal(s[0] * s[3] * s[2] * s[2], 0, 1), s[0], s[3], s[2], s[2]);
        m = s[3];
        k = s[1] * 9;
        n = s[0] * s[2] * s[2];
        col = Tensor.zeros(gpu, DType.FLOAT32, k, n);
        product = Tensor.zeros(gpu, DType.FLOAT32, m, n);
        direct = new DirectCuda(backend.tf32());
        backend.synchronize();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        for (Tensor t : new Tensor[] {x, w, gradOut, col, product}) {
            t.close();
        }
        direct.close();
    }

    @Benchmark
    public long conv2dForwardBackward() {
        try (Tensor out = x.conv2d(w, null, PAD1);
             Tensor gi = Tensor.conv2dInputGrad(gradOut, w, x.shape(), PAD1);
             Tensor gw = Tensor.conv2dWeightGrad(x, gradOut, w.shape(), PAD1)) {
            backend.synchronize();
            return out.numel() + gi.numel() + gw.numel();
        }
    }

    @Benchmark
    public void cublasSgemm() {
        direct.sgemm(m, n, k, new FloatPointer(CudaBackend.address(w)), new FloatPointer(CudaBackend.address(col)),
                new FloatPointer(CudaBackend.address(product)));
        direct.synchronize();
    }
}
