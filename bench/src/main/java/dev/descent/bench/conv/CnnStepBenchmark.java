package dev.descent.bench.conv;

import dev.descent.autograd.NoGrad;
import dev.descent.autograd.Variable;
import dev.descent.core.Conv2dOptions;
import dev.descent.core.DType;
import dev.descent.core.Generator;
import dev.descent.core.Tensor;
import dev.descent.nn.BatchNorm2d;
import dev.descent.nn.Conv2d;
import dev.descent.nn.Dropout;
import dev.descent.nn.Flatten;
import dev.descent.nn.Linear;
import dev.descent.nn.MaxPool2d;
import dev.descent.nn.Sequential;
import dev.descent.nn.activation.ReLU;
import dev.descent.nn.loss.CrossEntropyLoss;
import dev.descent.optim.Adam;
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
 * One training step of the README's Fashion-MNIST CNN
 * ({@code cnn:c32k3,bn,relu,pool2,c64k3,bn,relu,pool2,fc128,relu,drop0.3}, float32, batch 128,
 * Adam): forward, cross-entropy, backward, update ({@code trainingStep}), against the forward
 * pass alone with recording off ({@code forwardNoGrad}, the reference). Throughput against
 * PyTorch is measured side by side with {@code bench/peer/torch_cnn.py}, not here.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class CnnStepBenchmark {
    static final int BATCH = 128;
    private Sequential model;
    private Adam adam;
    private Tensor images;
    private Tensor labels;
    private final CrossEntropyLoss loss = new CrossEntropyLoss();

    /** The recipe's network. */
    static Sequential recipe(Generator gen) {
        Conv2dOptions pad1 = Conv2dOptions.DEFAULT.padding(1);
        return new Sequential(new Conv2d(1, 32, 3, 3, pad1, false, DType.FLOAT32, gen), new BatchNorm2d(32), new ReLU(),
                new MaxPool2d(2), new Conv2d(32, 64, 3, 3, pad1, false, DType.FLOAT32, gen), new BatchNorm2d(64),
                new ReLU(), new MaxPool2d(2), new Flatten(), new Linear(3136, 128, gen), new ReLU(),
                new Dropout(0.3, gen), new Linear(128, 10, gen));
    }

    @Setup(Level.Trial)
    public void setUp() {
        Generator gen = new Generator(3);
        model = recipe(gen);
        adam = new Adam(model.parameters(), 1e-3);
        images = Tensor.randn(gen, DType.FLOAT32, BATCH, 1, 28, 28);
        int[] y = new int[BATCH];
        for (int i = 0; i < BATCH; i++) {
            y[i] = gen.nextInt(10);
        }
        labels = Tensor.of(y, BATCH);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        adam.close();
        model.close();
        images.close();
        labels.close();
    }

    @Benchmark
    public double trainingStep() {
        try (dev.descent.core.Scope scope = dev.descent.core.Scope.open()) {
            Variable l = loss.apply(model.forward(Variable.of(images)), labels);
            l.backward();
            adam.step();
            adam.zeroGrad();
            return l.item();
        }
    }

    @Benchmark
    public double forwardNoGrad() {
        try (NoGrad off = NoGrad.open(); dev.descent.core.Scope scope = dev.descent.core.Scope.open()) {
            return loss.apply(model.forward(Variable.of(images)), labels).item();
        }
    }
}
