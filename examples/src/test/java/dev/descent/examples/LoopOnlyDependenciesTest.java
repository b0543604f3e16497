package dev.descent.examples;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.train.metrics.MetricsCallback;
import dev.descent.train.progress.ProgressCallback;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * This module depends on {@code descent-train} as a user who wants only the loop: the chart and
 * progress-bar libraries do not come with it, and asking for what needs them names the artifact.
 */
class LoopOnlyDependenciesTest {
    @Test
    void descentTrainBringsNoChartOrProgressBarLibrary() {
        assertThrows(ClassNotFoundException.class, () -> Class.forName("org.knowm.xchart.XYChart"));
        assertThrows(ClassNotFoundException.class, () -> Class.forName("me.tongfei.progressbar.ProgressBar"));
    }

    @Test
    void chartsWithoutTheLibraryNameIt() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> new MetricsCallback(Path.of("runs", "x"), "title", false));
        assertTrue(e.getMessage().contains("org.knowm.xchart:xchart"), e.getMessage());
        assertTrue(e.getMessage().contains("MetricsCallback.withoutCharts"), e.getMessage());
    }

    @Test
    void aBarWithoutTheLibraryNamesItAndTheConsoleFallsBackToLines() {
        PrintStream out = new PrintStream(new ByteArrayOutputStream());
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> new ProgressCallback(out, true));
        assertTrue(e.getMessage().contains("me.tongfei:progressbar"), e.getMessage());
        ProgressCallback.forConsole(out);
    }
}
