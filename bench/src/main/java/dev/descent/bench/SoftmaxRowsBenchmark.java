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
 * Log-softmax and softmax over the rows of a float32 [size/1024, 1024] matrix — [4096, 1024], the
 * shape issue 14's target names, and [16384, 1024] — each against a plain off-heap copy
 * ({@code memcpy}) of the same bytes measured in the same run. At [4096, 1024] input and output
 * (32 MB) are about the size of this machine's L3 cache, so the copy runs from it in part.
 * Inputs are N(0, 1).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class SoftmaxRowsBenchmark {
    @Param({"4194304", "16777216"})
    public int size;

    private Tensor rows;
    private Tensor dst;
    private Pointer src;
    private Pointer copyDst;

    @Setup(Level.Trial)
    public void setUp() {
        rows = Tensor.randn(new Generator(11), DType.FLOAT32, size).reshape(size / 1024, 1024);
        dst = Tensor.zeros(DType.FLOAT32, size);
        src = CpuBackend.address(rows);
        copyDst = CpuBackend.address(dst);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        rows.close();
        dst.close();
    }

    /** The reference: copy {@code 4 * size} bytes. */
    @Benchmark
    public void memcpy() {
        Pointer.memcpy(copyDst, src, 4L * size);
    }

    @Benchmark
    public long logSoftmax() {
        try (Tensor t = rows.logSoftmax(1)) {
            return t.numel();
        }
    }

    @Benchmark
    public long softmax() {
        try (Tensor t = rows.softmax(1)) {
            return t.numel();
        }
    }
}
