package dev.descent.lab;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * One experiment of the texts, rerun with Descent's own autograd and optimisers. A run writes
 * its figures (PNG and SVG), its data (CSV) and a short Markdown report ({@code report.md})
 * into the output folder, and returns the report's headline numbers.
 */
public interface Experiment {

    /** The name it is run by ({@code descent lab <name>}). */
    String name();

    /** One line: what it reproduces and from which text. */
    String description();

    /** Its parameters, with the texts' values as defaults. */
    List<Option> options();

    /** Runs it with {@code options} (made from {@link #options()}) and writes its files into {@code outDir}. */
    LabResult run(Options options, Path outDir) throws IOException;
}
