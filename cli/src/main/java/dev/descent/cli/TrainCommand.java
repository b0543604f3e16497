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
import dev.descent.nn.loss.Loss;
import dev.descent.nn.loss.Reduction;
import dev.descent.nn.loss.TokenCrossEntropyLoss;
import dev.descent.optim.Optimizer;
import dev.descent.optim.WeightDecayGroups;
import dev.descent.train.AtomicFiles;
import dev.descent.train.RunLock;
import dev.descent.train.StopRules;
import dev.descent.train.Trainer;
import dev.descent.train.TrainingResult;
import dev.descent.train.checkpoint.CheckpointException;
import dev.descent.train.data.Augmentation;
import dev.descent.train.checkpoint.CheckpointFile;
import dev.descent.train.data.DataLoader;
import dev.descent.train.data.DataSplit;
import dev.descent.train.data.text.TextCorpus;
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

/**
 * {@code descent train}: trains a classifier (an MLP) or a language model (a GPT on a text) and
 * writes its metrics, charts, summary and checkpoint.
 */
@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Trains an MLP or CNN classifier, or a GPT on a text, and writes metrics.csv, steps.csv, "
                + "metrics.jsonl, summary.json, charts (PNG and SVG) and a checkpoint to --out.",
                "With no options: two spirals, mlp:64,64, Adam, 20 epochs on the CPU, in seconds."},
        footer = {"", "Examples:", "  descent train",
                "  descent train --data fashion-mnist --model mlp:256,128 --optimizer adam --lr 1e-3 --batch-size 128 "
                        + "--epochs 10 --schedule cosine",
                "  descent train --data fashion-mnist --model cnn:c32k3,bn,relu,c32k3,bn,relu,pool2,c64k3,bn,relu,pool2,"
                        + "fc128,relu,drop0.3 --batch-size 128 --epochs 15 --schedule cosine --augment flip "
                        + "--label-smoothing 0.1 --cpu-convolutions onednn",
                "  descent train --optimizer nesterov --lr 0.05 --schedule cosine --clip-norm 1",
                "  descent train --out runs/x --epochs 20 --resume    (continue runs/x from its checkpoint)",
                "  descent train --max-steps 500 --checkpoint-every 100    (stop at step 500, resumable there)",
                "  descent train --data text:corpus.txt --model gpt:layers=4,heads=4,dim=128,context=128 --epochs 30",
                "      (a character-level GPT; AdamW, warm-up and cosine, clipping at 1 unless told otherwise)",
                "  descent launch --nproc 2 train --threads 1    (two processes, data-parallel)", "",
                "Under 'descent launch', torchrun or Slurm (WORLD_SIZE, RANK, MASTER_ADDR, MASTER_PORT set), each process "
                        + "trains on its part of every batch (Gloo on the CPU, NCCL on CUDA); rank 0 alone writes --out.", "",
                "CNN layers (--model cnn:LAYER,...; a Linear layer to the classes ends every model):",
                "  cNkK[sS][pP]  Conv2d, N filters of KxK, stride S (1), padding P (K/2); no bias when bn follows",
                "  bn            BatchNorm2d (BatchNorm1d after fcN)     relu, tanh, gelu   activations",
                "  poolK         MaxPool2d KxK, stride K                  avgpoolK           AvgPool2d KxK, stride K",
                "  gap           global average pooling                   fcN                Linear to N (Flatten first)",
                "  dropP         Dropout with probability P", "",
                "Exit status: 0 done, 1 failed (a missing, corrupt or foreign file such as a bad checkpoint, a backend, "
                        + "I/O, --out in use by another run), 2 wrong option or value, 3 training diverged."})
public final class TrainCommand implements Callable<Integer> {
    static final String CHECKPOINT = "checkpoint.ckpt";
    static final String SUMMARY = "summary.json";

    @Spec
    CommandSpec spec;

    @Option(names = "--data", paramLabel = "SET", defaultValue = "spirals",
            description = "spirals, blobs, fashion-mnist, a directory of MNIST-format IDX files, or text:FILE for a "
                    + "language model (default: ${DEFAULT-VALUE})")
    String data;

    @Option(names = "--model", paramLabel = "SPEC", defaultValue = "mlp:64,64",
            description = "mlp:H1,H2,... (hidden layer sizes of an MLP), cnn:LAYER,... (a convolutional network, "
                    + "layers below; images only) or gpt:layers=L,heads=H,dim=D,context=T (text only) "
                    + "(default: ${DEFAULT-VALUE})")
    String model;

    @Option(names = "--augment", paramLabel = "SPEC", defaultValue = "none",
            description = "seeded changes to training images: none, crop:P (pad P on each side, cut back at a random "
                    + "offset), flip (mirror half of them), or crop:P,flip (default: ${DEFAULT-VALUE})")
    String augment;

    @Option(names = "--tokenizer", defaultValue = "char",
            description = "text: char (the file's own characters) or byte (UTF-8 bytes) (default: ${DEFAULT-VALUE})")
    String tokenizer;

    @Option(names = "--steps-per-epoch", paramLabel = "N", defaultValue = "100",
            description = "text: steps per epoch, each a batch of random windows; the validation loss is measured "
                    + "after each epoch (default: ${DEFAULT-VALUE})")
    int stepsPerEpoch;

    @Option(names = "--activation", defaultValue = "relu",
            description = "the MLP's activation: relu, tanh or gelu (default: ${DEFAULT-VALUE})")
    String activation;

    @Option(names = "--init", paramLabel = "SCHEME", defaultValue = "pytorch",
            description = "initial weights: pytorch (U(±1/√in), PyTorch's nn.Linear), xavier (N(0, 1/in), zero bias) "
                    + "or he (N(0, 2/in), zero bias) (default: ${DEFAULT-VALUE})")
    String init;

    @Option(names = "--batch-norm", description = "batch normalisation after each hidden linear layer of an MLP")
    boolean batchNorm;

    @Option(names = "--dropout", paramLabel = "P", defaultValue = "0",
            description = "dropout probability after each hidden layer of an MLP (default: ${DEFAULT-VALUE})")
    double dropout;

    @Option(names = "--optimizer", paramLabel = "NAME",
            description = "sgd, momentum, nesterov, adagrad, adadelta, rmsprop, adam, adamw, adamax, nadam, radam, yogi, "
                    + "lion (default: adam; for gpt adamw with beta2 0.99, weight decay 0.1 on matrices only)")
    String optimizer;

    @Option(names = "--lr", paramLabel = "RATE", description = "learning rate (default: the optimiser's; Adam 1e-3)")
    Double lr;

    @Option(names = "--momentum", paramLabel = "MU", description = "momentum (momentum and nesterov: 0.9; rmsprop: 0)")
    Double momentum;

    @Option(names = "--weight-decay", paramLabel = "LAMBDA", description = "weight decay (default: the optimiser's)")
    Double weightDecay;

    @Option(names = "--label-smoothing", paramLabel = "EPS",
            description = "move EPS of each target's probability evenly onto every class, as PyTorch's "
                    + "CrossEntropyLoss(label_smoothing=EPS); the test loss is then the smoothed one (default: 0)")
    double labelSmoothing;

    @Option(names = "--hp", paramLabel = "NAME=VALUE",
            description = "any other hyper-parameter of the optimiser, e.g. --hp beta2=0.99 --hp amsgrad=true")
    Map<String, String> hyper = new LinkedHashMap<>();

    @Option(names = "--schedule", paramLabel = "SPEC",
            description = "none, step:EPOCHS:GAMMA, exponential:GAMMA, linear:END_LR, cosine[:MIN_LR], warmup:STEPS, "
                    + "warmup-cosine:STEPS[:MIN_LR], onecycle, plateau[:PATIENCE[:FACTOR]] (default: none; for gpt "
                    + "warmup-cosine:100)")
    String schedule;

    @Option(names = "--clip-norm", paramLabel = "MAX",
            description = "clip the global gradient norm to MAX (default: 0, off; for gpt 1)")
    Double clipNorm;

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

    @Option(names = "--cpu-convolutions", paramLabel = "IMPL",
            description = "float32 convolutions on the CPU: descent (its own, the default: the same bits on any "
                    + "thread count) or onednn (oneDNN's: faster CNN training, bits that depend on OMP_NUM_THREADS)")
    String cpuConvolutions;

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

    /** Whether this run trains a GPT on a text (else an MLP classifier). */
    private boolean languageModel() {
        return GptSpec.matches(model);
    }

    /** The options whose defaults depend on the model: a GPT trains as nanoGPT does unless told otherwise. */
    private void resolveDefaults() {
        boolean gpt = languageModel();
        if (optimizer == null) {
            optimizer = gpt ? "adamw" : "adam";
            if (gpt) {
                hyper.putIfAbsent("beta2", "0.99");
                weightDecay = weightDecay == null ? 0.1 : weightDecay;
            }
        }
        if (schedule == null) {
            schedule = gpt ? "warmup-cosine:100" : "none";
        }
        if (clipNorm == null) {
            clipNorm = gpt ? 1.0 : 0.0;
        }
    }

    @Override
    public Integer call() throws Exception {
        resolveDefaults();
        validate();
        if (threads != null) {
            System.setProperty("descent.cpu.threads", Integer.toString(threads));
        }
        if (cpuConvolutions != null) {
            System.setProperty("descent.cpu.convolutions", cpuConvolutions);
        }
        Backends.setDefault(backend);
        Path dir = out != null ? out : defaultDir();
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

    private Path defaultDir() {
        return Path.of("runs", TextData.isText(data) ? TextData.shortName(data) : DataSpec.shortName(data));
    }

    private int run(Path dir, ProcessGroup group) throws Exception {
        boolean writer = group == null || group.rank() == 0;
        PrintWriter stdout = spec.commandLine().getOut();
        ObjectNode config = config();
        config.put("world_size", group == null ? 1 : group.worldSize());

        long start = System.nanoTime();
        boolean gpt = languageModel();
        TextCorpus corpus = gpt ? TextData.read(data, tokenizer) : null;
        GptSpec gptSpec = gpt ? GptSpec.parse(model) : null;
        ModelSpec modelSpec = gpt ? null : ModelSpec.parse(model);
        try (DataSpec.Loaded loaded = gpt ? null : DataSpec.load(data, seed, !noNormalize);
             DataSplit split = gpt ? corpus.windows(gptSpec.context(), Backends.defaultDevice())
                     : shaped(loaded.split(), modelSpec)) {
            Generator initGen = new Generator(seed + 1);
            Generator dropoutGen = new Generator(seed + 2);
            String modelName = gpt ? gptSpec.toString() : modelSpec.toString();
            ModelSpec.Settings settings = new ModelSpec.Settings(activation, ModelSpec.InitScheme.parse(init), batchNorm,
                    dropout, initGen, dropoutGen);
            try (Module net = gpt ? gptSpec.build(corpus.tokenizer().vocabSize(), dropout, initGen, dropoutGen)
                    : modelSpec.build(split.train().featureShape(), split.train().classes(), settings);
                 Optimizer opt = optimizerFor(net, gpt)) {
                DataLoader loader = gpt ? DataLoader.withReplacement(split.train(), batchSize, stepsPerEpoch, seed + 3)
                        : new DataLoader(split.train(), batchSize, true, dropLast, seed + 3)
                                .augmented(AugmentSpec.parse(augment, loaded.zero()));
                ScheduleSpec sched = ScheduleSpec.parse(schedule, opt.paramGroups().get(0).lr(),
                        (long) epochs * loader.batchesPerEpoch());
                Path checkpoint = dir.resolve(CHECKPOINT);
                CrossEntropyLoss rows = new CrossEntropyLoss(Reduction.MEAN, labelSmoothing);
                Loss loss = gpt ? new TokenCrossEntropyLoss(rows) : rows;
                Trainer.Builder b = Trainer.builder(net, loss, opt, loader).test(split.test())
                        .clipNorm(clipNorm)
                        .stopRules(new StopRules(epochs, lossTolerance, gradTolerance, patience, 0, maxSteps))
                        .checkpoint(checkpoint).checkpointEvery(checkpointEvery).generator("dropout", dropoutGen)
                        .metadata("config", runDefining(config).toString());
                if (writer) {
                    b.callback(new MetricsCallback(dir, DataSpec.shortName(data), false)).callback(progressCallback());
                }
                if (gpt) {
                    // windows of a context each: the evaluation's memory grows with the chunk, not the set
                    b.evalChunk(batchSize).metadata(TOKENIZER, corpus.tokenizer().toJson().toString());
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
                        stdout.printf("training %s on %s (%d %s, %d %s) with %s, %d parameters, backend %s%s%n",
                                modelName, data, split.train().size(), gpt ? "training windows" : "examples",
                                split.test().size(), gpt ? "validation windows of " + gptSpec.context() + " "
                                        + corpus.tokenizer().kind() + " tokens" : "test", opt.name(),
                                net.parameterCount(), Backends.defaultName(), group == null ? ""
                                        : ", " + group.worldSize() + " processes (" + group.backend() + ")");
                        stdout.flush();
                    }
                    TrainingResult result = trainer.fit();
                    if (!writer) {
                        return result.diverged() ? ExitCodes.DIVERGED : ExitCodes.OK;
                    }
                    double wall = (System.nanoTime() - start) / 1e9;
                    int tokensPerExample = gpt ? gptSpec.context() : 0;
                    RunSummary.write(dir.resolve(SUMMARY), result, config, net.parameterCount(), wall,
                            tokensPerExample);
                    return report(result, dir, stdout, tokensPerExample);
                }
            }
        }
    }

    /**
     * The split as the model takes it, in a split of its own: images {@code [C, H, W]} for a cnn
     * (an error for data that are not images), rows for an MLP (images flattened).
     */
    private static DataSplit shaped(DataSplit split, ModelSpec spec) {
        int[] shape = split.train().featureShape();
        if (spec.takesImages()) {
            if (shape.length != 3) {
                throw new UserError("--model: a cnn needs images, but '" + split.train().name() + "' has examples of "
                        + "shape " + java.util.Arrays.toString(shape) + " (use an mlp, or --data fashion-mnist)");
            }
            return split.withFeatureShape(shape);
        }
        return split.withFeatureShape(split.train().featureCount());
    }

    /**
     * The optimiser over {@code net}'s parameters; for a GPT in two groups, the matrices with the
     * weight decay and the biases and norms without ({@link WeightDecayGroups}).
     */
    private Optimizer optimizerFor(Module net, boolean gpt) {
        if (!gpt) {
            return OptimizerSpec.build(optimizer, net.parameters(), nan(lr), nan(momentum), nan(weightDecay), hyper);
        }
        WeightDecayGroups groups = WeightDecayGroups.matricesOnly(net.parameters());
        Optimizer opt = OptimizerSpec.build(optimizer, groups.decayed(), nan(lr), nan(momentum), nan(weightDecay),
                hyper);
        try {
            return groups.addNotDecayedTo(opt);
        } catch (RuntimeException e) {
            opt.close();
            throw e;
        }
    }

    /** The checkpoint's metadata key of a language model's tokenizer (JSON, {@code Tokenizer.toJson}). */
    static final String TOKENIZER = "tokenizer";

    /** The most threads: a ForkJoinPool's parallelism limit (0x7fff), which the CPU backend's pool is. */
    static final int MAX_THREADS = 32767;

    private void validate() {
        require(epochs >= 1, "--epochs: expected at least 1, got " + epochs);
        require(batchSize >= 1, "--batch-size: expected at least 1, got " + batchSize);
        require(dropout >= 0 && dropout < 1, "--dropout: expected a probability in [0, 1), got " + dropout);
        require(labelSmoothing >= 0 && labelSmoothing <= 1,
                "--label-smoothing: expected a value in [0, 1], got " + labelSmoothing);
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
        require(cpuConvolutions == null || cpuConvolutions.equals("descent") || cpuConvolutions.equals("onednn"),
                "--cpu-convolutions: expected descent or onednn, got '" + cpuConvolutions + "'");
        require(progress.equals("auto") || progress.equals("bar") || progress.equals("plain"),
                "--progress: expected auto, bar or plain, got '" + progress + "'");
        require(!resume || out != null || Files.isDirectory(defaultDir()),
                "--resume: give --out DIR, the directory of the run to continue");
        require(stepsPerEpoch >= 1, "--steps-per-epoch: expected at least 1, got " + stepsPerEpoch);
        require(tokenizer.equals("char") || tokenizer.equals("byte"),
                "--tokenizer: expected char or byte, got '" + tokenizer + "'");
        Augmentation augmentation = AugmentSpec.parse(augment, 0);
        if (languageModel()) {
            GptSpec.parse(model);
            require(TextData.isText(data), "--model " + model + " is a language model: give it --data text:FILE");
            TextData.check(data);
            require(augmentation.isNone(), "--augment: changes images, which only a cnn model takes (got --model "
                    + model + ")");
        } else {
            ModelSpec parsed = ModelSpec.parse(model);
            require(!TextData.isText(data), "--data " + data + " is a text: give it a language model, --model "
                    + "gpt:layers=4,heads=4,dim=128,context=128");
            DataSpec.check(data);
            if (parsed.takesImages()) {
                var given = spec.commandLine().getParseResult();
                for (String option : List.of("--activation", "--batch-norm", "--dropout")) {
                    require(!given.hasMatchedOption(option), option + ": an MLP option; a cnn names its layers in "
                            + "--model (e.g. " + CnnSpec.EXAMPLE + ")");
                }
            } else {
                require(augmentation.isNone(), "--augment: changes images, which only a cnn model takes (got --model "
                        + model + ")");
            }
        }
        ModelSpec.InitScheme.parse(init);
        ScheduleSpec.parse(schedule, 1e-3, 2);
        OptimizerSpec.check(optimizer);
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
        c.put("model", languageModel() ? GptSpec.parse(model).toString() : ModelSpec.parse(model).toString());
        c.put("augment", AugmentSpec.parse(augment, 0).toString());
        if (languageModel()) {
            c.put("tokenizer", tokenizer);
            c.put("steps_per_epoch", stepsPerEpoch);
        }
        c.put("activation", activation);
        c.put("init", ModelSpec.InitScheme.parse(init).toString());
        c.put("batch_norm", batchNorm);
        c.put("dropout", dropout);
        if (labelSmoothing != 0) {
            // only when set: the runs made before the option existed resume unchanged
            c.put("label_smoothing", labelSmoothing);
        }
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
        // the settings first, so that another model's checkpoint is named as such, not as weights that do not fit
        Map<String, String> meta = CheckpointFile.read(checkpoint).trainer().metadata();
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
        trainer.restore(checkpoint);
    }

    private static int report(TrainingResult r, Path dir, PrintWriter out, int tokensPerExample) {
        var last = r.lastEpoch();
        if (r.diverged()) {
            out.flush();
            System.err.println("descent train: " + r.message());
        } else {
            // a step budget may end a run before its first epoch is complete
            String test = last == null ? "" : tokensPerExample > 0
                    ? String.format("; validation loss %.4f", last.testLoss())
                    : String.format("; test loss %.4f, test accuracy %.4f", last.testLoss(), last.testAccuracy());
            String rate = tokensPerExample > 0 ? String.format("%.0f tokens/s", r.samplesPerSecond() * tokensPerExample)
                    : String.format("%.0f samples/s", r.samplesPerSecond());
            out.printf("done (%s): %d steps in %.1f s, %s%s%n", r.message(), r.steps(), r.wallSeconds(), rate, test);
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
