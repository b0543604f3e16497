package dev.descent.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.descent.core.Backends;
import dev.descent.core.Generator;
import dev.descent.distributed.DataParallel;
import dev.descent.distributed.ProcessGroup;
import dev.descent.distributed.ProcessGroups;
import dev.descent.distributed.Rendezvous;
import dev.descent.nn.Module;
import dev.descent.nn.loss.CrossEntropyLoss;
import dev.descent.optim.Optimizer;
import dev.descent.train.AtomicFiles;
import dev.descent.train.RunLock;
import dev.descent.train.StopRules;
import dev.descent.train.Trainer;
import dev.descent.train.TrainingResult;
import dev.descent.train.checkpoint.CheckpointException;
import dev.descent.train.data.DataLoader;
import dev.descent.train.data.DataSplit;
import dev.descent.train.metrics.MetricsCallback;
import dev.descent.train.progress.ProgressCallback;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code descent train}: trains a classifier and writes its metrics, charts, summary and checkpoint. */
@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Trains an MLP classifier and writes metrics.csv, steps.csv, metrics.jsonl, summary.json, "
                + "charts (PNG and SVG) and a checkpoint to --out.",
                "With no options: two spirals, mlp:64,64, Adam, 20 epochs on the CPU, in seconds."},
        footer = {"", "Examples:", "  descent train",
                "  descent train --data fashion-mnist --model mlp:256,128 --optimizer adam --lr 1e-3 --batch-size 128 "
                        + "--epochs 10 --schedule cosine",
                "  descent train --optimizer nesterov --lr 0.05 --schedule cosine --clip-norm 1",
                "  descent train --out runs/x --epochs 20 --resume    (continue runs/x from its checkpoint)",
                "  descent train --max-steps 500 --checkpoint-every 100    (stop at step 500, resumable there)",
                "  descent launch --nproc 2 train --threads 1    (two processes, data-parallel)", "",
                "Under 'descent launch', torchrun or Slurm (WORLD_SIZE, RANK, MASTER_ADDR, MASTER_PORT set), each process "
                        + "trains on its part of every batch (Gloo on the CPU, NCCL on CUDA); rank 0 alone writes --out.", "",
                "Exit status: 0 done, 1 failed (a missing, corrupt or foreign file such as a bad checkpoint, a backend, "
                        + "I/O, --out in use by another run), 2 wrong option or value, 3 training diverged."})
public final class TrainCommand implements Callable<Integer> {
    static final String CHECKPOINT = "checkpoint.ckpt";
    static final String SUMMARY = "summary.json";

    @Spec
    CommandSpec spec;

    @Option(names = "--data", paramLabel = "SET", defaultValue = "spirals",
            description = "spirals, blobs, fashion-mnist, or a directory of MNIST-format IDX files (default: ${DEFAULT-VALUE})")
    String data;

    @Option(names = "--model", paramLabel = "mlp:H1,H2,...", defaultValue = "mlp:64,64",
            description = "hidden layer sizes of the MLP (default: ${DEFAULT-VALUE})")
    String model;

    @Option(names = "--activation", defaultValue = "relu", description = "relu, tanh or gelu (default: ${DEFAULT-VALUE})")
    String activation;

    @Option(names = "--init", paramLabel = "SCHEME", defaultValue = "pytorch",
            description = "initial weights: pytorch (U(±1/√in), PyTorch's nn.Linear), xavier (N(0, 1/in), zero bias) "
                    + "or he (N(0, 2/in), zero bias) (default: ${DEFAULT-VALUE})")
    String init;

    @Option(names = "--batch-norm", description = "batch normalisation after each hidden linear layer")
    boolean batchNorm;

    @Option(names = "--dropout", paramLabel = "P", defaultValue = "0",
            description = "dropout probability after each hidden layer (default: ${DEFAULT-VALUE})")
    double dropout;

    @Option(names = "--optimizer", paramLabel = "NAME", defaultValue = "adam",
            description = "sgd, momentum, nesterov, adagrad, adadelta, rmsprop, adam, adamw, adamax, nadam, radam, yogi, "
                    + "lion (default: ${DEFAULT-VALUE})")
    String optimizer;

    @Option(names = "--lr", paramLabel = "RATE", description = "learning rate (default: the optimiser's; Adam 1e-3)")
    Double lr;

    @Option(names = "--momentum", paramLabel = "MU", description = "momentum (momentum and nesterov: 0.9; rmsprop: 0)")
    Double momentum;

    @Option(names = "--weight-decay", paramLabel = "LAMBDA", description = "weight decay (default: the optimiser's)")
    Double weightDecay;

    @Option(names = "--hp", paramLabel = "NAME=VALUE",
            description = "any other hyper-parameter of the optimiser, e.g. --hp beta2=0.99 --hp amsgrad=true")
    Map<String, String> hyper = new LinkedHashMap<>();

    @Option(names = "--schedule", paramLabel = "SPEC", defaultValue = "none",
            description = "none, step:EPOCHS:GAMMA, exponential:GAMMA, linear:END_LR, cosine[:MIN_LR], warmup:STEPS, "
                    + "onecycle, plateau[:PATIENCE[:FACTOR]] (default: ${DEFAULT-VALUE})")
    String schedule;

    @Option(names = "--clip-norm", paramLabel = "MAX", defaultValue = "0",
            description = "clip the global gradient norm to MAX (default: 0, off)")
    double clipNorm;

    @Option(names = "--batch-size", paramLabel = "M", defaultValue = "32",
            description = "examples per step (over every process when distributed): 1 is SGD, the training set's size "
                    + "full-batch GD (default: ${DEFAULT-VALUE})")
    int batchSize;

    @Option(names = "--drop-last", description = "drop each epoch's last batch when it is smaller")
    boolean dropLast;

    @Option(names = "--epochs", paramLabel = "N", defaultValue = "20", description = "epochs (default: ${DEFAULT-VALUE})")
    int epochs;

    @Option(names = "--max-steps", paramLabel = "N", defaultValue = "0",
            description = "stop after N optimiser steps over the run, inside an epoch if need be (default: 0, off)")
    long maxSteps;

    @Option(names = "--patience", paramLabel = "N", defaultValue = "0",
            description = "stop when the test loss has not improved for N epochs (default: 0, off)")
    int patience;

    @Option(names = "--loss-tolerance", paramLabel = "TOL", defaultValue = "0",
            description = "stop when the training loss is below TOL (default: 0, off)")
    double lossTolerance;

    @Option(names = "--grad-tolerance", paramLabel = "TOL", defaultValue = "0",
            description = "stop when the mean gradient norm of an epoch is below TOL (default: 0, off)")
    double gradTolerance;

    @Option(names = "--no-normalize", negatable = false,
            description = "do not standardise the inputs (default: standardised with the training set's mean and deviation)")
    boolean noNormalize;

    @Option(names = "--seed", defaultValue = "42", description = "fixes the data, the initial weights, the shuffles and "
            + "the dropout masks (default: ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--backend", defaultValue = "cpu", description = "cpu or cuda (default: ${DEFAULT-VALUE})")
    String backend;

    @Option(names = "--threads", paramLabel = "N", description = "CPU threads (default: every core)")
    Integer threads;

    @Option(names = "--out", paramLabel = "DIR", description = "where the files go (default: runs/<data>)")
    Path out;

    @Option(names = "--checkpoint-every", paramLabel = "N", defaultValue = "0",
            description = "also write the checkpoint every N steps inside epochs (default: 0, only after each epoch)")
    long checkpointEvery;

    @Option(names = "--resume", description = "continue the run in --out from its checkpoint; --epochs, --max-steps "
            + "and --checkpoint-every may change")
    boolean resume;

    @Option(names = "--progress", defaultValue = "auto",
            description = "auto (a bar on a terminal, plain lines otherwise or when CI=true), bar or plain")
    String progress;

    @Override
    public Integer call() throws Exception {
        validate();
        if (threads != null) {
            System.setProperty("descent.cpu.threads", Integer.toString(threads));
        }
        Backends.setDefault(backend);
        Path dir = out != null ? out : Path.of("runs", DataSpec.shortName(data));
        if (!Rendezvous.inEnvironment()) {
            return writing(dir, null);
        }
        try (ProcessGroup group = ProcessGroups.init(ProcessGroups.forComputeBackend(backend),
                Rendezvous.fromEnvironment())) {
            // rank 0 writes the run's files; the others only read the checkpoint when resuming
            return group.rank() == 0 ? writing(dir, group) : run(dir, group);
        }
    }

    /** Runs as the one process that writes {@code dir}, holding its lock. */
    private int writing(Path dir, ProcessGroup group) throws Exception {
        try (RunLock lock = RunLock.acquire(dir)) {
            // only now, with no other run writing here: what killed writes left behind
            AtomicFiles.deleteStaleTemporaries(dir);
            return run(dir, group);
        }
    }

    private int run(Path dir, ProcessGroup group) throws Exception {
        boolean writer = group == null || group.rank() == 0;
        PrintWriter stdout = spec.commandLine().getOut();
        ObjectNode config = config();
        config.put("world_size", group == null ? 1 : group.worldSize());

        long start = System.nanoTime();
        try (DataSplit split = DataSpec.load(data, seed, !noNormalize)) {
            Generator initGen = new Generator(seed + 1);
            Generator dropoutGen = new Generator(seed + 2);
            ModelSpec spec = ModelSpec.parse(model);
            try (Module net = spec.build(split.train().featureCount(), split.train().classes(), activation,
                    ModelSpec.InitScheme.parse(init), batchNorm, dropout, initGen, dropoutGen);
                 Optimizer opt = OptimizerSpec.build(optimizer, net.parameters(), nan(lr), nan(momentum),
                         nan(weightDecay), hyper)) {
                DataLoader loader = new DataLoader(split.train(), batchSize, true, dropLast, seed + 3);
                ScheduleSpec sched = ScheduleSpec.parse(schedule, opt.paramGroups().get(0).lr(),
                        (long) epochs * loader.batchesPerEpoch());
                Path checkpoint = dir.resolve(CHECKPOINT);
                Trainer.Builder b = Trainer.builder(net, new CrossEntropyLoss(), opt, loader).test(split.test())
                        .clipNorm(clipNorm)
                        .stopRules(new StopRules(epochs, lossTolerance, gradTolerance, patience, 0, maxSteps))
                        .checkpoint(checkpoint).checkpointEvery(checkpointEvery).generator("dropout", dropoutGen)
                        .metadata("config", runDefining(config).toString());
                if (writer) {
                    b.callback(new MetricsCallback(dir, DataSpec.shortName(data), false)).callback(progressCallback());
                }
                if (sched != null) {
                    sched.attach(b, opt);
                }
                try (DataParallel dp = group == null ? null : new DataParallel(group, net.parameters())) {
                    if (dp != null) {
                        b.dataParallel(dp);
                    }
                    Trainer trainer = b.build();
                    if (resume) {
                        resumeFrom(trainer, checkpoint, config);
                    }
                    if (writer) {
                        stdout.printf("training %s on %s (%d examples, %d test) with %s, %d parameters, backend %s%s%n",
                                spec, data, split.train().size(), split.test().size(), opt.name(),
                                net.parameterCount(), Backends.defaultName(), group == null ? ""
                                        : ", " + group.worldSize() + " processes (" + group.backend() + ")");
                        stdout.flush();
                    }
                    TrainingResult result = trainer.fit();
                    if (!writer) {
                        return result.diverged() ? ExitCodes.DIVERGED : ExitCodes.OK;
                    }
                    double wall = (System.nanoTime() - start) / 1e9;
                    RunSummary.write(dir.resolve(SUMMARY), result, config, net.parameterCount(), wall);
                    return report(result, dir, stdout);
                }
            }
        }
    }

    /** The most threads: a ForkJoinPool's parallelism limit (0x7fff), which the CPU backend's pool is. */
    static final int MAX_THREADS = 32767;

    private void validate() {
        require(epochs >= 1, "--epochs: expected at least 1, got " + epochs);
        require(batchSize >= 1, "--batch-size: expected at least 1, got " + batchSize);
        require(dropout >= 0 && dropout < 1, "--dropout: expected a probability in [0, 1), got " + dropout);
        require(lr == null || lr > 0 && lr < Double.POSITIVE_INFINITY, "--lr: expected a finite rate > 0, got " + lr);
        require(momentum == null || Double.isFinite(momentum),
                "--momentum: expected a finite momentum, got " + momentum);
        require(weightDecay == null || Double.isFinite(weightDecay),
                "--weight-decay: expected a finite weight decay, got " + weightDecay);
        require(clipNorm >= 0 && clipNorm < Double.POSITIVE_INFINITY,
                "--clip-norm: expected a finite norm >= 0 (0: off), got " + clipNorm);
        require(lossTolerance >= 0 && lossTolerance < Double.POSITIVE_INFINITY,
                "--loss-tolerance: expected a finite tolerance >= 0 (0: off), got " + lossTolerance);
        require(gradTolerance >= 0 && gradTolerance < Double.POSITIVE_INFINITY,
                "--grad-tolerance: expected a finite tolerance >= 0 (0: off), got " + gradTolerance);
        require(maxSteps >= 0, "--max-steps: expected steps >= 0 (0: off), got " + maxSteps);
        require(checkpointEvery >= 0, "--checkpoint-every: expected steps >= 0 (0: off), got " + checkpointEvery);
        require(patience >= 0, "--patience: expected epochs >= 0 (0: off), got " + patience);
        require(threads == null || threads >= 1 && threads <= MAX_THREADS, "--threads: expected 1 to " + MAX_THREADS
                + " (a ForkJoinPool's limit), got " + threads);
        require(out == null || !Files.exists(out) || Files.isDirectory(out),
                "--out: expected a directory (or where to make one), got " + out + ", which is not a directory");
        require(backend.equals("cpu") || backend.equals("cuda"), "--backend: expected cpu or cuda, got '" + backend + "'");
        require(progress.equals("auto") || progress.equals("bar") || progress.equals("plain"),
                "--progress: expected auto, bar or plain, got '" + progress + "'");
        require(!resume || out != null || Files.isDirectory(Path.of("runs", DataSpec.shortName(data))),
                "--resume: give --out DIR, the directory of the run to continue");
        ModelSpec.parse(model);
        ModelSpec.InitScheme.parse(init);
        ScheduleSpec.parse(schedule, 1e-3, 1);
        OptimizerSpec.check(optimizer);
        DataSpec.check(data);
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new UserError(message);
        }
    }

    private static double nan(Double v) {
        return v == null ? Double.NaN : v;
    }

    /** Progress goes to standard output itself: the bar rewrites its line there. */
    private ProgressCallback progressCallback() {
        PrintStream ps = System.out;
        return switch (progress) {
            case "bar" -> new ProgressCallback(ps, true);
            case "plain" -> new ProgressCallback(ps, false);
            default -> ProgressCallback.forConsole(ps);
        };
    }

    /** The exact configuration, for summary.json. */
    ObjectNode config() {
        ObjectNode c = new ObjectMapper().createObjectNode();
        c.put("data", data);
        c.put("model", ModelSpec.parse(model).toString());
        c.put("activation", activation);
        c.put("init", ModelSpec.InitScheme.parse(init).toString());
        c.put("batch_norm", batchNorm);
        c.put("dropout", dropout);
        c.put("optimizer", optimizer);
        putNullable(c, "lr", lr);
        putNullable(c, "momentum", momentum);
        putNullable(c, "weight_decay", weightDecay);
        ObjectNode hp = c.putObject("hp");
        hyper.forEach(hp::put);
        c.put("schedule", schedule);
        c.put("clip_norm", clipNorm);
        c.put("batch_size", batchSize);
        c.put("drop_last", dropLast);
        c.put("epochs", epochs);
        c.put("max_steps", maxSteps);
        c.put("checkpoint_every", checkpointEvery);
        c.put("patience", patience);
        c.put("loss_tolerance", lossTolerance);
        c.put("grad_tolerance", gradTolerance);
        c.put("normalize", !noNormalize);
        c.put("seed", seed);
        c.put("backend", backend);
        if (threads != null) {
            c.put("threads", threads);
        } else {
            c.putNull("threads");
        }
        return c;
    }

    private static void putNullable(ObjectNode c, String key, Double v) {
        if (v == null) {
            c.putNull(key);
        } else {
            c.put(key, v);
        }
    }

    /** The settings that make a run what it is: all but those that may change on resuming. */
    static ObjectNode runDefining(ObjectNode config) {
        ObjectNode c = config.deepCopy();
        c.remove(List.of("epochs", "max_steps", "checkpoint_every", "patience", "loss_tolerance", "grad_tolerance",
                "threads", "backend", "world_size"));
        return c;
    }

    private static void resumeFrom(Trainer trainer, Path checkpoint, ObjectNode config) throws Exception {
        if (!Files.isRegularFile(checkpoint)) {
            throw new UserError("--resume: no checkpoint at " + checkpoint + " to continue from");
        }
        Map<String, String> meta = trainer.restore(checkpoint);
        JsonNode read;
        try {
            read = new ObjectMapper().readTree(meta.getOrDefault("config", "{}"));
        } catch (JsonProcessingException e) {
            throw new CheckpointException(checkpoint + "!trainer.json: its metadata 'config' is not valid JSON: "
                    + e.getOriginalMessage().replaceAll("\\s+", " "), e);
        }
        if (!(read instanceof ObjectNode saved)) {
            throw new CheckpointException(checkpoint + "!trainer.json: its metadata 'config' is not a JSON object");
        }
        // through text, as the saved one went, so that numbers compare by value and not by Java type
        ObjectNode now = (ObjectNode) new ObjectMapper().readTree(runDefining(config).toString());
        if (!saved.equals(now)) {
            StringBuilder diff = new StringBuilder();
            saved.fieldNames().forEachRemaining(k -> {
                if (!saved.get(k).equals(now.get(k))) {
                    diff.append(diff.length() == 0 ? "" : ", ").append(k).append(": ").append(saved.get(k))
                            .append(" -> ").append(now.get(k));
                }
            });
            throw new UserError("--resume: the run in " + checkpoint.getParent() + " was made with other settings ("
                    + diff + "); give the same ones, or another --out");
        }
    }

    private static int report(TrainingResult r, Path dir, PrintWriter out) {
        var last = r.lastEpoch();
        if (r.diverged()) {
            out.flush();
            System.err.println("descent train: " + r.message());
        } else {
            // a step budget may end a run before its first epoch is complete
            String test = last == null ? "" : String.format("; test loss %.4f, test accuracy %.4f", last.testLoss(),
                    last.testAccuracy());
            out.printf("done (%s): %d steps in %.1f s, %.0f samples/s%s%n", r.message(), r.steps(), r.wallSeconds(),
                    r.samplesPerSecond(), test);
        }
        out.println("metrics: " + dir.resolve("metrics.csv") + ", " + dir.resolve("steps.csv") + ", "
                + dir.resolve("metrics.jsonl"));
        out.println("summary: " + dir.resolve(SUMMARY));
        out.println("charts:  " + dir.resolve("loss.png") + ", accuracy.png, step-loss.png, grad-norm.png, "
                + "learning-rate.png (and .svg)");
        out.println("checkpoint: " + dir.resolve(CHECKPOINT));
        out.flush();
        return r.diverged() ? ExitCodes.DIVERGED : ExitCodes.OK;
    }
}
