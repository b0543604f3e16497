package dev.descent.lab;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * What a run produced: its headline numbers (in report order; NaN where a run never reached
 * what the number measures, which the report explains) and the files it wrote.
 */
public record LabResult(String experiment, Map<String, Double> headline, List<Path> files) {

    public LabResult {
        headline = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(headline));
        files = List.copyOf(files);
    }

    public double number(String key) {
        Double v = headline.get(key);
        if (v == null) {
            throw new IllegalArgumentException(experiment + ": no headline number '" + key + "'; there are "
                    + String.join(", ", headline.keySet()));
        }
        return v;
    }

    /** The headline as printed: one {@code key = value} a line. */
    public String summary() {
        return headline.entrySet().stream()
                .map(e -> e.getKey() + " = " + Format.number(e.getValue()))
                .collect(Collectors.joining("\n"));
    }
}
