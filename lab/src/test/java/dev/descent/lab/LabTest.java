package dev.descent.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LabTest {
    private final Lab lab = Lab.standard();

    @Test
    void listsEveryExperiment() {
        List<String> names = lab.experiments().stream().map(Experiment::name).toList();
        assertEquals(List.of("quadratic", "sine", "fractal", "gabor", "valley", "curvature", "line-search", "init",
                "optimizers", "batch-size", "landscape"),
                names);
        for (String n : names) {
            assertTrue(lab.listing().contains(n));
        }
    }

    @Test
    void anUnknownExperimentNamesTheValidOnes(@TempDir Path dir) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> lab.run("quadratc", Map.of(), dir));
        assertTrue(e.getMessage().contains("no experiment 'quadratc'") && e.getMessage().contains("quadratic, sine"),
                e.getMessage());
    }

    @Test
    void anUnknownOptionNamesTheValidOnes(@TempDir Path dir) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> lab.run("quadratic", Map.of("lr", "0.1"), dir));
        assertTrue(e.getMessage().contains("no option 'lr'") && e.getMessage().contains("x0, alpha, alphas"),
                e.getMessage());
    }

    @Test
    void aBadValueSaysWhatWasExpected(@TempDir Path dir) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> lab.run("quadratic", Map.of("steps", "ten"), dir));
        assertEquals("option --steps of experiment 'quadratic': expected a number, got 'ten'", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> lab.run("quadratic", Map.of("alpha", "-1"), dir));
        assertTrue(e.getMessage().contains("expected a number > 0, got '-1'"), e.getMessage());
    }

    @Test
    void everyOptionHasADefaultThatParses() {
        for (Experiment e : lab.experiments()) {
            Options o = new Options(e.name(), e.options(), Map.of());
            assertEquals(e.options().size(), o.values().size());
            assertTrue(lab.help(e.name()).contains("--" + e.options().get(0).key()));
        }
    }

    /** Every experiment runs end to end with reduced sizes and writes its figures, data and report. */
    @Test
    void everyExperimentWritesFiguresDataAndReport(@TempDir Path dir) throws IOException {
        Map<String, Map<String, String>> small = new java.util.HashMap<>();
        small.put("quadratic", Map.of("steps", "40"));
        small.put("sine", Map.of("steps", "50"));
        small.put("fractal", Map.of("iterations", "2000", "panel-alphas", "0.65,1", "panel-iterations", "1000",
                "zoom-iterations", "5000", "small-alphas", "0.1", "small-iterations", "1000"));
        small.put("gabor", Map.of("grid", "41", "search-starts", "2", "gd-steps", "10", "epochs", "5", "sgd-runs", "2",
                "compare-grid", "2"));
        small.put("valley", Map.of("steps", "100"));
        small.put("curvature", Map.of("steps", "200", "sweep", "0.9,1.1"));
        small.put("line-search", Map.of("steps", "3"));
        // The network experiments on the built-in spirals: the tests need no Fashion-MNIST.
        small.put("init", Map.of("depth", "3", "width", "16", "batch", "32", "train-depth", "2", "train-width", "8",
                "data", "spirals", "examples", "20", "test-examples", "20", "steps", "5"));
        small.put("optimizers", Map.of("data", "spirals", "examples", "20", "test-examples", "20", "width", "8",
                "epochs", "2"));
        small.put("batch-size", Map.of("data", "spirals", "examples", "300", "test-examples", "50", "batches",
                "300,10", "epochs", "1", "width", "8"));
        small.put("landscape", Map.of("data", "spirals", "examples", "20", "test-examples", "20", "width", "8",
                "epochs", "2", "grid", "5"));
        for (Experiment e : lab.experiments()) {
            Path out = dir.resolve(e.name());
            LabResult r = lab.run(e.name(), small.get(e.name()), out);
            assertTrue(Files.size(out.resolve("report.md")) > 200, e.name());
            long png = r.files().stream().filter(p -> p.toString().endsWith(".png")).count();
            long svg = r.files().stream().filter(p -> p.toString().endsWith(".svg")).count();
            long csv = r.files().stream().filter(p -> p.toString().endsWith(".csv")).count();
            assertTrue(png >= 1 && png == svg && csv >= 1, e.name() + ": " + r.files());
            for (Path p : r.files()) {
                assertTrue(Files.size(p) > 0, p.toString());
            }
            assertTrue(!r.headline().isEmpty());
            String report = Files.readString(out.resolve("report.md"));
            for (String key : r.headline().keySet()) {
                assertTrue(report.contains(key), e.name() + " report lacks " + key);
            }
        }
    }

    @Test
    void theQuadraticHeadlineIsTable1_1(@TempDir Path dir) throws IOException {
        LabResult r = lab.run("quadratic", Map.of("alphas", "0.1"), dir);
        assertEquals(0.8, r.number("x1"), 1e-15);
        assertEquals(0.512, r.number("x3"), 1e-15);
        assertEquals(Math.pow(0.8, 500), r.number("x500"), 1e-60);
    }
}
