package dev.descent.lab;

import dev.descent.lab.experiments.BatchSizeExperiment;
import dev.descent.lab.experiments.CurvatureExperiment;
import dev.descent.lab.experiments.FractalExperiment;
import dev.descent.lab.experiments.GaborExperiment;
import dev.descent.lab.experiments.InitExperiment;
import dev.descent.lab.experiments.LandscapeExperiment;
import dev.descent.lab.experiments.LineSearchExperiment;
import dev.descent.lab.experiments.OptimizersExperiment;
import dev.descent.lab.experiments.QuadraticExperiment;
import dev.descent.lab.experiments.ValleyExperiment;
import dev.descent.lab.experiments.SineExperiment;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The registry of experiments: lists them and runs one by name with string options, as
 * {@code descent lab <experiment> [--out DIR] [--key value ...]} does.
 */
public final class Lab {
    private final Map<String, Experiment> experiments = new LinkedHashMap<>();

    public Lab(List<Experiment> experiments) {
        for (Experiment e : experiments) {
            if (this.experiments.put(e.name(), e) != null) {
                throw new IllegalArgumentException("two experiments named '" + e.name() + "'");
            }
        }
    }

    /** Every experiment of the lab, in the order. */
    public static Lab standard() {
        return new Lab(List.of(new QuadraticExperiment(), new SineExperiment(), new FractalExperiment(),
                new GaborExperiment(), new ValleyExperiment(), new CurvatureExperiment(),
                new LineSearchExperiment(), new InitExperiment(), new OptimizersExperiment(),
                new BatchSizeExperiment(), new LandscapeExperiment()));
    }

    public List<Experiment> experiments() {
        return List.copyOf(experiments.values());
    }

    public Experiment get(String name) {
        Experiment e = experiments.get(name);
        if (e == null) {
            throw new IllegalArgumentException("no experiment '" + name + "'; the experiments are "
                    + String.join(", ", experiments.keySet()));
        }
        return e;
    }

    /** Runs experiment {@code name} with {@code options} (unknown keys are refused), writing into {@code outDir}. */
    public LabResult run(String name, Map<String, String> options, Path outDir) throws IOException {
        Experiment e = get(name);
        Options parsed = new Options(name, e.options(), options);
        Files.createDirectories(outDir);
        return e.run(parsed, outDir);
    }

    /** The listing {@code descent lab} prints: one line per experiment. */
    public String listing() {
        StringBuilder sb = new StringBuilder();
        int width = experiments.keySet().stream().mapToInt(String::length).max().orElse(0);
        for (Experiment e : experiments.values()) {
            sb.append(String.format("  %-" + width + "s  %s%n", e.name(), e.description()));
        }
        return sb.toString();
    }

    /** The options of one experiment with their defaults, for help text. */
    public String help(String name) {
        Experiment e = get(name);
        StringBuilder sb = new StringBuilder(e.name()).append(": ").append(e.description()).append('\n');
        for (Option o : e.options()) {
            sb.append(String.format("  --%s %s%n      %s%n", o.key(), o.defaultValue(), o.description()));
        }
        return sb.toString();
    }
}
