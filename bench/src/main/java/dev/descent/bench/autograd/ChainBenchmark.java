package dev.descent.bench.autograd;

import dev.descent.autograd.NoGrad;
import dev.descent.autograd.Variable;
import dev.descent.core.DType;
import dev.descent.core.Tensor;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The fixed cost autograd adds per node: a chain of 100 tiny elementwise ops on 8 floats,
 * recorded and back-propagated ({@code forwardBackward}), against the same 100 ops on
 * variables with recording off ({@code forwardNoGrad}, the reference) and on plain tensors
 * ({@code forwardTensors}). Scores are per node ({@link OperationsPerInvocation}); the ratio
 * to report is {@code forwardBackward / forwardNoGrad}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class ChainBenchmark {
    static final int NODES = 100;
    private Variable x;

    @Setup(Level.Trial)
    public void setUp() {
        x = Variable.parameter(Tensor.full(DType.FLOAT32, 0.5, 8));
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        x.close();
    }

    /** Op k of the chain: a mix of the cheap elementwise ops networks are made of. */
    static Variable step(Variable v, int k) {
        return switch (k % 4) {
            case 0 -> v.mul(0.99);
            case 1 -> v.add(0.01);
            case 2 -> v.tanh();
            default -> v.sigmoid();
        };
    }

    static Tensor step(Tensor v, int k) {
        return switch (k % 4) {
            case 0 -> v.mul(0.99);
            case 1 -> v.add(0.01);
            case 2 -> v.tanh();
            default -> v.sigmoid();
        };
    }

    @Benchmark
    @OperationsPerInvocation(NODES)
    public double forwardBackward() {
        Variable v = x;
        for (int k = 0; k < NODES - 1; k++) {
            v = step(v, k);
        }
        try (Variable root = v.sum()) {
            root.backward();
            return root.item();
        }
    }

    @Benchmark
    @OperationsPerInvocation(NODES)
    public double forwardNoGrad() {
        try (NoGrad off = NoGrad.open(); dev.descent.core.Scope scope = dev.descent.core.Scope.open()) {
            Variable v = x;
            for (int k = 0; k < NODES - 1; k++) {
                v = step(v, k);
            }
            return v.sum().item();
        }
    }

    @Benchmark
    @OperationsPerInvocation(NODES)
    public double forwardTensors() {
        try (dev.descent.core.Scope scope = dev.descent.core.Scope.open()) {
            Tensor v = x.data();
            for (int k = 0; k < NODES - 1; k++) {
                v = step(v, k);
            }
            return v.sum().item();
        }
    }
}
