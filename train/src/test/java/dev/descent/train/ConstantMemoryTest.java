package dev.descent.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.core.Generator;
import dev.descent.cpu.CpuBackend;
import dev.descent.core.Conv2dOptions;
import dev.descent.core.DType;
import dev.descent.core.Tensor;
import dev.descent.nn.AvgPool2d;
import dev.descent.nn.BatchNorm1d;
import dev.descent.nn.BatchNorm2d;
import dev.descent.nn.Conv2d;
import dev.descent.nn.Flatten;
import dev.descent.nn.MaxPool2d;
import dev.descent.nn.Dropout;
import dev.descent.nn.Linear;
import dev.descent.nn.Sequential;
import dev.descent.nn.activation.ReLU;
import dev.descent.nn.loss.CrossEntropyLoss;
import dev.descent.optim.Adam;
import dev.descent.train.data.Augmentation;
import dev.descent.train.data.DataLoader;
import dev.descent.train.data.Dataset;
import dev.descent.train.data.DataSplit;
import dev.descent.train.data.GeneratedData;
import dev.descent.train.metrics.EpochRecord;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The training loop holds the same native memory after every epoch: nothing leaks per step. */
class ConstantMemoryTest {
    @TempDir
    Path dir;

    @Test
    void liveTensorMemoryIsTheSameAfterEveryEpoch() throws IOException {
        List<Long> live = new ArrayList<>();
        try (DataSplit data = GeneratedData.twoSpirals(50, 20, 0.05, new Generator(1));
             Sequential model = new Sequential(new Linear(2, 16, new Generator(2)), new BatchNorm1d(16), new ReLU(),
                     new Dropout(0.1, new Generator(3)), new Linear(16, 2, new Generator(4)));
             Adam adam = new Adam(model.parameters(), 0.01)) {
            Trainer.builder(model, new CrossEntropyLoss(), adam, new DataLoader(data.train(), 7, 5))
                    .test(data.test()).clipNorm(1.0).checkpoint(dir.resolve("c.ckpt"))
                    .stopRules(StopRules.epochs(12)).callback(new TrainingCallback() {
                        @Override
                        public void onEpochEnd(Trainer trainer, EpochRecord epoch) {
                            live.add(CpuBackend.liveBytes());
                        }
                    }).build().fit();
        }
        assertEquals(12, live.size());
        for (int i = 2; i < live.size(); i++) {
            assertEquals(live.get(1), live.get(i), "live bytes after epoch " + (i + 1) + " vs epoch 2: " + live);
        }
        assertTrue(live.get(1) > 0);
    }

    /** The same for a convolutional network on augmented images, with evaluation and checkpoints each epoch. */
    @Test
    void aCnnHoldsTheSameMemoryAfterEveryEpoch() throws IOException {
        Generator gen = new Generator(5);
        List<Long> live = new ArrayList<>();
        try (Dataset train = Dataset.classification("train", Tensor.randn(gen, DType.FLOAT32, 30, 1, 8, 8),
                Tensor.of(DeviceReadsTest.roundRobin(30, 3), 30), 3);
             Dataset test = Dataset.classification("test", Tensor.randn(gen, DType.FLOAT32, 10, 1, 8, 8),
                     Tensor.of(DeviceReadsTest.roundRobin(10, 3), 10), 3);
             Sequential model = new Sequential(new Conv2d(1, 4, 3, Conv2dOptions.DEFAULT.padding(1), new Generator(2)),
                     new BatchNorm2d(4), new ReLU(), new MaxPool2d(2), new Conv2d(4, 4, 3, new Generator(3)),
                     new ReLU(), new AvgPool2d(2), new Flatten(), new Dropout(0.1, new Generator(4)),
                     new Linear(4, 3, new Generator(6)));
             Adam adam = new Adam(model.parameters(), 0.01)) {
            DataLoader loader = new DataLoader(train, 7, 5).augmented(new Augmentation(1, true, 0));
            Trainer.builder(model, new CrossEntropyLoss(), adam, loader).test(test).checkpoint(dir.resolve("cnn.ckpt"))
                    .stopRules(StopRules.epochs(8)).callback(new TrainingCallback() {
                        @Override
                        public void onEpochEnd(Trainer trainer, EpochRecord epoch) {
                            live.add(CpuBackend.liveBytes());
                        }
                    }).build().fit();
        }
        for (int i = 2; i < live.size(); i++) {
            assertEquals(live.get(1), live.get(i), "live bytes after epoch " + (i + 1) + " vs epoch 2: " + live);
        }
    }
}
