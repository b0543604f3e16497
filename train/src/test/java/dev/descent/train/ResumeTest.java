package dev.descent.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.autograd.Variable;
import dev.descent.core.Generator;
import dev.descent.nn.Dropout;
import dev.descent.nn.Linear;
import dev.descent.nn.Sequential;
import dev.descent.nn.activation.ReLU;
import dev.descent.nn.loss.CrossEntropyLoss;
import dev.descent.optim.Adam;
import dev.descent.optim.SGD;
import dev.descent.optim.schedule.LrScheduler;
import dev.descent.optim.schedule.ReduceLrOnPlateau;
import dev.descent.optim.schedule.Schedule;
import dev.descent.train.checkpoint.CheckpointException;
import dev.descent.train.data.DataLoader;
import dev.descent.train.data.DataSplit;
import dev.descent.train.data.GeneratedData;
import dev.descent.train.metrics.EpochRecord;
import dev.descent.train.metrics.StepRecord;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** A run interrupted and resumed from its checkpoint equals one that was never interrupted. */
class ResumeTest {
    private static final int EPOCHS = 6;

    @TempDir
    Path dir;

    /** One run's pieces, built the same way each time from the given seeds. */
    private static final class Run implements AutoCloseable {
        final Generator dropout;
        final Sequential model;
        final Adam adam;
        final Trainer trainer;

        Run(DataSplit data, long initSeed, Path checkpoint) {
            this(data, initSeed, checkpoint, 0, false);
        }

        Run(DataSplit data, long initSeed, Path checkpoint, int stopAfter, boolean plateau) {
            this(data, initSeed, checkpoint, stopAfter, plateau, b -> { });
        }

        /**
         * With {@code stopAfter} > 0, a callback interrupts the run after that many epochs. The
         * rate follows a per-step cosine schedule, or with {@code plateau} a reducer that halves it
         * whenever the test loss improved by less than 20% (so it acts on both sides of the stop).
         * {@code more} adds to (or overrides) the run's settings.
         */
        Run(DataSplit data, long initSeed, Path checkpoint, int stopAfter, boolean plateau,
                Consumer<Trainer.Builder> more) {
            Generator init = new Generator(initSeed);
            dropout = new Generator(99);
            model = new Sequential(new Linear(2, 16, init), new ReLU(), new Dropout(0.2, dropout), new Linear(16, 2, init));
            adam = new Adam(model.parameters(), 0.02);
            Trainer.Builder b = Trainer.builder(model, new CrossEntropyLoss(), adam, new DataLoader(data.train(), 8, 5));
            if (plateau) {
                b.reduceLrOnPlateau(new ReduceLrOnPlateau(adam, false, 0.5, 0, 0.2, 1, 0));
            } else {
                b.schedule(LrScheduler.absolute(adam, Schedule.cosine(0.02, 0.001, 30)), ScheduleUnit.STEP);
            }
            b.test(data.test()).stopRules(StopRules.epochs(EPOCHS))
                    .generator("dropout", dropout).checkpoint(checkpoint).metadata("note", "resume test")
                    .callback(new TrainingCallback() {
                        @Override
                        public void onEpochEnd(Trainer t, EpochRecord epoch) {
                            if (epoch.epoch() == stopAfter) {
                                t.requestStop("interrupted");
                            }
                        }
                    });
            more.accept(b);
            trainer = b.build();
        }

        List<float[]> weights() {
            List<float[]> out = new ArrayList<>();
            for (Variable p : model.parameters()) {
                out.add(p.data().toFloatArray());
            }
            return out;
        }

        @Override
        public void close() {
            adam.close();
            model.close();
        }
    }

    /** What an uninterrupted run ends with. */
    private record Outcome(List<float[]> weights, List<StepRecord> steps, List<EpochRecord> epochs) {
        static Outcome of(Run run, TrainingResult r) {
            return new Outcome(run.weights(), List.copyOf(r.history().steps()), List.copyOf(r.history().epochs()));
        }
    }

    private Outcome straightRun(DataSplit data, boolean plateau) throws IOException {
        try (Run straight = new Run(data, 1, dir.resolve("straight.ckpt"), 0, plateau)) {
            TrainingResult r = straight.trainer.fit();
            assertEquals(EPOCHS, r.epochs());
            return Outcome.of(straight, r);
        }
    }

    /** Restores {@code ckpt} into a run built from another seed, trains it to the end, compares it bit for bit. */
    private static void assertResumingRepeats(Outcome straight, DataSplit data, Path ckpt, boolean plateau,
            int epochsAtCheckpoint, long stepsAtCheckpoint) throws IOException {
        // a fresh process: other initial weights, a new optimiser, schedule and generator
        try (Run resumed = new Run(data, 12345, ckpt, 0, plateau)) {
            assertEquals("resume test", resumed.trainer.restore(ckpt).get("note"));
            assertEquals(epochsAtCheckpoint, resumed.trainer.epochsDone());
            assertEquals(stepsAtCheckpoint, resumed.trainer.stepsDone());
            assertEquals(stepsAtCheckpoint - (long) epochsAtCheckpoint * resumed.trainer.loader().batchesPerEpoch(),
                    resumed.trainer.batchesDoneInEpoch(), "batches of the epoch under way already done");
            TrainingResult r = resumed.trainer.fit();
            assertEquals(StopReason.MAX_EPOCHS, r.reason());
            assertEquals(EPOCHS, r.epochs());
            List<float[]> w = resumed.weights();
            for (int i = 0; i < w.size(); i++) {
                assertArrayEquals(straight.weights().get(i), w.get(i), "parameter " + i + " after resuming");
            }
            assertEquals(straight.steps().size(), r.history().steps().size());
            for (int i = 0; i < straight.steps().size(); i++) {
                StepRecord a = straight.steps().get(i);
                StepRecord b = r.history().steps().get(i);
                assertEquals(Double.doubleToRawLongBits(a.loss()), Double.doubleToRawLongBits(b.loss()),
                        "loss of step " + a.step());
                assertEquals(a.lr(), b.lr(), "lr of step " + a.step());
                assertEquals(a.gradNorm(), b.gradNorm(), "grad norm of step " + a.step());
            }
            assertEquals(EPOCHS, r.history().epochs().size());
            for (int i = 0; i < EPOCHS; i++) {
                EpochRecord a = straight.epochs().get(i);
                EpochRecord b = r.history().epochs().get(i);
                assertEquals(a.steps(), b.steps(), "steps after epoch " + a.epoch());
                assertEquals(a.trainLoss(), b.trainLoss(), "train loss of epoch " + a.epoch());
                assertEquals(a.trainAccuracy(), b.trainAccuracy(), "train accuracy of epoch " + a.epoch());
                assertEquals(a.gradNorm(), b.gradNorm(), "grad norm of epoch " + a.epoch());
                assertEquals(a.lr(), b.lr(), "lr of epoch " + a.epoch());
                assertEquals(a.testLoss(), b.testLoss(), "test loss of epoch " + a.epoch());
                assertEquals(a.testAccuracy(), b.testAccuracy(), "test accuracy of epoch " + a.epoch());
            }
        }
    }

    @ParameterizedTest(name = "plateau reducer: {0}")
    @ValueSource(booleans = {false, true})
    void resumingFromTheCheckpointRepeatsTheUninterruptedRunBitForBit(boolean plateau) throws IOException {
        try (DataSplit data = GeneratedData.twoSpirals(20, 10, 0.05, new Generator(11))) {
            Outcome straight = straightRun(data, plateau);
            if (plateau) {
                double atStop = straight.epochs().get(EPOCHS / 2 - 1).lr();
                assertTrue(atStop < 0.02 && straight.epochs().get(EPOCHS - 1).lr() < atStop,
                        "the reducer cut the rate before and after the interruption");
            }

            Path ckpt = dir.resolve("interrupted.ckpt");
            long steps;
            try (Run first = new Run(data, 1, ckpt, EPOCHS / 2, plateau)) {
                TrainingResult r = first.trainer.fit();
                assertEquals(StopReason.STOPPED_BY_CALLBACK, r.reason());
                assertEquals(EPOCHS / 2, r.epochs());
                steps = r.steps();
            }
            assertResumingRepeats(straight, data, ckpt, plateau, EPOCHS / 2, steps);
        }
    }

    @ParameterizedTest(name = "plateau reducer: {0}")
    @ValueSource(booleans = {false, true})
    void aRunStoppedByItsStepBudgetInsideAnEpochResumesBitForBit(boolean plateau) throws IOException {
        try (DataSplit data = GeneratedData.twoSpirals(20, 10, 0.05, new Generator(11))) {
            Outcome straight = straightRun(data, plateau);
            int batches = new DataLoader(data.train(), 8, 5).batchesPerEpoch();
            assertEquals(5, batches, "40 examples in batches of 8");
            long budget = 2 * batches + 3;  // two and a half epochs' worth, rounded up

            Path ckpt = dir.resolve("budget.ckpt");
            try (Run first = new Run(data, 1, ckpt, 0, plateau,
                    b -> b.stopRules(StopRules.epochs(EPOCHS).withMaxSteps(budget)))) {
                TrainingResult r = first.trainer.fit();
                assertEquals(StopReason.MAX_STEPS, r.reason(), r.message());
                assertEquals(budget, r.steps());
                assertEquals(2, r.epochs());
                assertEquals(2, r.history().epochs().size(), "no record of the partial epoch");
                assertEquals(budget, r.history().steps().size());
                assertTrue(r.message().contains("step 13") && r.message().contains("epoch 3")
                        && r.message().contains("3 of its 5 batches"), r.message());
            }
            assertResumingRepeats(straight, data, ckpt, plateau, 2, budget);
        }
    }

    @Test
    void aCheckpointWrittenEveryFewStepsInsideAnEpochResumesBitForBit() throws IOException {
        try (DataSplit data = GeneratedData.twoSpirals(20, 10, 0.05, new Generator(11))) {
            Outcome straight = straightRun(data, false);
            // 5 batches per epoch: of the checkpoints every 4 steps, the one at step 12 is written
            // 2 batches into epoch 3 (the one at step 20 is the end of epoch 4's)
            Path ckpt = dir.resolve("every.ckpt");
            Path copy = dir.resolve("step-12.ckpt");
            TrainingCallback copyAtStep12 = new TrainingCallback() {
                @Override
                public void onStep(Trainer t, StepRecord step) {
                    if (step.step() == 12) {
                        try {
                            Files.copy(ckpt, copy);
                        } catch (IOException e) {
                            throw new UncheckedIOException(e);
                        }
                    }
                }
            };
            try (Run checkpointing = new Run(data, 1, ckpt, 0, false,
                    b -> b.checkpointEvery(4).callback(copyAtStep12))) {
                TrainingResult r = checkpointing.trainer.fit();
                assertEquals(straight.steps(), r.history().steps(), "checkpoints change nothing in the run");
            }
            assertResumingRepeats(straight, data, copy, false, 2, 12);
        }
    }

    @Test
    void aTruncatedCheckpointIsRefusedAndTheModelIsLeftAsItWas() throws IOException {
        Path ckpt = dir.resolve("run.ckpt");
        try (DataSplit data = GeneratedData.twoSpirals(8, 4, 0.05, new Generator(3))) {
            try (Run run = new Run(data, 1, ckpt)) {
                run.trainer.fit();
            }
            byte[] bytes = Files.readAllBytes(ckpt);
            Path broken = dir.resolve("broken.ckpt");
            Files.write(broken, Arrays.copyOf(bytes, bytes.length / 2));
            try (Run other = new Run(data, 77, dir.resolve("other.ckpt"))) {
                List<float[]> before = other.weights();
                CheckpointException e = assertThrows(CheckpointException.class, () -> other.trainer.restore(broken));
                assertTrue(e.getMessage().contains("broken.ckpt") && e.getMessage().contains("corrupt or truncated"),
                        e.getMessage());
                List<float[]> after = other.weights();
                for (int i = 0; i < before.size(); i++) {
                    assertArrayEquals(before.get(i), after.get(i));
                }
                assertEquals(0, other.trainer.epochsDone());
            }
        }
    }

    @Test
    void aCheckpointOfAnotherModelIsRefusedNamingTheMismatch() throws IOException {
        Path ckpt = dir.resolve("run.ckpt");
        try (DataSplit data = GeneratedData.twoSpirals(8, 4, 0.05, new Generator(3))) {
            try (Run run = new Run(data, 1, ckpt)) {
                run.trainer.fit();
            }
            try (Sequential wider = new Sequential(new Linear(2, 32, new Generator(0)), new ReLU(),
                    new Dropout(0.2, new Generator(0)), new Linear(32, 2, new Generator(0)));
                 SGD sgd = new SGD(wider.parameters())) {
                Trainer t = Trainer.builder(wider, new CrossEntropyLoss(), sgd, new DataLoader(data.train(), 8, 5))
                        .generator("dropout", new Generator(0)).build();
                CheckpointException e = assertThrows(CheckpointException.class, () -> t.restore(ckpt));
                assertTrue(e.getMessage().contains("Adam") && e.getMessage().contains("SGD"), e.getMessage());
            }
        }
    }
}
