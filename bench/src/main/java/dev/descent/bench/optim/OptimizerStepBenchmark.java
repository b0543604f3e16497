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
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * One optimiser step over float32 parameters, fused (the optimiser's update rule run by the
 * backend in one pass and one call for the whole list) and composed (the same rule evaluated
 * with tensor ops), for Adam and SGD with momentum, against the bandwidth floor measured in the
 * same run: a plain {@code memcpy} moving the same bytes as the update. Parameter lists
 * ({@code params}): one tensor of 2^22 or of 2^24 parameters (beyond the caches), and the
 * Fashion-MNIST MLP's six tensors (784·256 + 256 + 256·128 + 128 + 128·10 + 10 = 235,146
 * parameters, which fit in a large last-level cache); {@code -p params=10x1000000} gives ten
 * tensors of a million, the list this benchmark used before.
 *
 * <ul>
 * <li>Adam reads p, g, m, v and writes p, m, v: 28 bytes per parameter. {@code copyAdamBytes}
 *     copies 14 bytes per parameter (14 read + 14 written).
 * <li>SGD with momentum reads p, g, b and writes p, b: 20 bytes per parameter;
 *     {@code copySgdBytes} copies 10 bytes per parameter.
 * </ul>
 *
 * The fraction of the floor reached is {@code copyAdamBytes / adamFused} (target ≥ 0.8 on the
 * CPU), and the gain of fusing is {@code adamComposed / adamFused}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class OptimizerStepBenchmark {
    /** The MLP's parameter tensors: weights and biases of 784-256-128-10. */
    static final int[] MLP = {784 * 256, 256, 256 * 128, 128, 128 * 10, 10};

    /** The tensor sizes of a parameter list named as {@code params} names it: {@code mlp}, {@code N} or {@code KxN}. */
    static int[] sizes(String params) {
        if (params.equals("mlp")) {
            return MLP.clone();
        }
        String[] kn = params.split("x");
        int[] sizes = new int[kn.length == 2 ? Integer.parseInt(kn[0]) : 1];
        java.util.Arrays.fill(sizes, Integer.parseInt(kn[kn.length - 1]));
        return sizes;
    }

    static long total(String params) {
        long n = 0;
        for (int s : sizes(params)) {
            n += s;
        }
        return n;
    }

    /** Parameters with gradients set once (a step does not consume them) and an optimiser. */
    @State(Scope.Benchmark)
    public abstract static class Run {
        @Param({"4194304", "16777216", "mlp"})
        public String params;

        final List<Variable> list = new ArrayList<>();
        Optimizer optimizer;

        abstract Optimizer make(List<Variable> ps);

        @Setup(Level.Trial)
        public void setUp() {
            Generator gen = new Generator(1);
            for (int size : sizes(params)) {
                Variable p = Variable.parameter(Tensor.randn(gen, DType.FLOAT32, size));
                try (Tensor c = Tensor.randn(gen, DType.FLOAT32, size)) {
                    Variable cv = Variable.of(c.copy());
                    Variable loss = p.mul(cv).sum();
                    loss.backward();
                    loss.close();
                    cv.close();
                }
                list.add(p);
            }
            optimizer = make(list);
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            optimizer.close();
            for (Variable p : list) {
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

    /** Two off-heap buffers of 14 bytes per parameter for the bandwidth floor. */
    @State(Scope.Benchmark)
    public static class Copy {
        @Param({"4194304", "16777216", "mlp"})
        public String params;

        long parameters;
        Tensor src;
        Tensor dst;
        Pointer from;
        Pointer to;

        @Setup(Level.Trial)
        public void setUp() {
            parameters = total(params);
            // 14 bytes per parameter: 3.5 floats.
            int floats = (int) ((parameters * 7 + 1) / 2);
            src = Tensor.zeros(DType.FLOAT32, floats);
            dst = Tensor.zeros(DType.FLOAT32, floats);
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
        Pointer.memcpy(c.to, c.from, 14L * c.parameters);
    }

    /** The floor for SGD with momentum: 10 bytes per parameter copied = 20 bytes moved. */
    @Benchmark
    public void copySgdBytes(Copy c) {
        Pointer.memcpy(c.to, c.from, 10L * c.parameters);
    }
}
