package dev.descent.bench.cuda;

import dev.descent.core.Backends;
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
 * {@code a.matmul(b)} on CUDA tensors through the tensor API against {@code cublasSgemm} called
 * directly on the same device buffers, float32, with the backend's math mode (no TF32 unless
 * {@code descent.cuda.tf32=true}). The target: at least 0.95 of cuBLAS from n = 2048.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class CudaMatmulBenchmark {
    @Param({"1024", "2048", "4096"})
    public int n;

    private CudaBackend backend;
    private DirectCuda direct;
    private Tensor a;
    private Tensor b;
    private Tensor c;
    private FloatPointer pa;
    private FloatPointer pb;
    private FloatPointer pc;

    @Setup(Level.Trial)
    public void setUp() {
        backend = (CudaBackend) Backends.get("cuda");
        Device gpu = backend.devices().get(0);
        Generator g = new Generator(42);
        a = Tensor.of(gpu, DType.FLOAT32, g.normal(n * n, 0, 1), n, n);
        b = Tensor.of(gpu, DType.FLOAT32, g.normal(n * n, 0, 1), n, n);
        c = Tensor.zeros(gpu, DType.FLOAT32, n, n);
        pa = new FloatPointer(CudaBackend.address(a));
        pb = new FloatPointer(CudaBackend.address(b));
        pc = new FloatPointer(CudaBackend.address(c));
        direct = new DirectCuda(backend.tf32());
        // The uploads ran on the backend's stream; the reference's stream must not read before they land.
        backend.synchronize();
        checkSameProduct();
    }

    /**
     * The reference must compute what the tensor API does (same buffers, same operand order),
     * or its ratio means nothing. Entries of a·b are about √n in size; a swapped or misplaced
     * operand is off by that much, while rounding differs by far less than 1% of it.
     */
    private void checkSameProduct() {
        direct.sgemm(n, pa, pb, pc);
        direct.synchronize();
        try (Tensor r = a.matmul(b); Tensor d = r.sub(c); Tensor ad = d.abs(); Tensor worst = ad.max()) {
            double diff = worst.item();
            if (!(diff <= 1e-2 * Math.sqrt(n))) {
                throw new IllegalStateException("cublasSgemm and a.matmul(b) differ by up to " + diff + " at n = " + n);
            }
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        a.close();
        b.close();
        c.close();
        direct.close();
    }

    // GPU work is asynchronous: each invocation waits for its stream, so the time covers the product.

    @Benchmark
    public long tensorMatmul() {
        try (Tensor r = a.matmul(b)) {
            backend.synchronize();
            return r.numel();
        }
    }

    @Benchmark
    public void cublasSgemm() {
        direct.sgemm(n, pa, pb, pc);
        direct.synchronize();
    }
}
