package dev.descent.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.autograd.Variable;
import dev.descent.core.DType;
import dev.descent.core.Generator;
import dev.descent.nn.Linear;
import dev.descent.nn.Sequential;
import dev.descent.nn.loss.CrossEntropyLoss;
import dev.descent.nn.loss.MseLoss;
import dev.descent.optim.Adam;
import dev.descent.optim.SGD;
import dev.descent.optim.schedule.LrScheduler;
import dev.descent.optim.schedule.ReduceLrOnPlateau;
import dev.descent.optim.schedule.Schedule;
import dev.descent.train.data.DataLoader;
import dev.descent.train.data.DataSplit;
import dev.descent.train.data.Dataset;
import dev.descent.train.data.GeneratedData;
import dev.descent.train.metrics.EpochRecord;
import dev.descent.train.metrics.MetricsCallback;
import dev.descent.train.metrics.MetricsFiles;
import dev.descent.train.progress.ProgressCallback;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainerTest {
    @TempDir
    Path dir;

    /** w1 x1 + w2 x2 without bias, float64, starting from w = (0, 0). */
    private static Linear zeroLinearModel() {
        Linear m = new Linear(2, 1, false, DType.FLOAT64, new Generator(0));
        m.weight().data().zero();
        return m;
    }

    @Test
    void fullBatchGradientDescentOnTheThreePointProblemReachesItsMinimum() throws IOException {
        try (Dataset data = GeneratedData.threePointProblem(DType.FLOAT64);
             Linear model = zeroLinearModel();
             SGD sgd = new SGD(model.parameters(), 0.5, 0)) {
            Trainer t = Trainer.builder(model, new MseLoss(), sgd, new DataLoader(data, 3, false, false, 0))
                    .stopRules(StopRules.epochs(2000).withGradNormTolerance(1e-10)).build();
            TrainingResult r = t.fit();
            assertEquals(StopReason.GRAD_NORM_TOLERANCE, r.reason(), r.message());
            assertTrue(r.epochs() < 2000);
            assertEquals(r.epochs(), r.steps(), "one step per epoch in full-batch descent");
            double[] w = model.weight().data().toDoubleArray();
            assertEquals(2.0, w[0], 1e-8, "seed 000: the minimum is (2, 4/3)");
            assertEquals(4.0 / 3, w[1], 1e-8);
        }
    }

    @Test
    void stochasticDescentTakesOneStepPerExample() throws IOException {
        try (Dataset data = GeneratedData.threePointProblem(DType.FLOAT64);
             Linear model = zeroLinearModel();
             SGD sgd = new SGD(model.parameters(), 0.01, 0)) {
            TrainingResult r = Trainer.builder(model, new MseLoss(), sgd, new DataLoader(data, 1, 3))
                    .stopRules(StopRules.epochs(4)).build().fit();
            assertEquals(StopReason.MAX_EPOCHS, r.reason());
            assertEquals(12, r.steps());
            assertEquals(12, r.history().steps().size());
            assertEquals(4, r.history().epochs().size());
            assertEquals(12, r.history().epochs().get(3).steps());
        }
    }

    @Test
    void aLossBelowTheToleranceStopsTheRun() throws IOException {
        try (Dataset data = GeneratedData.threePointProblem(DType.FLOAT64);
             Linear model = zeroLinearModel();
             SGD sgd = new SGD(model.parameters(), 0.5, 0)) {
            // at the minimum (2, 4/3) the residuals are (4/3, -4/3, 4/3): the least mean squared error is
            // 16/9 = 1.78, so a tolerance of 2 is reached after some epochs
            TrainingResult r = Trainer.builder(model, new MseLoss(), sgd, new DataLoader(data, 3, false, false, 0))
                    .stopRules(StopRules.epochs(1000).withLossTolerance(2.0)).build().fit();
            assertEquals(StopReason.LOSS_TOLERANCE, r.reason(), r.message());
            assertTrue(r.lastEpoch().trainLoss() < 2.0);
            EpochRecord before = r.history().epochs().get(r.epochs() - 2);
            assertTrue(before.trainLoss() >= 2.0, "stopped at the first epoch below the tolerance");
        }
    }

    @Test
    void noImprovementForPatienceEpochsStopsTheRun() throws IOException {
        try (Dataset data = GeneratedData.threePointProblem(DType.FLOAT64);
             Linear model = zeroLinearModel();
             SGD frozen = new SGD(model.parameters(), 0.0, 0)) {
            TrainingResult r = Trainer.builder(model, new MseLoss(), frozen, new DataLoader(data, 3, false, false, 0))
                    .stopRules(StopRules.epochs(100).withPatience(3, 0)).build().fit();
            assertEquals(StopReason.NO_IMPROVEMENT, r.reason(), r.message());
            assertEquals(4, r.epochs(), "the first epoch sets the best loss, three more fail to improve it");
        }
    }

    @Test
    void aStepBudgetStopsTheRunInsideAnEpochWithoutARecordOfIt() throws IOException {
        try (Dataset data = GeneratedData.threePointProblem(DType.FLOAT64);
             Linear model = zeroLinearModel();
             SGD sgd = new SGD(model.parameters(), 0.01, 0)) {
            Trainer t = Trainer.builder(model, new MseLoss(), sgd, new DataLoader(data, 1, 3))
                    .stopRules(StopRules.epochs(10).withMaxSteps(7)).build();
            TrainingResult r = t.fit();
            assertEquals(StopReason.MAX_STEPS, r.reason(), r.message());
            assertEquals(7, r.steps());
            assertEquals(7, r.history().steps().size());
            assertEquals(2, r.epochs(), "three steps per epoch: step 7 is the first of epoch 3");
            assertEquals(2, r.history().epochs().size(), "no record of the partial epoch");
            assertEquals(3, r.history().steps().get(6).epoch());
            assertTrue(r.message().contains("step 7") && r.message().contains("epoch 3")
                    && r.message().contains("1 of its 3 batches"), r.message());

            double[] w = model.weight().data().toDoubleArray();
            TrainingResult again = t.fit();
            assertEquals(StopReason.MAX_STEPS, again.reason(), "the budget is spent: it stops at once");
            assertEquals(7, again.steps());
            assertEquals(7, again.history().steps().size());
            assertArrayEquals(w, model.weight().data().toDoubleArray());
        }
    }

    @Test
    void aStepBudgetEndingWithAnEpochCompletesThatEpoch() throws IOException {
        try (Dataset data = GeneratedData.threePointProblem(DType.FLOAT64);
             Linear model = zeroLinearModel();
             SGD sgd = new SGD(model.parameters(), 0.01, 0)) {
            TrainingResult r = Trainer.builder(model, new MseLoss(), sgd, new DataLoader(data, 1, 3))
                    .stopRules(StopRules.epochs(10).withMaxSteps(6)).build().fit();
            assertEquals(StopReason.MAX_STEPS, r.reason(), r.message());
            assertEquals(2, r.epochs());
            assertEquals(6, r.lastEpoch().steps());
            assertTrue(r.message().contains("after epoch 2"), r.message());
        }
    }

    @Test
    void aStepBudgetSmallerThanAnEpochEndsTheRunWithNoEpochRecordAndItsFilesStillWritten() throws IOException {
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        try (Dataset data = GeneratedData.threePointProblem(DType.FLOAT64);
             Linear model = zeroLinearModel();
             SGD sgd = new SGD(model.parameters(), 0.01, 0)) {
            TrainingResult r = Trainer.builder(model, new MseLoss(), sgd, new DataLoader(data, 1, 3))
                    .stopRules(StopRules.epochs(10).withMaxSteps(2))
                    .callback(new MetricsCallback(dir, "budget", true))
                    .callback(new ProgressCallback(new PrintStream(console, true, StandardCharsets.UTF_8), false))
                    .build().fit();
            assertEquals(StopReason.MAX_STEPS, r.reason(), r.message());
            assertEquals(0, r.epochs());
            assertEquals(2, r.steps());
            assertNull(r.lastEpoch());
            assertTrue(r.history().epochs().isEmpty());
            assertTrue(r.message().contains("in epoch 1 after 2 of its 3 batches"), r.message());
            assertEquals(1, Files.readAllLines(dir.resolve(MetricsFiles.EPOCHS_CSV)).size(), "only the header");
            assertEquals(3, Files.readAllLines(dir.resolve(MetricsFiles.STEPS_CSV)).size(), "the header and two steps");
            assertTrue(Files.isRegularFile(dir.resolve("step-loss.png")));
            assertFalse(Files.exists(dir.resolve("loss.png")), "no epoch, no epoch chart");
            assertEquals("", console.toString(StandardCharsets.UTF_8), "no epoch line to print");
        }
    }

    @Test
    void negativeStepBudgetsAndCheckpointIntervalsAreRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> StopRules.epochs(1).withMaxSteps(-1));
        assertTrue(e.getMessage().contains("maxSteps >= 0") && e.getMessage().contains("-1"), e.getMessage());
        try (Dataset reg = GeneratedData.threePointProblem(DType.FLOAT32);
             Linear model = new Linear(2, 1, new Generator(0));
             SGD sgd = new SGD(model.parameters())) {
            Trainer.Builder b = Trainer.builder(model, new MseLoss(), sgd, new DataLoader(reg, 3, 0));
            e = assertThrows(IllegalArgumentException.class, () -> b.checkpointEvery(-2));
            assertTrue(e.getMessage().contains("steps >= 0") && e.getMessage().contains("-2"), e.getMessage());
        }
    }

    @Test
    void aCallbackCanStopTheRunAndSeesEveryStepAndEpoch() throws IOException {
        List<String> events = new ArrayList<>();
        try (Dataset data = GeneratedData.threePointProblem(DType.FLOAT64);
             Linear model = zeroLinearModel();
             SGD sgd = new SGD(model.parameters(), 0.01, 0)) {
            TrainingCallback cb = new TrainingCallback() {
                @Override
                public void onTrainStart(Trainer trainer) {
                    events.add("start");
                }

                @Override
                public void onEpochStart(Trainer trainer, int epoch, int steps) {
                    events.add("epoch " + epoch + " of " + steps);
                }

                @Override
                public void onStep(Trainer trainer, dev.descent.train.metrics.StepRecord step) {
                    events.add("step " + step.step());
                }

                @Override
                public void onEpochEnd(Trainer trainer, EpochRecord epoch) {
                    events.add("end " + epoch.epoch());
                    if (epoch.epoch() == 2) {
                        trainer.requestStop("enough");
                    }
                }

                @Override
                public void onTrainEnd(Trainer trainer, TrainingResult result) {
                    events.add("done " + result.reason());
                }
            };
            TrainingResult r = Trainer.builder(model, new MseLoss(), sgd, new DataLoader(data, 2, false, false, 0))
                    .stopRules(StopRules.epochs(10)).callback(cb).build().fit();
            assertEquals(StopReason.STOPPED_BY_CALLBACK, r.reason());
            assertEquals(List.of("start", "epoch 1 of 2", "step 1", "step 2", "end 1", "epoch 2 of 2", "step 3",
                    "step 4", "end 2", "done STOPPED_BY_CALLBACK"), events);
        }
    }

    @Test
    void aNonFiniteLossStopsTheRunSuggestsASmallerRateAndLeavesTheLastCheckpointIntact() throws IOException {
        Path ckpt = dir.resolve("run.ckpt");
        List<byte[]> saved = new ArrayList<>();
        try (Dataset data = GeneratedData.threePointProblem(DType.FLOAT64);
             Linear model = zeroLinearModel();
             SGD sgd = new SGD(model.parameters(), 100.0, 0)) {
            TrainingCallback keepBytes = new TrainingCallback() {
                @Override
                public void onEpochEnd(Trainer trainer, EpochRecord epoch) {
                    try {
                        saved.add(Files.readAllBytes(ckpt));
                    } catch (IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                }
            };
            Trainer t = Trainer.builder(model, new MseLoss(), sgd, new DataLoader(data, 3, false, false, 0))
                    .stopRules(StopRules.epochs(10_000)).checkpoint(ckpt).callback(keepBytes).build();
            TrainingResult r = t.fit();
            assertEquals(StopReason.DIVERGED, r.reason());
            assertTrue(r.diverged());
            assertTrue(r.message().contains("smaller learning rate") && r.message().contains("learning rate 100.0"),
                    r.message());
            assertTrue(r.message().contains("epoch " + (r.epochs() + 1)), r.message());
            assertTrue(r.message().contains("last good checkpoint"), r.message());
            assertTrue(r.epochs() >= 2, "a few epochs run before the loss overflows: " + r.epochs());
            assertArrayEquals(saved.get(saved.size() - 1), Files.readAllBytes(ckpt),
                    "the checkpoint is the one written after the last good epoch");
            assertFalse(Double.isFinite(r.history().steps().get(r.history().steps().size() - 1).loss()
                    * r.history().steps().get(r.history().steps().size() - 1).gradNorm()));
        }
    }

    @Test
    void aStepThatMakesTheWeightsInfiniteIsNeverCheckpointedNorCalledGood() throws IOException {
        Path ckpt = dir.resolve("inf.ckpt");
        List<byte[]> saved = new ArrayList<>();
        try (DataSplit data = GeneratedData.twoSpirals(16, 4, 0.05, new Generator(1));
             Linear model = new Linear(2, 2, new Generator(2));
             Adam adam = new Adam(model.parameters(), 0.01)) {
            TrainingCallback raiseTheRate = new TrainingCallback() {
                @Override
                public void onEpochEnd(Trainer trainer, EpochRecord epoch) {
                    try {
                        saved.add(Files.readAllBytes(ckpt));
                    } catch (IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                    // finite, so accepted; Adam's first step at it is about 1e39, beyond float32: the weights
                    // become infinite while that step's loss and gradient were finite
                    adam.set("lr", 1e39);
                }
            };
            TrainingResult r = Trainer.builder(model, new CrossEntropyLoss(), adam,
                            new DataLoader(data.train(), 32, false, false, 0))   // one batch per epoch
                    .stopRules(StopRules.epochs(5)).checkpoint(ckpt).callback(raiseTheRate).build().fit();
            assertEquals(StopReason.DIVERGED, r.reason(), r.message());
            assertEquals(2, r.steps(), "the weights were found infinite before epoch 2's checkpoint: " + r.message());
            assertTrue(r.message().contains("a weight is not finite"), r.message());
            assertTrue(r.message().contains("the last good checkpoint (" + ckpt + ", epoch 1) is intact"), r.message());
            assertTrue(r.message().contains("e.g. 1.0E38"), r.message());
            assertTrue(Double.isFinite(r.history().steps().get(1).loss()), "the step itself looked fine");
            assertArrayEquals(saved.get(0), Files.readAllBytes(ckpt), "epoch 1's checkpoint is still the one on disk");
            assertEquals(2, saved.size(), "epoch 2 ended (its record is kept) but wrote nothing");
            assertArrayEquals(saved.get(0), saved.get(1));
        }
    }

    @Test
    void anInfiniteLearningRateIsRefusedByTheOptimiser() {
        try (Linear model = new Linear(2, 1, new Generator(0));
             Adam adam = new Adam(model.parameters(), 1e-3)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> adam.set("lr", Double.POSITIVE_INFINITY));
            assertEquals("Adam: expected a finite lr, got Infinity", e.getMessage());
            assertEquals(1e-3, adam.paramGroups().get(0).lr(), "unchanged");
            assertThrows(IllegalArgumentException.class, () -> new SGD(model.parameters(), Double.NaN, 0));
        }
    }

    @Test
    void theStepRecordsTheGradientNormAndLearningRate() throws IOException {
        // at w = 0 the mean-squared-error gradient is -(2/3) X^T Y = -(2/3) (4, 2) = (-8/3, -4/3)
        try (Dataset data = GeneratedData.threePointProblem(DType.FLOAT64);
             Linear model = zeroLinearModel();
             SGD sgd = new SGD(model.parameters(), 0.125, 0)) {
            TrainingResult r = Trainer.builder(model, new MseLoss(), sgd, new DataLoader(data, 3, false, false, 0))
                    .stopRules(StopRules.epochs(1)).build().fit();
            var step = r.history().steps().get(0);
            assertEquals(Math.hypot(8.0 / 3, 4.0 / 3), step.gradNorm(), 1e-12);
            assertEquals(0.125, step.lr());
            assertEquals(16.0 / 3, step.loss(), 1e-12, "the mean of (0, 16, 0)");
            assertArrayEquals(new double[] {0.125 * 8 / 3, 0.125 * 4 / 3}, model.weight().data().toDoubleArray(), 1e-12);
        }
    }

    @Test
    void clippingBoundsTheUpdateButRecordsTheNormBeforeIt() throws IOException {
        try (Dataset data = GeneratedData.threePointProblem(DType.FLOAT64);
             Linear model = zeroLinearModel();
             SGD sgd = new SGD(model.parameters(), 1.0, 0)) {
            TrainingResult r = Trainer.builder(model, new MseLoss(), sgd, new DataLoader(data, 3, false, false, 0))
                    .clipNorm(1.0).stopRules(StopRules.epochs(1)).build().fit();
            double norm = Math.hypot(8.0 / 3, 4.0 / 3);
            assertEquals(norm, r.history().steps().get(0).gradNorm(), 1e-12);
            double[] w = model.weight().data().toDoubleArray();
            assertEquals(1.0, Math.hypot(w[0], w[1]), 1e-5, "a unit step along the gradient (PyTorch's 1e-6 guard)");
        }
    }

    static double[] weights(Variable v) {
        return v.data().toDoubleArray();
    }

    @Test
    void sequentialModelsTrainToo() throws IOException {
        try (Dataset data = GeneratedData.threePointProblem(DType.FLOAT64);
             Sequential model = new Sequential(new Linear(2, 1, false, DType.FLOAT64, new Generator(1)));
             SGD sgd = new SGD(model.parameters(), 0.3, 0)) {
            TrainingResult r = Trainer.builder(model, new MseLoss(), sgd, new DataLoader(data, 3, false, false, 0))
                    .stopRules(StopRules.epochs(500)).build().fit();
            assertArrayEquals(new double[] {2, 4.0 / 3}, weights(model.parameters().get(0)), 1e-6);
            assertTrue(Double.isNaN(r.lastEpoch().trainAccuracy()), "no accuracy for regression");
        }
    }

    @Test
    void aTrainingAndTestSetOfDifferentKindsAreRefused() {
        try (Dataset reg = GeneratedData.threePointProblem(DType.FLOAT32);
             Dataset cls = GeneratedData.twoSpirals(3, 0, new Generator(0));
             Linear model = new Linear(2, 1, new Generator(0));
             SGD sgd = new SGD(model.parameters())) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Trainer.builder(model, new MseLoss(), sgd, new DataLoader(reg, 3, 0)).test(cls).build());
            assertTrue(e.getMessage().contains("not the same kind"), e.getMessage());
        }
    }

    @Test
    void aScheduleAndAPlateauReducerTogetherAreRefused() {
        try (Dataset reg = GeneratedData.threePointProblem(DType.FLOAT32);
             Linear model = new Linear(2, 1, new Generator(0));
             SGD sgd = new SGD(model.parameters())) {
            Trainer.Builder b = Trainer.builder(model, new MseLoss(), sgd, new DataLoader(reg, 3, 0))
                    .schedule(LrScheduler.absolute(sgd, Schedule.constant(0.1)), ScheduleUnit.EPOCH)
                    .reduceLrOnPlateau(new ReduceLrOnPlateau(sgd));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, b::build);
            assertTrue(e.getMessage().contains("got both"), e.getMessage());
        }
    }
}
