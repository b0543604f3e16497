package dev.descent.bench.autograd;

import dev.descent.autograd.NoGrad;
import dev.descent.autograd.Variable;
import dev.descent.core.DType;
import dev.descent.core.Generator;
import dev.descent.core.Tensor;
import java.util.concurrent.TimeUnit;
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
 * A 784-256-128-10 MLP (ReLU, log-softmax, negative log-likelihood) on a float32 batch of 128:
 * forward and backward ({@code forwardBackward}) against the forward pass alone with recording
 * off ({@code forwardNoGrad}, the reference). Backward costs two matrix products per layer to
 * the forward's one, so the ideal ratio is about 3.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class MlpBenchmark {
    static final int BATCH = 128;
    private static final int[] WIDTHS = {784, 256, 128, 10};
    private Variable[] weights;
    private Variable[] biases;
    private Variable input;
    private Tensor labels;

    @Setup(Level.Trial)
    public void setUp() {
        Generator gen = new Generator(11);
        weights = new Variable[WIDTHS.length - 1];
        biases = new Variable[WIDTHS.length - 1];
        for (int l = 0; l < weights.length; l++) {
            double std = Math.sqrt(2.0 / WIDTHS[l]);
            weights[l] = Variable.parameter(Tensor.normal(gen, 0, std, DType.FLOAT32, WIDTHS[l], WIDTHS[l + 1]));
            biases[l] = Variable.parameter(Tensor.zeros(DType.FLOAT32, WIDTHS[l + 1]));
        }
        input = Variable.of(Tensor.rand(gen, DType.FLOAT32, BATCH, WIDTHS[0]));
        long[] y = new long[BATCH];
        for (int i = 0; i < BATCH; i++) {
            y[i] = gen.nextInt(WIDTHS[WIDTHS.length - 1]);
        }
        labels = Tensor.of(y, BATCH, 1);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        for (int l = 0; l < weights.length; l++) {
            weights[l].close();
            biases[l].close();
        }
        input.close();
        labels.close();
    }

    Variable loss() {
        Variable h = input;
        for (int l = 0; l < weights.length; l++) {
            h = h.matmul(weights[l]).add(biases[l]);
            if (l < weights.length - 1) {
                h = h.relu();
            }
        }
        return h.logSoftmax(1).gather(1, labels).mean().neg();
    }

    @Benchmark
    public double forwardBackward() {
        try (Variable loss = loss()) {
            loss.backward();
            return loss.item();
        }
    }

    @Benchmark
    public double forwardNoGrad() {
        try (NoGrad off = NoGrad.open(); dev.descent.core.Scope scope = dev.descent.core.Scope.open()) {
            return loss().item();
        }
    }
}
