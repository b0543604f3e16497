package dev.descent.bench;

import static org.bytedeco.openblas.global.openblas_nolapack.CblasNoTrans;
import static org.bytedeco.openblas.global.openblas_nolapack.CblasRowMajor;
import static org.bytedeco.openblas.global.openblas_nolapack.cblas_sgemm;

import dev.descent.core.DType;
import dev.descent.core.Generator;
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

/** {@code a.matmul(b)} through the tensor API against {@code cblas_sgemm} on the same off-heap buffers. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class MatmulBenchmark {
    @Param({"64", "256", "1024", "2048"})
    public int n;

    private Tensor a;
    private Tensor b;
    private Tensor c;
    private FloatPointer pa;
    private FloatPointer pb;
    private FloatPointer pc;

    @Setup(Level.Trial)
    public void setUp(BenchmarkParams params) {
        // The reference is OpenBLAS with its own threads, as many as Descent uses. Descent keeps
        // OpenBLAS on one thread and splits a product into row blocks over its own (the same bits
        // on any thread count), so the tensor side runs with OpenBLAS as the backend set it.
        boolean reference = params.getBenchmark().endsWith("cblasSgemm");
        openblas_nolapack.blas_set_num_threads(reference ? CpuBackend.threads() : 1);
        Generator g = new Generator(42);
        a = Tensor.randn(g, DType.FLOAT32, n, n);
        b = Tensor.randn(g, DType.FLOAT32, n, n);
        c = Tensor.zeros(DType.FLOAT32, n, n);
        pa = new FloatPointer(CpuBackend.address(a));
        pb = new FloatPointer(CpuBackend.address(b));
        pc = new FloatPointer(CpuBackend.address(c));
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        openblas_nolapack.blas_set_num_threads(1);
        a.close();
        b.close();
        c.close();
    }

    @Benchmark
    public double tensorMatmul() {
        try (Tensor r = a.matmul(b)) {
            return r.numel();
        }
    }

    @Benchmark
    public void cblasSgemm() {
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1f, pa, n, pb, n, 0f, pc, n);
    }
}
