package dev.descent.bench.cuda;

import dev.descent.autograd.Variable;
import dev.descent.core.Backends;
import dev.descent.core.DType;
import dev.descent.core.Device;
import dev.descent.core.Generator;
import dev.descent.core.Tensor;
import dev.descent.cuda.CudaBackend;
import dev.descent.optim.Adam;
import dev.descent.optim.Optimizer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.bytedeco.javacpp.Pointer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * One Adam step over {@value #PARAMS} float32 parameters in {@value #TENSORS} CUDA tensors,
 * fused (Adam's rule as one generated kernel, one launch for the ten tensors) and composed (the
 * same rule from tensor ops), against
 * the bandwidth floor measured in the same run, as the CPU {@code OptimizerStepBenchmark}
 * does: Adam reads p, g, m, v and writes p, m, v, 28 bytes per parameter, and
 * {@code copyAdamBytes} is a device-to-device copy of 14 bytes per parameter (14 read + 14
 * written). The target: the fused step at least 0.7 of the floor
 * ({@code copyAdamBytes / adamFused}).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class CudaAdamStepBenchmark {
    static final int PARAMS = 10_000_000;
    static final int TENSORS = 10;

    /** Parameters on the GPU with gradients set once (a step does not consume them), and Adam over them. */
    public abstract static class Run {
        final List<Variable> params = new ArrayList<>();
        CudaBackend backend;
        Optimizer optimizer;

        abstract boolean fused();

        @Setup(Level.Trial)
        public void setUp() {
            backend = (CudaBackend) Backends.get("cuda");
            Device gpu = backend.devices().get(0);
            Generator gen = new Generator(1);
            int size = PARAMS / TENSORS;
            for (int i = 0; i < TENSORS; i++) {
                Variable p = Variable.parameter(Tensor.of(gpu, DType.FLOAT32, gen.normal(size, 0, 1), size));
                // The gradient of sum(p·c) is c: a random gradient on the device.
                Variable c = Variable.of(Tensor.of(gpu, DType.FLOAT32, gen.normal(size, 0, 1), size));
                Variable loss = p.mul(c).sum();
                loss.backward();
                loss.close();
                c.close();
                params.add(p);
            }
            optimizer = new Adam(params).set("fused", fused());
            backend.synchronize();
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            optimizer.close();
            for (Variable p : params) {
                p.close();
            }
        }
    }

    @State(Scope.Benchmark)
    public static class Fused extends Run {
        @Override
        boolean fused() {
            return true;
        }
    }

    @State(Scope.Benchmark)
    public static class Composed extends Run {
        @Override
        boolean fused() {
            return false;
        }
    }

    /** Two device buffers of 14 bytes per parameter for the floor. */
    @State(Scope.Benchmark)
    public static class Copy {
        Tensor src;
        Tensor dst;
        Pointer from;
        Pointer to;
        DirectCuda direct;

        @Setup(Level.Trial)
        public void setUp() {
            CudaBackend backend = (CudaBackend) Backends.get("cuda");
            Device gpu = backend.devices().get(0);
            // 14 bytes per parameter: 3.5 floats.
            src = Tensor.zeros(gpu, DType.FLOAT32, PARAMS / 2 * 7);
            dst = Tensor.zeros(gpu, DType.FLOAT32, PARAMS / 2 * 7);
            from = CudaBackend.address(src);
            to = CudaBackend.address(dst);
            direct = new DirectCuda(backend.tf32());
            // The fills ran on the backend's stream; the copy's stream must not touch the buffers before they land.
            backend.synchronize();
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            src.close();
            dst.close();
            direct.close();
        }
    }

    // GPU work is asynchronous: each invocation waits for its stream, so the time covers the kernels or the copy.

    @Benchmark
    public void adamFused(Fused s) {
        s.optimizer.step();
        s.backend.synchronize();
    }

    @Benchmark
    public void adamComposed(Composed s) {
        s.optimizer.step();
        s.backend.synchronize();
    }

    /** The floor: 14 bytes per parameter copied = 28 bytes moved. */
    @Benchmark
    public void copyAdamBytes(Copy c) {
        c.direct.copy(c.to, c.from, 14L * PARAMS);
        c.direct.synchronize();
    }
}
