package dev.descent.train.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.descent.core.Generator;
import dev.descent.nn.Linear;
import dev.descent.nn.Sequential;
import dev.descent.nn.activation.Tanh;
import dev.descent.nn.loss.CrossEntropyLoss;
import dev.descent.optim.Adam;
import dev.descent.train.StopRules;
import dev.descent.train.Trainer;
import dev.descent.train.TrainingCallback;
import dev.descent.train.charts.LearningCurveCharts;
import dev.descent.train.data.DataLoader;
import dev.descent.train.data.DataSplit;
import dev.descent.train.data.GeneratedData;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;

/**
 * Issue 17, item 10: the metrics files are appended to, not rewritten, as a run goes on, and a
 * chart of a long run is drawn from a bounded number of points ({@code DownsampleTest}).
 */
class LongRunOutputsTest {
    @TempDir
    Path dir;

    @Test
    void theMetricsFilesAreAppendedToAndEqualTheWholeHistoryWrittenAtOnce() throws IOException {
        List<Object> stepsFileKeys = new ArrayList<>();
        TrainingCallback watch = new TrainingCallback() {
            @Override
            public void onEpochEnd(Trainer t, EpochRecord epoch) {
                try {
                    stepsFileKeys.add(Files.readAttributes(dir.resolve(MetricsFiles.STEPS_CSV),
                            BasicFileAttributes.class).fileKey());
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        };
        MetricsHistory history;
        try (DataSplit data = GeneratedData.gaussianBlobs(20, 10, 3, 2, 3, 0.5, new Generator(1));
             Sequential model = new Sequential(new Linear(2, 8, new Generator(2)), new Tanh(),
                     new Linear(8, 3, new Generator(3)));
             Adam adam = new Adam(model.parameters(), 0.05)) {
            history = Trainer.builder(model, new CrossEntropyLoss(), adam, new DataLoader(data.train(), 16, 4))
                    .test(data.test()).stopRules(StopRules.epochs(6))
                    .callback(new MetricsCallback(dir, "blobs", false)).callback(watch)
                    .build().fit().history();
        }
        assertEquals(MetricsFiles.stepsCsv(history), Files.readString(dir.resolve(MetricsFiles.STEPS_CSV)));
        assertEquals(MetricsFiles.epochsCsv(history), Files.readString(dir.resolve(MetricsFiles.EPOCHS_CSV)));
        assertEquals(MetricsFiles.jsonLines(history), Files.readString(dir.resolve(MetricsFiles.JSON_LINES)));
        assumeTrue(stepsFileKeys.get(0) != null, "this file system gives files no identity to compare");
        assertEquals(1, new HashSet<>(stepsFileKeys).size(),
                "steps.csv is the same file after every epoch (appended, not replaced): " + stepsFileKeys);
    }

    @Test
    void aChartOfAHundredThousandStepsHoldsAtMostMaxPointsPerCurve() {
        MetricsHistory h = new MetricsHistory();
        Random r = new Random(1);
        for (int s = 1; s <= 100_000; s++) {
            h.add(new StepRecord(s, 1 + (s - 1) / 63, 2 * Math.exp(-s / 20_000.0) + 0.1 * r.nextDouble(),
                    1 + r.nextDouble(), 1e-3, 32));
            if (s % 63 == 0) {
                h.add(new EpochRecord(s / 63, s, 1, 0.5, 1, 0.5, 1, 1e-3, 0.01, 1e5));
            }
        }
        List<XYChart> charts = LearningCurveCharts.charts(h, "long");
        assertEquals(5, charts.size());
        for (XYChart c : charts) {
            for (XYSeries s : c.getSeriesMap().values()) {
                assertTrue(s.getXData().length <= LearningCurveCharts.MAX_POINTS,
                        c.getTitle() + " / " + s.getName() + ": " + s.getXData().length + " points");
            }
        }
    }
}
