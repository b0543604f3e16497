package dev.descent.train.checkpoint;

import dev.descent.core.Generator;
import dev.descent.core.Tensor;
import dev.descent.nn.Dropout;
import dev.descent.nn.Linear;
import dev.descent.nn.Sequential;
import dev.descent.nn.activation.ReLU;
import dev.descent.nn.loss.CrossEntropyLoss;
import dev.descent.optim.Adam;
import dev.descent.optim.ParamGroup;
import dev.descent.optim.schedule.LrScheduler;
import dev.descent.optim.schedule.Schedule;
import dev.descent.train.ScheduleUnit;
import dev.descent.train.StopRules;
import dev.descent.train.Trainer;
import dev.descent.train.data.DataLoader;
import dev.descent.train.data.DataSplit;
import dev.descent.train.data.GeneratedData;
import dev.descent.train.metrics.EpochRecord;
import dev.descent.train.metrics.StepRecord;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * A small run with every kind of state a checkpoint holds: weights, Adam's moments, a per-step
 * cosine schedule, a dropout generator, counters and a history. Built the same way from the same
 * seeds; another {@code initSeed} gives other weights (a "fresh process" to restore into).
 */
final class TinyRun implements AutoCloseable {
    final Generator dropout;
    final Sequential model;
    final Adam adam;
    final LrScheduler schedule;
    final Trainer trainer;

    /** 16 training and 8 test points, batches of 4: 4 steps an epoch. */
    static DataSplit data() {
        return GeneratedData.twoSpirals(8, 4, 0.05, new Generator(3));
    }

    TinyRun(DataSplit data, long initSeed, Path checkpoint, int epochs) {
        this(data, initSeed, checkpoint, epochs, 0);
    }

    /** With {@code maxSteps} > 0, the run stops there, inside an epoch when it is not a multiple of 4. */
    TinyRun(DataSplit data, long initSeed, Path checkpoint, int epochs, long maxSteps) {
        Generator init = new Generator(initSeed);
        dropout = new Generator(initSeed + 1000);
        model = new Sequential(new Linear(2, 6, init), new ReLU(), new Dropout(0.25, dropout), new Linear(6, 2, init));
        adam = new Adam(model.parameters(), 0.01);
        schedule = LrScheduler.absolute(adam, Schedule.cosine(0.01, 0.001, 40));
        trainer = Trainer.builder(model, new CrossEntropyLoss(), adam, new DataLoader(data.train(), 4, 5))
                .test(data.test()).schedule(schedule, ScheduleUnit.STEP).stopRules(StopRules.epochs(epochs).withMaxSteps(maxSteps))
                .generator("dropout", dropout).checkpoint(checkpoint).metadata("note", "tiny").build();
    }

    /** Everything a restore may change, as text that compares bit for bit. */
    List<String> snapshot() {
        List<String> s = new ArrayList<>();
        for (Map.Entry<String, Tensor> e : model.namedState().entrySet()) {
            float[] v = e.getValue().toFloatArray();
            int[] bits = new int[v.length];
            for (int i = 0; i < v.length; i++) {
                bits[i] = Float.floatToRawIntBits(v[i]);
            }
            s.add(e.getKey() + " " + Arrays.toString(bits));
        }
        ByteArrayOutputStream opt = new ByteArrayOutputStream();
        try {
            adam.saveState().write(opt);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        s.add("optimizer " + Arrays.toString(opt.toByteArray()));
        for (ParamGroup g : adam.paramGroups()) {
            s.add("group " + g.values());
        }
        s.add("schedule " + schedule.count());
        s.add("dropout " + Arrays.toString(dropout.state()));
        s.add("epochs " + trainer.epochsDone() + " steps " + trainer.stepsDone() + " in epoch "
                + trainer.batchesDoneInEpoch());
        for (StepRecord r : trainer.history().steps()) {
            s.add(r.toString());
        }
        for (EpochRecord r : trainer.history().epochs()) {
            s.add(r.toString());
        }
        return s;
    }

    @Override
    public void close() {
        adam.close();
        model.close();
    }
}
