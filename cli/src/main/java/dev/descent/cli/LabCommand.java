package dev.descent.cli;

import dev.descent.lab.Lab;
import dev.descent.lab.LabResult;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Unmatched;

/**
 * {@code descent lab [EXPERIMENT] [--out DIR] [--KEY VALUE ...]}: reruns one of the texts'
 * experiments (the {@code lab} module), writing its figures (PNG, SVG), data (CSV) and a
 * Markdown report. Each experiment's own options (learning rates, seeds, steps) default to the
 * texts' values; {@code descent lab EXPERIMENT --help} lists them.
 */
@Command(name = "lab", sortOptions = false,
        description = {"Reruns an experiment of the texts and writes its figures (PNG, SVG), data (CSV) and a "
                + "report (Markdown).", "With no experiment, lists them."},
        footer = {"", "Examples:", "  descent lab", "  descent lab quadratic", "  descent lab valley --help",
            "  descent lab fractal --alpha 0.7 --out runs/fractal"})
public final class LabCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(arity = "0..1", paramLabel = "EXPERIMENT", description = "the experiment to run (default: list them)")
    String experiment;

    @Option(names = "--out", paramLabel = "DIR", description = "where the files go (default: runs/lab/EXPERIMENT)")
    Path out;

    @Option(names = {"-h", "--help"}, description = "this help, or with an EXPERIMENT its options and defaults")
    boolean help;

    /** The experiment's own options, as --key value pairs. */
    @Unmatched
    List<String> experimentOptions = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        Lab lab = Lab.standard();
        PrintWriter w = spec.commandLine().getOut();
        if (experiment == null) {
            if (help) {
                spec.commandLine().usage(w);
            }
            w.print("experiments:\n" + lab.listing());
            w.flush();
            return ExitCodes.OK;
        }
        if (help) {
            w.print(lab.help(experiment));
            w.flush();
            return ExitCodes.OK;
        }
        Path dir = out != null ? out : Path.of("runs", "lab", experiment);
        LabResult result = lab.run(experiment, options(), dir);
        w.println(experiment + ": files in " + dir.toAbsolutePath());
        w.println(result.summary());
        w.flush();
        return ExitCodes.OK;
    }

    private Map<String, String> options() {
        Map<String, String> options = new LinkedHashMap<>();
        for (int i = 0; i < experimentOptions.size(); i += 2) {
            String key = experimentOptions.get(i);
            if (!key.startsWith("--") || i + 1 >= experimentOptions.size()) {
                throw new UserError("lab: expected --KEY VALUE pairs after the experiment, got '"
                        + String.join(" ", experimentOptions.subList(i, experimentOptions.size())) + "'");
            }
            options.put(key.substring(2), experimentOptions.get(i + 1));
        }
        return options;
    }
}
