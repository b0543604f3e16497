package dev.descent.train.progress;

import dev.descent.train.OptionalLibraries;
import dev.descent.train.Trainer;
import dev.descent.train.TrainingCallback;
import dev.descent.train.TrainingResult;
import dev.descent.train.metrics.EpochRecord;
import dev.descent.train.metrics.StepRecord;
import java.io.PrintStream;
import java.time.Duration;
import java.util.Locale;

/**
 * Shows a run's progress. On a terminal: a progress bar per epoch (me.tongfei's
 * {@code progressbar}: epoch, examples done, samples/s, elapsed time and ETA, the latest loss),
 * then one summary line per epoch. Elsewhere (output redirected to a file, or {@code CI=true}):
 * plain lines only: one per epoch, and a step line at most every {@link #PLAIN_INTERVAL} within
 * long epochs, so a log shows the run is alive without control characters.
 *
 * <p>The bar needs {@code me.tongfei:progressbar} on the class path, an optional dependency of
 * {@code descent-train}: {@link #forConsole} draws plain lines without it, and asking for a bar
 * without it throws, naming the artifact.
 */
public final class ProgressCallback implements TrainingCallback {
    /** The least time between two step lines in plain mode. */
    public static final Duration PLAIN_INTERVAL = Duration.ofSeconds(10);

    private final PrintStream out;
    private final boolean bar;
    private TerminalBar progress;
    private int maxEpochs;
    private int stepsInEpoch;
    private int stepInEpoch;
    private long epochStart;
    private long lastLine;
    private long examples;
    /** Examples of the epoch done before this run continued it (from a checkpoint written inside it). */
    private long examplesBefore;

    /** @param bar draw a progress bar (a terminal) rather than plain lines */
    public ProgressCallback(PrintStream out, boolean bar) {
        if (bar && !OptionalLibraries.hasProgressBar()) {
            throw new IllegalStateException("ProgressCallback: a progress bar needs me.tongfei:progressbar on the class"
                    + " path (descent-train declares it optional): add it, or use plain lines (bar = false)");
        }
        this.out = out;
        this.bar = bar;
    }

    /** A bar when standard output is a terminal and the CI variable is not {@code true}, plain lines otherwise. */
    public static ProgressCallback forConsole(PrintStream out) {
        return new ProgressCallback(out, isInteractiveTerminal() && OptionalLibraries.hasProgressBar());
    }

    /** Whether standard input and output are a terminal, TERM is not {@code dumb} and CI is not {@code true}. */
    public static boolean isInteractiveTerminal() {
        return System.console() != null && !"true".equalsIgnoreCase(System.getenv("CI"))
                && !"dumb".equals(System.getenv("TERM"));
    }

    @Override
    public void onTrainStart(Trainer trainer) {
        maxEpochs = trainer.stopRules().maxEpochs();
    }

    @Override
    public void onEpochStart(Trainer trainer, int epoch, int steps) {
        stepsInEpoch = steps;
        stepInEpoch = trainer.batchesDoneInEpoch();
        // every batch but an epoch's last is full, so the batches done give the examples done
        examplesBefore = (long) stepInEpoch * trainer.loader().batchSize();
        examples = 0;
        epochStart = System.nanoTime();
        lastLine = epochStart;
        if (bar) {
            progress = new TerminalBar(out, "epoch " + epoch + "/" + maxEpochs, trainer.loader().examplesPerEpoch(),
                    examplesBefore);
        }
    }

    @Override
    public void onStep(Trainer trainer, StepRecord step) {
        stepInEpoch++;
        examples += step.batchSize();
        if (bar) {
            progress.step(step.batchSize(), String.format(Locale.ROOT, " step %d/%d loss %.4f", stepInEpoch,
                    stepsInEpoch, step.loss()));
            return;
        }
        long now = System.nanoTime();
        if (now - lastLine >= PLAIN_INTERVAL.toNanos() && stepInEpoch < stepsInEpoch) {
            lastLine = now;
            double seconds = (now - epochStart) / 1e9;
            double rate = examples / seconds;
            double eta = (trainer.loader().examplesPerEpoch() - examplesBefore - examples) / rate;
            out.printf(Locale.ROOT, "epoch %d/%d  step %d/%d  loss %.4f  %.0f samples/s  ETA %s%n", step.epoch(),
                    maxEpochs, stepInEpoch, stepsInEpoch, step.loss(), rate, duration(eta));
        }
    }

    @Override
    public void onEpochEnd(Trainer trainer, EpochRecord e) {
        closeBar();
        out.println(summary(e, maxEpochs));
    }

    @Override
    public void onTrainEnd(Trainer trainer, TrainingResult result) {
        closeBar();
    }

    private void closeBar() {
        if (progress != null) {
            progress.close();
            progress = null;
        }
    }

    /** The one-line summary of an epoch. */
    public static String summary(EpochRecord e, int maxEpochs) {
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "epoch %d/%d  train loss %.4f", e.epoch(),
                maxEpochs, e.trainLoss()));
        if (!Double.isNaN(e.trainAccuracy())) {
            sb.append(String.format(Locale.ROOT, " acc %.4f", e.trainAccuracy()));
        }
        if (!Double.isNaN(e.testLoss())) {
            sb.append(String.format(Locale.ROOT, "  test loss %.4f", e.testLoss()));
        }
        if (!Double.isNaN(e.testAccuracy())) {
            sb.append(String.format(Locale.ROOT, " acc %.4f", e.testAccuracy()));
        }
        sb.append(String.format(Locale.ROOT, "  |g| %.3g  lr %.3g  %.0f samples/s  %.1f s", e.gradNorm(), e.lr(),
                e.samplesPerSecond(), e.seconds()));
        return sb.toString();
    }

    private static String duration(double seconds) {
        long s = Math.round(seconds);
        return String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, (s / 60) % 60, s % 60);
    }
}
