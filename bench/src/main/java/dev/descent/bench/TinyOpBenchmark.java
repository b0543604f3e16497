package dev.descent.bench;

import static org.bytedeco.openblas.global.openblas_nolapack.cblas_saxpy;

import dev.descent.core.DType;
import dev.descent.core.Tensor;
import dev.descent.cpu.CpuBackend;
import java.util.concurrent.TimeUnit;
import org.bytedeco.javacpp.FloatPointer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/** The fixed cost of one op: an 8-element add (allocating its result), against one tiny JNI call. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class TinyOpBenchmark {
    private Tensor a;
    private Tensor b;
    private FloatPointer pa;
    private FloatPointer pb;

    @Setup(Level.Trial)
    public void setUp() {
        a = Tensor.ones(DType.FLOAT32, 8);
        b = Tensor.ones(DType.FLOAT32, 8);
        pa = new FloatPointer(CpuBackend.address(a));
        pb = new FloatPointer(CpuBackend.address(b));
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        a.close();
        b.close();
    }

    @Benchmark
    public long tinyAdd() {
        try (Tensor r = a.add(b)) {
            return r.numel();
        }
    }

    /** The reference: {@code cblas_saxpy} on 8 floats, one JNI call. */
    @Benchmark
    public void jniSaxpy() {
        cblas_saxpy(8, 0f, pa, 1, pb, 1);
    }
}
