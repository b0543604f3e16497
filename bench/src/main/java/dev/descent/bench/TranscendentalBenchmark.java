package dev.descent.bench;

import dev.descent.core.DType;
import dev.descent.core.Generator;
import dev.descent.core.Tensor;
import dev.descent.cpu.CpuBackend;
import java.util.concurrent.TimeUnit;
import org.bytedeco.javacpp.Pointer;
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
 * The float32 transcendental functions over 2^24 elements, each against a plain off-heap copy
 * ({@code memcpy}) of the same bytes measured in the same run (the softmax rows:
 * {@link SoftmaxRowsBenchmark}): these ops read one tensor and write one, so a kernel that keeps up
 * with memory runs near 1x. Inputs are N(0, 1) (log, log1p, sqrt and pow: uniform on [0.5, 1.5));
 * pow raises them to the scalar 2.5.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class TranscendentalBenchmark {
    @Param({"16777216"})
    public int size;

    private Tensor normal;
    private Tensor positive;
    private Tensor dst;
    private Pointer src;
    private Pointer copyDst;

    @Setup(Level.Trial)
    public void setUp() {
        Generator g = new Generator(11);
        normal = Tensor.randn(g, DType.FLOAT32, size);
        positive = Tensor.uniform(g, 0.5, 1.5, DType.FLOAT32, size);
        dst = Tensor.zeros(DType.FLOAT32, size);
        src = CpuBackend.address(normal);
        copyDst = CpuBackend.address(dst);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        normal.close();
        positive.close();
        dst.close();
    }

    /** The reference: copy {@code 4 * size} bytes. */
    @Benchmark
    public void memcpy() {
        Pointer.memcpy(copyDst, src, 4L * size);
    }

    private static long consume(Tensor t) {
        try (t) {
            return t.numel();
        }
    }

    @Benchmark
    public long exp() {
        return consume(normal.exp());
    }

    @Benchmark
    public long log() {
        return consume(positive.log());
    }

    @Benchmark
    public long tanh() {
        return consume(normal.tanh());
    }

    @Benchmark
    public long sigmoid() {
        return consume(normal.sigmoid());
    }

    @Benchmark
    public long expm1() {
        return consume(normal.expm1());
    }

    @Benchmark
    public long log1p() {
        return consume(positive.log1p());
    }

    @Benchmark
    public long softplus() {
        return consume(normal.softplus());
    }

    @Benchmark
    public long gelu() {
        return consume(normal.gelu());
    }

    @Benchmark
    public long erf() {
        return consume(normal.erf());
    }

    @Benchmark
    public long pow() {
        return consume(positive.pow(2.5));
    }

    @Benchmark
    public long sqrt() {
        return consume(positive.sqrt());
    }
}
