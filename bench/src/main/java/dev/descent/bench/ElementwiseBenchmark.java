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
 * Memory-bound ops through the tensor API against a plain off-heap copy ({@code memcpy}) of
 * the same float32 buffers, measured in the same run.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class ElementwiseBenchmark {
    @Param({"1048576", "16777216"})
    public int size;

    private Tensor a;
    private Tensor b;
    private Tensor dst;
    private Pointer src;
    private Pointer copyDst;

    @Setup(Level.Trial)
    public void setUp() {
        Generator g = new Generator(7);
        a = Tensor.randn(g, DType.FLOAT32, size);
        b = Tensor.randn(g, DType.FLOAT32, size);
        dst = Tensor.zeros(DType.FLOAT32, size);
        src = CpuBackend.address(a);
        copyDst = CpuBackend.address(dst);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        a.close();
        b.close();
        dst.close();
    }

    /** The reference: copy {@code 4 * size} bytes. */
    @Benchmark
    public void memcpy() {
        Pointer.memcpy(copyDst, src, 4L * size);
    }

    @Benchmark
    public long add() {
        try (Tensor r = a.add(b)) {
            return r.numel();
        }
    }

    @Benchmark
    public void addInPlace() {
        dst.addInPlace(b);
    }

    @Benchmark
    public long exp() {
        try (Tensor r = a.exp()) {
            return r.numel();
        }
    }

    @Benchmark
    public double sum() {
        try (Tensor r = a.sum()) {
            return r.item();
        }
    }
}
