package dev.descent.bench.optim;

import dev.descent.autograd.Variable;
import dev.descent.core.DType;
import dev.descent.core.Generator;
import dev.descent.core.Tensor;
import dev.descent.cpu.CpuBackend;
import dev.descent.optim.Adam;
import dev.descent.optim.Optimizer;
import dev.descent.optim.SGD;
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
 * One optimiser step over {@value #PARAMS} float32 parameters in {@value #TENSORS} tensors,
 * fused (one backend pass per tensor) and composed (the reference form from tensor ops), for
 * Adam and SGD with momentum, against the bandwidth floor measured in the same run: a plain
 * {@code memcpy} moving the same bytes as the update.
 *
 * <ul>
 * <li>Adam reads p, g, m, v and writes p, m, v: 28 bytes per parameter. {@code copyAdamBytes}
 *     copies 14 bytes per parameter (14 read + 14 written).
 * <li>SGD with momentum reads p, g, b and writes p, b: 20 bytes per parameter;
 *     {@code copySgdBytes} copies 10 bytes per parameter.
 * </ul>
 *
 * Parameters per second = {@value #PARAMS} / score; the fraction of the floor reached is
 * {@code copyAdamBytes / adamFused} (target ≥ 0.5 on the CPU), and the gain of fusing is
 * {@code adamComposed / adamFused}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class OptimizerStepBenchmark {
    static final int PARAMS = 10_000_000;
    static final int TENSORS = 10;

    /** Parameters with gradients set once (a step does not consume them) and an optimiser. */
    public abstract static class Run {
        final List<Variable> params = new ArrayList<>();
        Optimizer optimizer;

        abstract Optimizer make(List<Variable> ps);

        @Setup(Level.Trial)
        public void setUp() {
            Generator gen = new Generator(1);
            for (int i = 0; i < TENSORS; i++) {
                Variable p = Variable.parameter(Tensor.randn(gen, DType.FLOAT32, PARAMS / TENSORS));
                try (Tensor c = Tensor.randn(gen, DType.FLOAT32, PARAMS / TENSORS)) {
                    Variable cv = Variable.of(c.copy());
                    Variable loss = p.mul(cv).sum();
                    loss.backward();
                    loss.close();
                    cv.close();
                }
                params.add(p);
            }
            optimizer = make(params);
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
    public static class AdamFused extends Run {
        @Override
        Optimizer make(List<Variable> ps) {
            return new Adam(ps).set("fused", true);
        }
    }

    @State(Scope.Benchmark)
    public static class AdamComposed extends Run {
        @Override
        Optimizer make(List<Variable> ps) {
            return new Adam(ps).set("fused", false);
        }
    }

    @State(Scope.Benchmark)
    public static class SgdFused extends Run {
        @Override
        Optimizer make(List<Variable> ps) {
            return new SGD(ps, 1e-3, 0.9).set("fused", true);
        }
    }

    @State(Scope.Benchmark)
    public static class SgdComposed extends Run {
        @Override
        Optimizer make(List<Variable> ps) {
            return new SGD(ps, 1e-3, 0.9).set("fused", false);
        }
    }

    /** Two off-heap buffers for the bandwidth floor. */
    @State(Scope.Benchmark)
    public static class Copy {
        Tensor src;
        Tensor dst;
        Pointer from;
        Pointer to;

        @Setup(Level.Trial)
        public void setUp() {
            // 14 bytes per parameter: 3.5 floats.
            src = Tensor.zeros(DType.FLOAT32, PARAMS / 2 * 7);
            dst = Tensor.zeros(DType.FLOAT32, PARAMS / 2 * 7);
            from = CpuBackend.address(src);
            to = CpuBackend.address(dst);
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            src.close();
            dst.close();
        }
    }

    @Benchmark
    public void adamFused(AdamFused s) {
        s.optimizer.step();
    }

    @Benchmark
    public void adamComposed(AdamComposed s) {
        s.optimizer.step();
    }

    @Benchmark
    public void sgdMomentumFused(SgdFused s) {
        s.optimizer.step();
    }

    @Benchmark
    public void sgdMomentumComposed(SgdComposed s) {
        s.optimizer.step();
    }

    /** The floor for Adam: 14 bytes per parameter copied = 28 bytes moved. */
    @Benchmark
    public void copyAdamBytes(Copy c) {
        Pointer.memcpy(c.to, c.from, 14L * PARAMS);
    }

    /** The floor for SGD with momentum: 10 bytes per parameter copied = 20 bytes moved. */
    @Benchmark
    public void copySgdBytes(Copy c) {
        Pointer.memcpy(c.to, c.from, 10L * PARAMS);
    }
}
