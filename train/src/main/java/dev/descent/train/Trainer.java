package dev.descent.train;

import dev.descent.core.Check;
import dev.descent.core.DType;
import dev.descent.core.Generator;
import dev.descent.core.Scope;
import dev.descent.core.Tensor;
import dev.descent.distributed.DataParallel;
import dev.descent.distributed.ProcessGroup;
import dev.descent.nn.Module;
import dev.descent.nn.io.SafeTensors;
import dev.descent.nn.io.SafeTensorsContent;
import dev.descent.nn.io.SafeTensorsException;
import dev.descent.nn.loss.Loss;
import dev.descent.optim.Optimizer;
import dev.descent.optim.schedule.LrScheduler;
import dev.descent.optim.schedule.ReduceLrOnPlateau;
import dev.descent.train.checkpoint.CheckpointException;
import dev.descent.train.checkpoint.CheckpointFile;
import dev.descent.train.checkpoint.HistoryLog;
import dev.descent.train.checkpoint.TrainerState;
import dev.descent.train.data.Batch;
import dev.descent.train.data.DataLoader;
import dev.descent.train.data.Dataset;
import dev.descent.train.metrics.EpochRecord;
import dev.descent.train.metrics.MetricsHistory;
import dev.descent.train.metrics.StepRecord;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The training loop (seed 000: epochs of batches drawn without repetition; seed 001: shuffle
 * each epoch, watch the learning curves and the gradient norm). Each step is a
 * {@link TrainingStep} (forward, loss, backward, global gradient norm, clipping, one read of the
 * loss and the norm, step, zero-grad); around it the trainer counts right answers on the device,
 * keeps the records, steps the schedule when it counts steps and calls the callbacks.
 *
 * After each epoch: the test set's loss and accuracy, the schedule when it counts epochs (or the
 * plateau reducer, fed the watched loss), a checkpoint (when a path is set), the callbacks, then
 * the {@link StopRules}. The watched loss is the test loss when there is a test set, else the
 * epoch's training loss.
 *
 * <p><b>Divergence.</b> A loss or gradient norm that is NaN or infinite stops the run at once
 * with {@link StopReason#DIVERGED} and a message that names the epoch, step and learning rate
 * and suggests a smaller one (seed 000: too large a learning rate makes the loss grow without
 * bound); the step is not taken. No checkpoint is written after the diverged step, so the last
 * good one stays intact. A step can also make the weights infinite while its loss and gradient
 * were finite: before any checkpoint is written the weights are checked (one read), and
 * non-finite ones are a divergence too, never saved.
 *
 * <p><b>Step budget.</b> {@link StopRules#maxSteps()} is checked after every step, so a run may
 * stop inside an epoch ({@link StopReason#MAX_STEPS}); that epoch then has no record (its steps
 * have), and a later {@code fit()} of a run with a larger budget finishes it.
 *
 * <p><b>Checkpoints and resuming.</b> After each epoch the model's weights, the optimiser's
 * state, the schedule's counter or the plateau reducer's counters, the registered generators' states
 * (dropout masks, say), the early-stopping state and the metrics so far are written atomically to one file
 * ({@link CheckpointFile}; the metrics' new records are appended to the {@link HistoryLog} beside it);
 * so they are every {@link Builder#checkpointEvery} steps inside an epoch,
 * and where the step budget stops a run inside one, with that epoch's progress (its batches done
 * and running sums). {@link #restore} puts them back into a freshly built model, optimiser and
 * schedule; since the loader's order for epoch e depends only on its seed and e, the resumed run
 * then takes exactly the steps an uninterrupted run takes, skipping the batches already done.
 *
 * <p><b>Memory.</b> Each step runs inside a {@code Scope}; the graph is freed by backward, so
 * the loop runs in constant memory.
 *
 * <p>The loss is taken to be a mean over its batch (the default reduction): epoch losses are
 * averages weighted by batch size.
 *
 * <p><b>Data-parallel</b> ({@link Builder#dataParallel}): each rank of the group runs this
 * trainer with the same settings and the same loader; the trainer takes the rank's shard of the
 * loader ({@link DataLoader#shard}: its part of every batch), and at the start of
 * {@link #fit()} every rank receives rank 0's parameters and buffers. Each step averages the
 * gradients and the loss over the ranks ({@link TrainingStep#dataParallel}), so every rank holds
 * the same weights and records, sees the same losses and norms, and stops at the same point.
 * Step and epoch records count the whole batch; right answers are added over the ranks, and the
 * test set is evaluated in shares and added up. Only rank 0 writes the checkpoint; every rank
 * restores from it. Callbacks run on every rank (a callback that writes files should do so on
 * rank 0 only; one that stops the run must decide from the records, which every rank shares).
 */
public final class Trainer {
    private final Module model;
    private final Loss loss;
    private final Optimizer optimizer;
    private final DataLoader train;
    private final Dataset test;
    private final LrScheduler scheduler;
    private final ScheduleUnit scheduleUnit;
    private final ReduceLrOnPlateau plateau;
    private final double clipNorm;
    private final StopRules stopRules;
    private final Path checkpoint;
    private final long checkpointEvery;
    private final Map<String, Generator> generators;
    private final Map<String, String> metadata;
    private final List<TrainingCallback> callbacks;
    private final int evalChunk;
    private final TrainingStep step;
    private final DataParallel dataParallel;
    /** Whether this process writes checkpoints: rank 0 of a data-parallel run, or a lone process. */
    private final boolean writesCheckpoints;

    private final MetricsHistory history = new MetricsHistory();
    private int epochsDone;
    private long stepsDone;
    private double bestWatched = Double.POSITIVE_INFINITY;
    private int epochsWithoutImprovement;
    private volatile String stopRequest;
    /** The epoch under way: set while it runs and when the run stopped inside it; null at an epoch boundary. */
    private EpochProgress epochInProgress;
    /** Where the run stood when its checkpoint was last written or restored (null: not yet); a divergence names it. */
    private String lastCheckpoint;
    /** The history file beside the run's checkpoint that checkpoints append to (null: a new one at the next). */
    private HistoryLog historyLog;

    private Trainer(Builder b) {
        this.model = b.model;
        this.loss = b.loss;
        this.optimizer = b.optimizer;
        this.dataParallel = b.dataParallel;
        ProcessGroup group = dataParallel == null ? null : dataParallel.group();
        this.train = group == null ? b.train : b.train.shard(group.rank(), group.worldSize());
        this.writesCheckpoints = group == null || group.rank() == 0;
        this.test = b.test;
        this.scheduler = b.scheduler;
        this.scheduleUnit = b.scheduleUnit;
        this.plateau = b.plateau;
        this.clipNorm = b.clipNorm;
        this.stopRules = b.stopRules;
        this.checkpoint = b.checkpoint;
        this.checkpointEvery = b.checkpointEvery;
        this.generators = new LinkedHashMap<>(b.generators);
        this.metadata = new LinkedHashMap<>(b.metadata);
        this.callbacks = List.copyOf(b.callbacks);
        this.evalChunk = b.evalChunk;
        TrainingStep s = TrainingStep.of(model, loss, optimizer).clipNorm(clipNorm).measureGradNorm();
        this.step = dataParallel == null ? s : s.dataParallel(dataParallel);
    }

    /** A builder for a run of {@code model} under {@code loss}, trained by {@code optimizer} on {@code train}'s batches. */
    public static Builder builder(Module model, Loss loss, Optimizer optimizer, DataLoader train) {
        return new Builder(model, loss, optimizer, train);
    }

    // ---------------------------------------------------------------- facts

    public MetricsHistory history() {
        return history;
    }

    public int epochsDone() {
        return epochsDone;
    }

    public long stepsDone() {
        return stepsDone;
    }

    /** Batches of the epoch under way already done: 0 at an epoch's start, more when continuing one stopped inside. */
    public int batchesDoneInEpoch() {
        return epochInProgress == null ? 0 : epochInProgress.batchesDone;
    }

    public Module model() {
        return model;
    }

    public Optimizer optimizer() {
        return optimizer;
    }

    /** The loader this process draws from: the one given, or this rank's shard of it when data-parallel. */
    public DataLoader loader() {
        return train;
    }

    /** The data-parallel engine, or null for a single process. */
    public DataParallel dataParallel() {
        return dataParallel;
    }

    public StopRules stopRules() {
        return stopRules;
    }

    /** The checkpoint path, or null when none is written. */
    public Path checkpointPath() {
        return checkpoint;
    }

    /** The learning rate of the optimiser's first group now. */
    public double learningRate() {
        return optimizer.paramGroups().get(0).lr();
    }

    /** Asks the run to stop after the current epoch (from a callback or another thread). */
    public void requestStop(String why) {
        stopRequest = why == null ? "a callback asked to stop" : why;
    }

    // ---------------------------------------------------------------- the run

    /** Trains until a stop rule holds or the run diverges (continuing a restored run, inside an epoch if need be). */
    public TrainingResult fit() throws IOException {
        long start = System.nanoTime();
        // the throughput of this call's steps only, not of an epoch in progress's earlier ones
        long trainNanos = epochInProgress == null ? 0 : -epochInProgress.trainNanos;
        long trainExamples = epochInProgress == null ? 0 : -epochInProgress.examples;
        stopRequest = null;
        if (dataParallel != null) {
            dataParallel.broadcastFromRank0(model.namedState().values());
        }
        for (TrainingCallback c : callbacks) {
            c.onTrainStart(this);
        }
        TrainingResult result;
        while (true) {
            StopReason reason = stopReasonAfter(history.lastEpoch());
            if (reason != null) {
                result = finish(reason, describe(reason), start, trainNanos, trainExamples);
                break;
            }
            EpochProgress o = runEpoch();
            trainNanos += o.trainNanos;
            trainExamples += o.examples;
            if (o.divergence != null) {
                result = finish(StopReason.DIVERGED, o.divergence, start, trainNanos, trainExamples);
                break;
            }
            if (o.batchesDone < train.batchesPerEpoch()) {  // the step budget ran out inside the epoch
                result = finish(StopReason.MAX_STEPS, describe(StopReason.MAX_STEPS), start, trainNanos, trainExamples);
                break;
            }
            String diverged = completeEpoch(o);
            if (diverged != null) {
                result = finish(StopReason.DIVERGED, diverged, start, trainNanos, trainExamples);
                break;
            }
        }
        for (TrainingCallback c : callbacks) {
            c.onTrainEnd(this, result);
        }
        return result;
    }

    private TrainingResult finish(StopReason reason, String message, long start, long trainNanos, long examples) {
        double wall = (System.nanoTime() - start) / 1e9;
        double rate = trainNanos > 0 ? examples / (trainNanos / 1e9) : Double.NaN;
        return new TrainingResult(reason, message, epochsDone, stepsDone, wall, rate, history);
    }

    /**
     * Runs the epoch under way, or the next one, until its last batch, a divergence or the end of
     * the step budget.
     */
    private EpochProgress runEpoch() throws IOException {
        if (epochInProgress == null) {
            epochInProgress = new EpochProgress(epochsDone + 1);
        }
        EpochProgress o = epochInProgress;
        int epoch = o.epoch;
        int batches = train.batchesPerEpoch();
        for (TrainingCallback c : callbacks) {
            c.onEpochStart(this, epoch, batches);
        }
        model.train();
        boolean classification = train.dataset().isClassification();
        for (Batch batch : train.epoch(epoch - 1, o.batchesDone)) {
            long t0 = System.nanoTime();
            TrainingStep.Result r;
            int examples = train.examplesInBatch(batch.number());   // over every rank
            double share = batch.size() * (double) train.shardCount() / examples;
            try (batch) {
                r = step.run(batch.features(), batch.targets(), classification ? o.correct::add : null, share);
            }
            double lr = learningRate();
            StepRecord record = new StepRecord(stepsDone + 1, epoch, r.loss(), r.gradNorm(), lr, examples);
            if (!r.updated()) {
                o.divergence = divergence(Double.isFinite(r.loss()) ? "the gradient norm is " + r.gradNorm()
                        : "the loss is " + r.loss(), epoch, record.step(), lr);
            } else if (scheduler != null && scheduleUnit == ScheduleUnit.STEP) {
                scheduler.step();
            }
            o.trainNanos += System.nanoTime() - t0;
            history.add(record);
            stepsDone = record.step();
            boolean budgetEnds = false;
            if (o.divergence == null) {
                o.add(record);
                // at the epoch's last batch the end-of-epoch checkpoint and stop rules take over
                boolean inside = o.batchesDone < batches;
                budgetEnds = inside && budgetSpent();
                if (checkpoint != null && inside
                        && (budgetEnds || checkpointEvery > 0 && stepsDone % checkpointEvery == 0)) {
                    o.divergence = writeCheckpoint(epoch, lr);
                }
            }
            for (TrainingCallback c : callbacks) {
                c.onStep(this, record);
            }
            if (o.divergence != null || budgetEnds) {
                return o;
            }
        }
        return o;
    }

    private boolean budgetSpent() {
        return stopRules.maxSteps() > 0 && stepsDone >= stopRules.maxSteps();
    }

    private String divergence(String what, int epoch, long step, double lr) {
        String last = lastCheckpoint != null ? "; the last good checkpoint (" + checkpoint + ", " + lastCheckpoint
                + ") is intact" : "";
        // lr is finite: optimisers refuse a non-finite one, so the suggestion is too
        return "training diverged: " + what + " at epoch " + epoch + ", step " + step + " (learning rate " + lr
                + "); try a smaller learning rate, e.g. " + (lr / 10) + last;
    }

    /** Ends epoch {@code o}: its record, the schedule, the checkpoint, the callbacks; a divergence found then, or null. */
    private String completeEpoch(EpochProgress o) throws IOException {
        if (dataParallel != null) {
            o.correct.fold(dataParallel.group());
        }
        double trainLoss = o.lossSum / o.examples;
        double trainAcc = train.dataset().isClassification() ? (double) o.correct.value() / o.examples : Double.NaN;
        o.close();
        Evaluation eval = test == null ? new Evaluation(Double.NaN, Double.NaN)
                : Evaluation.of(model, loss, test, evalChunk, dataParallel == null ? null : dataParallel.group());
        epochsDone = o.epoch;
        epochInProgress = null;
        if (scheduler != null && scheduleUnit == ScheduleUnit.EPOCH) {
            scheduler.step();
        }
        double watched = test == null ? trainLoss : eval.loss();
        if (plateau != null && Double.isFinite(watched)) {
            plateau.step(watched);
        }
        if (watched < bestWatched - stopRules.minDelta()) {
            bestWatched = watched;
            epochsWithoutImprovement = 0;
        } else {
            epochsWithoutImprovement++;
        }
        double seconds = (System.nanoTime() - o.startNanos) / 1e9;
        EpochRecord record = new EpochRecord(o.epoch, stepsDone, trainLoss, trainAcc, eval.loss(), eval.accuracy(),
                o.gradNormSum / o.batchesDone, o.lastLr, seconds, o.examples / (o.trainNanos / 1e9));
        history.add(record);
        String diverged = checkpoint != null ? writeCheckpoint(o.epoch, o.lastLr) : null;
        for (TrainingCallback c : callbacks) {
            c.onEpochEnd(this, record);
        }
        return diverged;
    }

    /** The rule that stops the run after {@code last} (null: go on). */
    private StopReason stopReasonAfter(EpochRecord last) {
        if (stopRequest != null) {
            return StopReason.STOPPED_BY_CALLBACK;
        }
        if (epochsDone >= stopRules.maxEpochs()) {
            return StopReason.MAX_EPOCHS;
        }
        if (budgetSpent()) {
            return StopReason.MAX_STEPS;
        }
        if (last == null) {
            return null;
        }
        if (stopRules.lossTolerance() > 0 && last.trainLoss() < stopRules.lossTolerance()) {
            return StopReason.LOSS_TOLERANCE;
        }
        if (stopRules.gradNormTolerance() > 0 && last.gradNorm() < stopRules.gradNormTolerance()) {
            return StopReason.GRAD_NORM_TOLERANCE;
        }
        if (stopRules.patience() > 0 && epochsWithoutImprovement >= stopRules.patience()) {
            return StopReason.NO_IMPROVEMENT;
        }
        return null;
    }

    private String describe(StopReason reason) {
        EpochRecord last = history.lastEpoch();
        return switch (reason) {
            case MAX_EPOCHS -> "trained " + epochsDone + " epoch(s)";
            case LOSS_TOLERANCE -> "the training loss " + last.trainLoss() + " is below the tolerance "
                    + stopRules.lossTolerance() + " after epoch " + epochsDone;
            case GRAD_NORM_TOLERANCE -> "the mean gradient norm " + last.gradNorm() + " is below the tolerance "
                    + stopRules.gradNormTolerance() + " after epoch " + epochsDone;
            case NO_IMPROVEMENT -> "the " + (test == null ? "training" : "test") + " loss has not improved for "
                    + epochsWithoutImprovement + " epoch(s) (best " + bestWatched + ")";
            case STOPPED_BY_CALLBACK -> stopRequest + " (after epoch " + epochsDone + ")";
            case MAX_STEPS -> "took the budget of " + stopRules.maxSteps() + " step(s), stopping at step " + stepsDone
                    + (epochInProgress == null ? " after epoch " + epochsDone : " in epoch " + epochInProgress.epoch
                    + " after " + epochInProgress.batchesDone + " of its " + train.batchesPerEpoch() + " batches");
            case DIVERGED -> "diverged";
        };
    }

    // ---------------------------------------------------------------- checkpoints

    /**
     * Writes the run's state to {@code path} atomically, with the epoch in progress's when there is
     * one (done after every epoch, and inside epochs as {@link Builder#checkpointEvery} and the step
     * budget ask, when a checkpoint path is set). The history's new records are first appended to
     * the {@link HistoryLog} beside it, so a checkpoint costs the records since the last one.
     */
    public void saveCheckpoint(Path path) throws IOException {
        HistoryLog log = historyLogFor(path);
        HistoryLog.Reference ref = log.append(history);
        Map<String, long[]> gens = new LinkedHashMap<>();
        generators.forEach((name, g) -> gens.put(name, g.state()));
        TrainerState state = new TrainerState(epochsDone, stepsDone,
                epochInProgress == null ? null : epochInProgress.snapshot(), scheduler == null ? -1 : scheduler.count(),
                plateau == null ? null : plateau.state(), gens, bestWatched, epochsWithoutImprovement, loaderSettings(),
                history, metadata);
        byte[] weights = SafeTensors.encode(model.namedState(), Map.of("format", "pt", "epoch",
                Integer.toString(epochsDone)));
        new CheckpointFile(weights, optimizer.saveState(), state, null).write(path, ref);
        HistoryLog.deleteOthers(path, log.file());
    }

    /** The run's own history log for its checkpoint path (appended to); a new one for any other path. */
    private HistoryLog historyLogFor(Path path) {
        if (checkpoint != null && sameFile(path, checkpoint)) {
            if (historyLog == null) {
                historyLog = HistoryLog.startNew(checkpoint);
            }
            return historyLog;
        }
        return HistoryLog.startNew(path);
    }

    private static boolean sameFile(Path a, Path b) {
        return a.toAbsolutePath().normalize().equals(b.toAbsolutePath().normalize());
    }

    /**
     * Writes the run's checkpoint, unless a weight is not finite (a step can make the weights
     * infinite with a finite loss and gradient): then nothing is written, the last good
     * checkpoint stays the last one, and the divergence is returned (null when written). Checking
     * costs one device read per checkpoint, none per step.
     */
    private String writeCheckpoint(int epoch, double lr) throws IOException {
        if (!weightsFinite()) {   // the same on every rank: the weights are
            return divergence("a weight is not finite (found before writing the checkpoint; none was written)",
                    epoch, stepsDone, lr);
        }
        if (dataParallel != null && epochInProgress != null) {
            epochInProgress.correct.fold(dataParallel.group());
        }
        if (writesCheckpoints) {
            saveCheckpoint(checkpoint);
        }
        lastCheckpoint = position();
        return null;
    }

    /** Whether every floating value of the model's state is finite: one read from the device. */
    private boolean weightsFinite() {
        try (Scope scope = Scope.open()) {
            Tensor total = null;
            for (Tensor t : model.namedState().values()) {
                if (t.dtype().isFloating() && t.numel() > 0) {
                    Tensor zeros = t.mul(0).sum().to(DType.FLOAT64);   // 0·x is NaN exactly where x is not finite
                    total = total == null ? zeros : total.add(zeros);
                }
            }
            return total == null || Double.isFinite(total.item());
        }
    }

    /** Where the run stands: "epoch 2" after it, "step 130, 5 of 8 batches into epoch 3" inside one. */
    private String position() {
        return epochInProgress == null ? "epoch " + epochsDone : "step " + stepsDone + ", "
                + epochInProgress.batchesDone + " of " + train.batchesPerEpoch() + " batches into epoch "
                + epochInProgress.epoch;
    }

    private TrainerState.LoaderSettings loaderSettings() {
        return new TrainerState.LoaderSettings(train.batchSize(), train.shuffles(), train.dropsLast(), train.seed(),
                train.dataset().size());
    }

    /**
     * Puts a checkpoint's state into this trainer's model, optimiser, schedule and generators, so
     * that {@link #fit()} continues the run. All or nothing: the whole file is read and verified
     * ({@link CheckpointFile#read}: sizes, CRC-32s, every part parsed, the history's CRC), and
     * everything is checked against this run (loader settings, the optimiser's kind, groups,
     * hyper-parameters and state shapes, the weights' names, dtypes and shapes, the generators'
     * names and state lengths, the schedule, the counters against the history) before the first
     * thing is changed; a checkpoint that fails any check leaves the model, optimiser, schedule,
     * generators and trainer exactly as they were.
     *
     * @return the checkpoint's metadata
     * @throws CheckpointException naming the file (and the part) when it is corrupt or belongs to
     *     a different run
     */
    public Map<String, String> restore(Path path) throws IOException {
        CheckpointFile file = CheckpointFile.read(path, checkpointLimits());
        TrainerState state = file.trainer();
        checkFitsThisRun(path, state, file.optimizer().optimizer());
        try {
            file.optimizer().checkFits(optimizer);
        } catch (IllegalArgumentException e) {
            throw new CheckpointException(path + "!" + CheckpointFile.OPTIMIZER + ": the optimiser state does not fit "
                    + "this run: " + e.getMessage(), e);
        }
        if (scheduler != null) {
            trySchedule(path, state.scheduleCount());
        }
        try (SafeTensorsContent weights = decodeWeights(path, file.weights())) {
            try {
                model.loadState(weights.tensors());  // checks every name, dtype and shape before copying
            } catch (IllegalArgumentException e) {
                throw new CheckpointException(path + "!" + CheckpointFile.WEIGHTS + ": the weights do not fit the model: "
                        + e.getMessage(), e);
            }
        }
        // from here on nothing can fail: every value was checked above
        optimizer.loadState(file.optimizer());
        if (scheduler != null) {
            scheduler.setCount(state.scheduleCount());
        }
        if (plateau != null) {
            plateau.restore(state.plateau());
        }
        state.generators().forEach((name, s) -> generators.get(name).restore(s));
        TrainerState.PartialEpoch partial = state.epochInProgress();
        epochsDone = state.epochsDone();
        stepsDone = state.stepsDone();
        if (epochInProgress != null) {
            epochInProgress.close();
        }
        epochInProgress = partial == null ? null : EpochProgress.resumed(epochsDone + 1, partial);
        boolean own = checkpoint != null && sameFile(path, checkpoint);
        lastCheckpoint = own ? position() : null;
        bestWatched = state.bestWatched();
        epochsWithoutImprovement = state.epochsWithoutImprovement();
        history.clear();
        state.history().epochs().forEach(history::add);
        state.history().steps().forEach(history::add);
        historyLog = own ? file.historyLog() : null;
        return state.metadata();
    }

    /** Bounds on the checkpoint's parts from this model's size. */
    private CheckpointFile.Limits checkpointLimits() {
        long bytes = 0;
        Map<String, Tensor> state = model.namedState();
        for (Tensor t : state.values()) {
            bytes += t.numel() * t.dtype().byteSize();
        }
        return CheckpointFile.Limits.forModel(bytes, state.size());
    }

    private static SafeTensorsContent decodeWeights(Path path, byte[] bytes) throws CheckpointException {
        try {
            return SafeTensors.decode(bytes, path + "!" + CheckpointFile.WEIGHTS);
        } catch (SafeTensorsException e) {
            throw new CheckpointException(e.getMessage(), e);
        }
    }

    /** Sets the schedule's counter to {@code count} and back, so that a counter it cannot take fails before anything changes. */
    private void trySchedule(Path path, long count) throws CheckpointException {
        long before = scheduler.count();
        List<Double> lrs = new ArrayList<>();
        for (var g : optimizer.paramGroups()) {
            lrs.add(g.lr());
        }
        RuntimeException failure = null;
        try {
            scheduler.setCount(count);
        } catch (RuntimeException e) {
            failure = e;
        }
        scheduler.setCount(before);
        for (int i = 0; i < lrs.size(); i++) {
            optimizer.paramGroups().get(i).set("lr", lrs.get(i));
        }
        if (failure != null) {
            throw new CheckpointException(path + "!" + CheckpointFile.TRAINER + ": the schedule cannot be set to its "
                    + "counter " + count + ": " + failure.getMessage(), failure);
        }
    }

    /** The checks of a checkpoint's trainer state against this run that need no allocation. */
    private void checkFitsThisRun(Path path, TrainerState state, String optimizerName) throws CheckpointException {
        String part = path + "!" + CheckpointFile.TRAINER;
        if (!state.loader().equals(loaderSettings())) {
            throw new CheckpointException(path + ": the checkpoint was made with loader settings " + state.loader()
                    + ", this run has " + loaderSettings() + "; resuming would not repeat the run");
        }
        if (!optimizerName.equals(optimizer.name())) {
            throw new CheckpointException(path + ": the checkpoint's optimiser is " + optimizerName + ", this run's is "
                    + optimizer.name());
        }
        if (!state.generators().keySet().equals(generators.keySet())) {
            throw new CheckpointException(path + ": the checkpoint has generators " + state.generators().keySet()
                    + ", this run registers " + generators.keySet());
        }
        for (Map.Entry<String, long[]> g : state.generators().entrySet()) {
            try {
                new Generator(0).restore(g.getValue());
            } catch (IllegalArgumentException e) {
                throw new CheckpointException(part + ": generator '" + g.getKey() + "': " + e.getMessage(), e);
            }
        }
        if ((state.scheduleCount() >= 0) != (scheduler != null)) {
            throw new CheckpointException(path + ": the checkpoint was made " + (scheduler == null ? "with" : "without")
                    + " a learning-rate schedule, this run has " + (scheduler == null ? "none" : "one"));
        }
        if ((state.plateau() != null) != (plateau != null)) {
            throw new CheckpointException(path + ": the checkpoint was made " + (plateau == null ? "with" : "without")
                    + " a plateau reducer, this run has " + (plateau == null ? "none" : "one"));
        }
        if (state.plateau() != null && Double.isNaN(state.plateau().best())) {
            throw new CheckpointException(part + ": the plateau reducer's best loss is NaN");
        }
        TrainerState.PartialEpoch partial = state.epochInProgress();
        if (partial != null && (partial.batchesDone() < 0 || partial.batchesDone() > train.batchesPerEpoch())) {
            throw new CheckpointException(part + ": the epoch in progress has " + partial.batchesDone()
                    + " batches done, expected 0 to " + train.batchesPerEpoch());
        }
        List<StepRecord> steps = state.history().steps();
        if (steps.size() != state.stepsDone()) {
            throw new CheckpointException(part + ": " + state.stepsDone() + " steps done, but the history holds "
                    + steps.size() + " steps");
        }
        for (int i = 0; i < steps.size(); i++) {
            if (steps.get(i).step() != i + 1) {
                throw new CheckpointException(part + ": the history's step " + (i + 1) + " is numbered "
                        + steps.get(i).step());
            }
        }
        List<EpochRecord> epochs = state.history().epochs();
        if (epochs.size() != state.epochsDone()) {
            throw new CheckpointException(part + ": " + state.epochsDone() + " epochs done, but the history holds "
                    + epochs.size() + " epochs");
        }
        for (int i = 0; i < epochs.size(); i++) {
            if (epochs.get(i).epoch() != i + 1) {
                throw new CheckpointException(part + ": the history's epoch " + (i + 1) + " is numbered "
                        + epochs.get(i).epoch());
            }
        }
    }

    /** Whether a checkpoint file exists at {@code path}. */
    public static boolean checkpointExists(Path path) {
        return Files.isRegularFile(path);
    }

    // ---------------------------------------------------------------- builder

    /** The settings of a run; {@link #build()} checks them. */
    public static final class Builder {
        private final Module model;
        private final Loss loss;
        private final Optimizer optimizer;
        private final DataLoader train;
        private Dataset test;
        private LrScheduler scheduler;
        private ScheduleUnit scheduleUnit = ScheduleUnit.EPOCH;
        private ReduceLrOnPlateau plateau;
        private double clipNorm;
        private StopRules stopRules = StopRules.epochs(10);
        private Path checkpoint;
        private long checkpointEvery;
        private final Map<String, Generator> generators = new LinkedHashMap<>();
        private final Map<String, String> metadata = new LinkedHashMap<>();
        private final List<TrainingCallback> callbacks = new ArrayList<>();
        private int evalChunk = 1024;
        private DataParallel dataParallel;

        private Builder(Module model, Loss loss, Optimizer optimizer, DataLoader train) {
            Check.argument(model != null && loss != null && optimizer != null && train != null, "Trainer",
                    "expected a model, a loss, an optimiser and a loader, got %s, %s, %s, %s", model, loss, optimizer,
                    train);
            this.model = model;
            this.loss = loss;
            this.optimizer = optimizer;
            this.train = train;
        }

        /** A held-out set evaluated after every epoch. */
        public Builder test(Dataset testSet) {
            this.test = testSet;
            return this;
        }

        /** A learning-rate schedule, advanced once per step or once per epoch. */
        public Builder schedule(LrScheduler lrScheduler, ScheduleUnit unit) {
            this.scheduler = lrScheduler;
            this.scheduleUnit = unit;
            return this;
        }

        /**
         * Cuts the learning rate when the watched loss stops improving (stepped once per epoch).
         * {@code reducer} must drive this run's optimiser; a run has it or a schedule, not both.
         */
        public Builder reduceLrOnPlateau(ReduceLrOnPlateau reducer) {
            this.plateau = reducer;
            return this;
        }

        /** Clips the global gradient norm to {@code maxNorm} before each step (0: no clipping). */
        public Builder clipNorm(double maxNorm) {
            Check.argument(maxNorm >= 0, "Trainer.clipNorm", "expected a norm >= 0 (0: off), got %s", maxNorm);
            this.clipNorm = maxNorm;
            return this;
        }

        public Builder stopRules(StopRules rules) {
            this.stopRules = rules;
            return this;
        }

        /** Writes a checkpoint to {@code path} after every epoch. */
        public Builder checkpoint(Path path) {
            this.checkpoint = path;
            return this;
        }

        /**
         * With a {@link #checkpoint} path, writes the checkpoint after every {@code steps}
         * optimiser steps (counted over the run) inside epochs too, so that a long epoch can be
         * resumed from its middle (0, the default: only after epochs).
         */
        public Builder checkpointEvery(long steps) {
            Check.argument(steps >= 0, "Trainer.checkpointEvery", "expected steps >= 0 (0: off), got %d", steps);
            this.checkpointEvery = steps;
            return this;
        }

        /** A generator whose state the checkpoint keeps (a dropout layer's, say). */
        public Builder generator(String name, Generator generator) {
            Check.argument(name != null && generator != null, "Trainer.generator", "expected a name and a generator");
            generators.put(name, generator);
            return this;
        }

        /** Strings kept in the checkpoint (and returned by {@link Trainer#restore}). */
        public Builder metadata(String key, String value) {
            metadata.put(key, value);
            return this;
        }

        public Builder callback(TrainingCallback callback) {
            Check.argument(callback != null, "Trainer.callback", "expected a callback, got null");
            callbacks.add(callback);
            return this;
        }

        /**
         * Trains as one rank of {@code dp}'s group (see the class comment): every rank builds the
         * same trainer with the same loader, and this one takes its shard; {@code dp} must hold
         * the optimiser's parameters.
         */
        public Builder dataParallel(DataParallel dp) {
            Check.argument(dp != null, "Trainer.dataParallel", "expected a DataParallel, got null");
            this.dataParallel = dp;
            return this;
        }

        /** Examples per chunk when evaluating the test set (memory, not results). */
        public Builder evalChunk(int examples) {
            Check.argument(examples >= 1, "Trainer.evalChunk", "expected at least 1, got %d", examples);
            this.evalChunk = examples;
            return this;
        }

        public Trainer build() {
            Check.argument(scheduler == null || scheduleUnit != null, "Trainer", "a schedule needs a unit");
            Check.argument(scheduler == null || plateau == null, "Trainer",
                    "expected a schedule or a plateau reducer, got both: each would overwrite the other's rate");
            if (test != null) {
                Check.argument(test.isClassification() == train.dataset().isClassification(), "Trainer",
                        "the training set '%s' and test set '%s' are not the same kind of task", train.dataset().name(),
                        test.name());
            }
            return new Trainer(this);
        }
    }
}
