package dev.descent.train.metrics;

import dev.descent.train.OptionalLibraries;
import dev.descent.train.Trainer;
import dev.descent.train.TrainingCallback;
import dev.descent.train.TrainingResult;
import dev.descent.train.charts.LearningCurveCharts;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/**
 * Keeps a run's files in {@code dir} up to date: the metrics ({@link MetricsFiles}) written whole
 * when the run starts (so a resumed run's files match its history) and appended to after every
 * epoch and when the run ends, and the charts ({@link LearningCurveCharts}) when it ends (and
 * after every epoch when asked: a person can watch them fill in).
 */
public final class MetricsCallback implements TrainingCallback {
    private final Path dir;
    private final String title;
    private final boolean chartsEachEpoch;
    private final boolean charts;
    private MetricsFiles.Appender files;

    /**
     * Metrics files and charts. The charts need {@code org.knowm.xchart:xchart} on the class path
     * (an optional dependency of {@code descent-train}); without it this throws, naming it.
     */
    public MetricsCallback(Path dir, String title, boolean chartsEachEpoch) {
        this(dir, title, chartsEachEpoch, true);
        if (!OptionalLibraries.hasCharts()) {
            throw new IllegalStateException("MetricsCallback: the learning-curve charts need org.knowm.xchart:xchart on"
                    + " the class path (descent-train declares it optional): add it, or use"
                    + " MetricsCallback.withoutCharts(dir) for the CSV and JSON-lines files alone");
        }
    }

    private MetricsCallback(Path dir, String title, boolean chartsEachEpoch, boolean charts) {
        this.dir = dir;
        this.title = title;
        this.chartsEachEpoch = chartsEachEpoch;
        this.charts = charts;
    }

    /** The metrics files (CSV, JSON lines) without charts: needs no chart library. */
    public static MetricsCallback withoutCharts(Path dir) {
        return new MetricsCallback(dir, "", false, false);
    }

    @Override
    public void onTrainStart(Trainer trainer) {
        try {
            files = MetricsFiles.Appender.start(trainer.history(), dir);
        } catch (IOException e) {
            throw new UncheckedIOException("writing the metrics to " + dir + " failed: " + e.getMessage(), e);
        }
    }

    @Override
    public void onEpochEnd(Trainer trainer, EpochRecord epoch) {
        write(trainer.history(), chartsEachEpoch);
    }

    @Override
    public void onTrainEnd(Trainer trainer, TrainingResult result) {
        write(trainer.history(), charts);
    }

    private void write(MetricsHistory history, boolean charts) {
        try {
            if (files == null) {
                files = MetricsFiles.Appender.start(history, dir);
            } else {
                files.append(history);
            }
            if (charts) {
                LearningCurveCharts.write(history, dir, title);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("writing the metrics to " + dir + " failed: " + e.getMessage(), e);
        }
    }
}
