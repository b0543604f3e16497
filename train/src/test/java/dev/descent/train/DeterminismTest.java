package dev.descent.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.descent.autograd.Variable;
import dev.descent.core.DType;
import dev.descent.core.Generator;
import dev.descent.core.Tensor;
import dev.descent.cpu.CpuBackend;
import dev.descent.nn.Linear;
import dev.descent.nn.Sequential;
import dev.descent.nn.activation.ReLU;
import dev.descent.nn.loss.CrossEntropyLoss;
import dev.descent.optim.Adam;
import dev.descent.train.data.DataLoader;
import dev.descent.train.data.Dataset;
import dev.descent.train.metrics.StepRecord;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The same seed gives the same run, bit for bit, on any number of CPU threads: a run resumed
 * on a machine with another core count continues the run it left (train/README.md).
 */
class DeterminismTest {
    private final int configured = CpuBackend.threads();

    @AfterEach
    void restoreThreads() {
        CpuBackend.setThreads(configured);
    }

    /** What a run leaves: every step's loss and gradient norm, and the final weights, as raw bits. */
    private static List<Long> run(int threads) throws IOException {
        CpuBackend.setThreads(threads);
        Generator gen = new Generator(4);
        List<Long> bits = new ArrayList<>();
        // Fashion-MNIST's 784 inputs into 64 units: 50,176 weights, so the gradient norm folds more than
        // one block of values (which threads could split), and the first layer's products sum over
        // k = 784 (which OpenBLAS's own threading blocked differently)
        int[] labels = gen.permutation(256);
        for (int i = 0; i < labels.length; i++) {
            labels[i] %= 10;
        }
        try (Dataset data = Dataset.classification("random", Tensor.randn(gen, DType.FLOAT32, 256, 784),
                     Tensor.of(labels, 256), 10);
             Sequential model = new Sequential(new Linear(784, 64, new Generator(5)), new ReLU(),
                     new Linear(64, 10, new Generator(6)));
             Adam adam = new Adam(model.parameters(), 1e-3)) {
            Trainer.builder(model, new CrossEntropyLoss(), adam, new DataLoader(data, 128, 7))
                    .clipNorm(1.0).stopRules(StopRules.epochs(2)).test(data).build().fit()
                    .history().steps().forEach((StepRecord s) -> {
                        bits.add(Double.doubleToRawLongBits(s.loss()));
                        bits.add(Double.doubleToRawLongBits(s.gradNorm()));
                    });
            for (Variable p : model.parameters()) {
                for (double v : p.data().toDoubleArray()) {
                    bits.add(Double.doubleToRawLongBits(v));
                }
            }
        }
        return bits;
    }

    @Test
    void aRunHasTheSameBitsOnOneTwoAndThreeThreads() throws IOException {
        List<Long> one = run(1);
        for (int threads : new int[] {2, 3}) {
            List<Long> other = run(threads);
            assertEquals(one.size(), other.size());
            for (int i = 0; i < one.size(); i++) {
                assertEquals(one.get(i), other.get(i), "value " + i + " (4 steps' loss and norm, then the weights)"
                        + " on " + threads + " threads vs 1");
            }
        }
    }
}
