package dev.descent.train.distributed;

import dev.descent.core.Generator;
import dev.descent.distributed.DataParallel;
import dev.descent.distributed.ProcessGroup;
import dev.descent.distributed.ProcessGroups;
import dev.descent.distributed.Rendezvous;
import dev.descent.nn.Linear;
import dev.descent.nn.Sequential;
import dev.descent.nn.activation.ReLU;
import dev.descent.nn.loss.CrossEntropyLoss;
import dev.descent.optim.Adam;
import dev.descent.train.Trainer;
import dev.descent.train.TrainingResult;
import dev.descent.train.data.DataLoader;
import dev.descent.train.data.DataSplit;
import dev.descent.train.data.GeneratedData;
import java.io.IOException;
import java.nio.file.Path;

/** The data-parallel example of train/README.md, verbatim between the markers, run as each rank by {@link ReadmeDataParallelTest}. */
public final class ReadmeDataParallel {
    private ReadmeDataParallel() {
    }

    public static void main(String[] args) throws IOException {
        Generator gen = new Generator(1);
        try (ProcessGroup group = ProcessGroups.init("gloo", Rendezvous.fromEnvironment());
             DataSplit data = GeneratedData.twoSpirals(200, 100, 0.05, gen);
             Sequential model = new Sequential(new Linear(2, 16, gen), new ReLU(), new Linear(16, 2, gen));
             Adam adam = new Adam(model.parameters(), 1e-2)) {
            Path dir = Path.of(args[0]);
            // README example: begin
            Trainer trainer = Trainer.builder(model, new CrossEntropyLoss(), adam, new DataLoader(data.train(), 64, 7))
                    .dataParallel(new DataParallel(group, model.parameters()))   // each rank: its part of every batch of 64
                    .test(data.test())
                    .checkpoint(dir.resolve("checkpoint.ckpt"))                    // written by rank 0 alone
                    .build();
            TrainingResult r = trainer.fit();                                     // the same result on every rank
            // README example: end
            System.out.println("result " + r.steps() + " steps, test loss " + r.lastEpoch().testLoss());
        }
    }
}
