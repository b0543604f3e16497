package dev.descent.train.distributed;

import dev.descent.core.DType;
import dev.descent.core.Generator;
import dev.descent.core.Tensor;
import dev.descent.distributed.DataParallel;
import dev.descent.distributed.ProcessGroup;
import dev.descent.distributed.ProcessGroups;
import dev.descent.distributed.Rendezvous;
import dev.descent.nn.Linear;
import dev.descent.nn.Sequential;
import dev.descent.nn.activation.ReLU;
import dev.descent.nn.activation.Tanh;
import dev.descent.nn.loss.CrossEntropyLoss;
import dev.descent.optim.Adam;
import dev.descent.train.StopRules;
import dev.descent.train.Trainer;
import dev.descent.train.TrainingResult;
import dev.descent.train.data.DataLoader;
import dev.descent.train.data.DataSplit;
import dev.descent.train.data.Dataset;
import dev.descent.train.data.GeneratedData;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * One training run on two spirals, the same in every test of {@link EquivalenceTest}: an MLP
 * 2-32-32-2 trained by Adam with batches of 24 (the whole batch, over every rank) for a few
 * epochs. Run with {@code WORLD_SIZE} set it is one rank of a data-parallel run; without, a
 * single process. Arguments: dtype, epochs, max steps (0: none), the checkpoint path ("-":
 * none), "resume" or "fresh", and where to write the final parameters (rank 0).
 */
public final class SpiralsRun {
    static final int BATCH = 24;
    static final double LR = 0.01;

    private SpiralsRun() {
    }

    public static void main(String[] args) throws IOException {
        DType dtype = DType.valueOf(args[0]);
        int epochs = Integer.parseInt(args[1]);
        long maxSteps = Long.parseLong(args[2]);
        Path checkpoint = args[3].equals("-") ? null : Path.of(args[3]);
        boolean resume = args[4].equals("resume");
        Path out = Path.of(args[5]);
        if (!Rendezvous.inEnvironment()) {
            run(null, dtype, epochs, maxSteps, checkpoint, resume, out);
            return;
        }
        try (ProcessGroup g = ProcessGroups.init("gloo", Rendezvous.fromEnvironment())) {
            run(g, dtype, epochs, maxSteps, checkpoint, resume, out);
        }
    }

    /** Trains; writes the parameters, in order, as doubles to {@code out} (on rank 0); returns the result. */
    static TrainingResult run(ProcessGroup group, DType dtype, int epochs, long maxSteps, Path checkpoint,
            boolean resume, Path out) throws IOException {
        DataSplit raw = GeneratedData.twoSpirals(150, 50, 0.05, new Generator(7));
        try (Dataset train = in(raw.train(), dtype); Dataset test = in(raw.test(), dtype)) {
            raw.close();
            // each rank starts from its own weights: rank 0's must reach the others
            Generator init = new Generator(group == null ? 11 : 11 + 1000L * group.rank());
            Sequential model = new Sequential(new Linear(2, 32, true, dtype, init), new Tanh(),
                    new Linear(32, 32, true, dtype, init), new ReLU(), new Linear(32, 2, true, dtype, init));
            try (model; Adam adam = new Adam(model.parameters(), LR)) {
                Trainer.Builder b = Trainer.builder(model, new CrossEntropyLoss(), adam,
                        new DataLoader(train, BATCH, true, false, 3)).test(test)
                        .stopRules(StopRules.epochs(epochs).withMaxSteps(maxSteps));
                if (checkpoint != null) {
                    b.checkpoint(checkpoint);
                }
                DataParallel dp = group == null ? null : new DataParallel(group, model.parameters());
                if (dp != null) {
                    b.dataParallel(dp);
                }
                Trainer t = b.build();
                if (resume) {
                    t.restore(checkpoint);
                }
                TrainingResult r = t.fit();
                if (group == null || group.rank() == 0) {
                    try (DataOutputStream o = new DataOutputStream(Files.newOutputStream(out))) {
                        for (Tensor p : model.namedState().values()) {
                            for (double v : p.toDoubleArray()) {
                                o.writeDouble(v);
                            }
                        }
                    }
                }
                var steps = r.history().steps();
                System.out.println("trained " + r.steps() + " steps, loss " + steps.get(steps.size() - 1).loss());
                if (dp != null) {
                    dp.close();
                }
                return r;
            }
        }
    }

    private static Dataset in(Dataset d, DType dtype) {
        return Dataset.classification(d.name(), d.features().to(dtype), d.targets().copy(), d.classes());
    }
}
