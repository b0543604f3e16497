package dev.descent.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.autograd.Variable;
import dev.descent.core.Backends;
import dev.descent.core.DType;
import dev.descent.core.Generator;
import dev.descent.core.Scope;
import dev.descent.core.Tensor;
import dev.descent.core.Conv2dOptions;
import dev.descent.nn.AdaptiveAvgPool2d;
import dev.descent.nn.BatchNorm2d;
import dev.descent.nn.Conv2d;
import dev.descent.nn.Flatten;
import dev.descent.nn.Linear;
import dev.descent.nn.MaxPool2d;
import dev.descent.nn.Sequential;
import dev.descent.nn.activation.ReLU;
import dev.descent.nn.loss.CrossEntropyLoss;
import dev.descent.nn.loss.Loss;
import dev.descent.nn.loss.NllLoss;
import dev.descent.nn.loss.Reduction;
import dev.descent.nn.loss.TokenCrossEntropyLoss;
import dev.descent.nn.transformer.Gpt;
import dev.descent.nn.transformer.GptConfig;
import dev.descent.optim.Adam;
import dev.descent.train.data.Augmentation;
import dev.descent.optim.AdamW;
import dev.descent.optim.WeightDecayGroups;
import dev.descent.train.data.Batch;
import dev.descent.train.data.DataLoader;
import dev.descent.train.data.Dataset;
import dev.descent.train.data.DataSplit;
import dev.descent.train.data.GeneratedData;
import dev.descent.train.data.text.TextCorpus;
import dev.descent.train.device.CountingBackend;
import dev.descent.train.metrics.EpochRecord;
import dev.descent.train.metrics.StepRecord;
import dev.descent.train.text.TextResources;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The training step reads the device once (DESIGN.md, "The training step and the device"),
 * counted on a backend that counts every copy between the host and the device. Before this
 * was asserted a step of this MLP read the device 9 times (the labels for their range check,
 * the loss, the accuracy count, one norm per parameter) and uploaded 2 arrays.
 */
class DeviceReadsTest {
    private final CountingBackend counting = CountingBackend.instance();

    @BeforeEach
    void onTheCountingBackend() {
        Backends.setDefault("counting");
    }

    @AfterEach
    void backToTheCpu() {
        Backends.setDefault("cpu");
    }

    /** Counts per step (from one step's end to the next's, within epochs) and from an epoch's last step to its end. */
    private record Counted(List<Long> stepReads, List<Long> stepUploads, List<Long> epochEndReads) {
    }

    private Counted train(double clipNorm, int epochs) throws IOException {
        List<Long> reads = new ArrayList<>();
        List<Long> uploads = new ArrayList<>();
        List<Long> epochEnd = new ArrayList<>();
        try (DataSplit data = GeneratedData.twoSpirals(48, 16, 0.05, new Generator(1));
             Sequential model = new Sequential(new Linear(2, 16, new Generator(2)), new ReLU(),
                     new Linear(16, 16, new Generator(3)), new ReLU(), new Linear(16, 2, new Generator(4)));
             Adam adam = new Adam(model.parameters(), 0.01)) {
            assertEquals("counting", data.train().device().backend());
            Trainer.builder(model, new CrossEntropyLoss(), adam, new DataLoader(data.train(), 16, 5))
                    .clipNorm(clipNorm).stopRules(StopRules.epochs(epochs))
                    .callback(new TrainingCallback() {
                        long lastReads = -1;
                        long lastUploads;

                        @Override
                        public void onEpochStart(Trainer trainer, int epoch, int batches) {
                            lastReads = -1;
                        }

                        @Override
                        public void onStep(Trainer trainer, StepRecord step) {
                            if (lastReads >= 0) {
                                reads.add(counting.reads() - lastReads);
                                uploads.add(counting.uploads() - lastUploads);
                            }
                            lastReads = counting.reads();
                            lastUploads = counting.uploads();
                        }

                        @Override
                        public void onEpochEnd(Trainer trainer, EpochRecord epoch) {
                            epochEnd.add(counting.reads() - lastReads);
                        }
                    }).build().fit();
        }
        return new Counted(reads, uploads, epochEnd);
    }

    @Test
    void aTrainingStepReadsTheDeviceOnceAndUploadsOnlyTheBatchIndices() throws IOException {
        for (double clip : new double[] {0, 1.0}) {
            Counted c = train(clip, 2);
            assertEquals(2 * (6 - 1), c.stepReads().size(), "96 examples in batches of 16: " + c);
            for (int i = 0; i < c.stepReads().size(); i++) {
                assertEquals(1, c.stepReads().get(i), "device reads in step " + i + " (clip " + clip + "): " + c);
                // the data set lives on the device: a batch is gathered there from its indices, the one upload
                assertEquals(1, c.stepUploads().get(i), "uploads in step " + i + " (clip " + clip + "): " + c);
            }
        }
    }

    /**
     * A convolutional network (conv, batch norm, ReLU, max pooling, linear) on augmented images:
     * still one read a step, and three uploads (the batch's indices, the augmentation's index map
     * and mask). The batch norms' running statistics and counters stay on the device.
     */
    @Test
    void aCnnStepOnAugmentedImagesReadsTheDeviceOnce() throws IOException {
        Generator gen = new Generator(8);
        List<Long> reads = new ArrayList<>();
        List<Long> uploads = new ArrayList<>();
        try (Dataset images = Dataset.classification("images", Tensor.randn(gen, DType.FLOAT32, 40, 1, 8, 8),
                Tensor.of(roundRobin(40, 3), 40), 3);
             Sequential model = new Sequential(
                     new Conv2d(1, 4, 3, Conv2dOptions.DEFAULT.padding(1), new Generator(2)), new BatchNorm2d(4),
                     new ReLU(), new MaxPool2d(2), new Conv2d(4, 6, 3, new Generator(3)), new BatchNorm2d(6), new ReLU(),
                     new AdaptiveAvgPool2d(1), new Flatten(), new Linear(6, 3, new Generator(4)));
             Adam adam = new Adam(model.parameters(), 0.01)) {
            assertEquals("counting", images.device().backend());
            DataLoader loader = new DataLoader(images, 8, 5).augmented(new Augmentation(2, true, -1));
            Trainer.builder(model, new CrossEntropyLoss(), adam, loader).stopRules(StopRules.epochs(1))
                    .callback(new TrainingCallback() {
                        long lastReads = -1;
                        long lastUploads;

                        @Override
                        public void onStep(Trainer trainer, StepRecord step) {
                            if (lastReads >= 0) {
                                reads.add(counting.reads() - lastReads);
                                uploads.add(counting.uploads() - lastUploads);
                            }
                            lastReads = counting.reads();
                            lastUploads = counting.uploads();
                        }
                    }).build().fit();
        }
        assertEquals(List.of(1L, 1L, 1L, 1L), reads, "reads per step after the first");
        assertEquals(List.of(3L, 3L, 3L, 3L), uploads, "uploads per step after the first");
    }

    /** Labels 0, 1, ..., classes − 1, 0, 1, ... */
    static int[] roundRobin(int n, int classes) {
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = i % classes;
        }
        return labels;
    }

    /**
     * A GPT's step on a text's random windows reads the device once as well (its loss and norm
     * together) and uploads one array, the batch's window starts: the text lives on the device,
     * positions are a view of their table, the gradient of the embeddings is a scatter-add there.
     * (Without dropout: its masks come from the host's generator, one upload each.)
     */
    @Test
    void aGptStepOnTextReadsTheDeviceOnceAndUploadsOnlyTheWindowStarts() {
        TextCorpus corpus = TextResources.corpus();
        try (DataSplit split = corpus.windows(16, Backends.defaultDevice());
             Gpt model = new Gpt(new GptConfig(corpus.tokenizer().vocabSize(), 16, 2, 2, 16, 0), new Generator(5))) {
            assertEquals("counting", split.train().device().backend());
            WeightDecayGroups groups = WeightDecayGroups.matricesOnly(model.parameters());
            try (AdamW opt = groups.adamW(1e-3, 0.1)) {
                TrainingStep step = TrainingStep.of(model, new TokenCrossEntropyLoss(), opt).clipNorm(1.0);
                DataLoader loader = DataLoader.withReplacement(split.train(), 4, 4, 9);
                long reads = -1;
                long uploads = -1;
                int n = 0;
                for (Batch b : loader.epoch(0)) {
                    try (b) {
                        TrainingStep.Result r = step.run(b.features(), b.targets());
                        assertTrue(r.updated() && Double.isFinite(r.loss()), r.toString());
                    }
                    if (n++ > 0) {   // from the end of one step to the end of the next: the batch and the step
                        assertEquals(1, counting.reads() - reads, "device reads in step " + n);
                        assertEquals(1, counting.uploads() - uploads, "uploads in step " + n);
                    }
                    reads = counting.reads();
                    uploads = counting.uploads();
                }
            }
        }
    }

    @Test
    void theAccuracyStaysOnTheDeviceUntilTheEpochEnds() throws IOException {
        Counted c = train(0, 3);
        assertEquals(List.of(1L, 1L, 1L), c.epochEndReads(), "one read per epoch, for its count of right answers");
    }

    @Test
    void theLossesCheckClassLabelsOnTheDevice() {
        Generator gen = new Generator(11);
        try (Scope scope = Scope.open()) {
            Tensor weight = Tensor.of(new double[] {0.5, 2, 1, 1});
            Tensor valid = Tensor.of(new long[] {0, 1, 3, 1, 2, 3}, 6);
            Tensor someIgnored = Tensor.of(new long[] {0, -100, 3, 1, 2, -100}, 6);
            Map<Loss, Tensor> cases = new LinkedHashMap<>();
            cases.put(new CrossEntropyLoss(), valid);
            cases.put(new CrossEntropyLoss(Reduction.MEAN, 0.1).withWeight(weight).withIgnoreIndex(-100), someIgnored);
            cases.put(new CrossEntropyLoss().withIgnoreIndex(3), valid);
            cases.put(new NllLoss(), valid);
            for (Map.Entry<Loss, Tensor> k : cases.entrySet()) {
                Loss loss = k.getKey();
                Tensor y = k.getValue();
                Variable x = Variable.parameter(Tensor.randn(gen, DType.FLOAT64, 6, 4));
                loss.apply(x, y).backward();   // warms the gather's backward (its positions are uploaded once)
                x.zeroGrad();
                long reads = counting.reads();
                long uploads = counting.uploads();
                Variable value = loss.apply(x, y);
                value.backward();
                assertEquals(reads, counting.reads(), loss + ": no read before the step's");
                assertEquals(uploads, counting.uploads(), loss + ": no upload");
                assertTrue(Double.isFinite(value.item()));
            }
        }
    }

    @Test
    void anEvaluationReadsTheDeviceOnce() {
        try (DataSplit data = GeneratedData.twoSpirals(40, 40, 0.05, new Generator(1));
             Linear model = new Linear(2, 2, new Generator(2))) {
            long reads = counting.reads();
            Evaluation e = Evaluation.of(model, new CrossEntropyLoss(), data.test(), 7);
            assertEquals(reads + 1, counting.reads(), "12 chunks, one read");
            assertTrue(e.accuracy() >= 0 && e.accuracy() <= 1 && Double.isFinite(e.loss()), e.toString());
        }
    }

    @Test
    void aLeafAdoptsItsFirstGradientRatherThanCopyingIt() {
        try (Scope scope = Scope.open()) {
            Variable x = Variable.parameter(Tensor.of(new double[] {1, 2, 3}));
            Variable c = Variable.of(Tensor.of(new double[] {4, 5, 6}));
            long copies = counting.deviceCopies();
            x.mul(c).sum().backward();
            assertEquals(copies, counting.deviceCopies(), "the gradient c·1 is x's, not a copy of it");
            assertArrayEquals(new double[] {4, 5, 6}, x.grad().data().toDoubleArray());

            // one gradient routed to two leaves, and one that is a view of another value: never shared
            Variable a = Variable.parameter(Tensor.of(new double[] {1, 2}));
            Variable b = Variable.parameter(Tensor.of(new double[] {3, 4}));
            a.add(b).mul(3).sum().backward();
            a.grad().data().mulInPlace(10);
            assertArrayEquals(new double[] {3, 3}, b.grad().data().toDoubleArray(), "b's gradient is its own");
            Variable m = Variable.parameter(Tensor.of(new double[] {1, 2, 3, 4}, 2, 2));
            Variable flat = m.reshape(4);
            flat.mul(2).sum().backward();
            m.grad().data().addInPlace(1);
            assertArrayEquals(new double[] {3, 3, 3, 3}, m.grad().data().toDoubleArray());
            Variable twice = Variable.parameter(Tensor.of(new double[] {5}));
            twice.add(twice).sum().backward();
            assertArrayEquals(new double[] {2}, twice.grad().data().toDoubleArray(), "d(x + x)/dx");
        }
    }
}
