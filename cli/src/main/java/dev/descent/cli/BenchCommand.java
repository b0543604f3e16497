package dev.descent.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.descent.bench.BenchMain;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.Callable;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.format.OutputFormatFactory;
import org.openjdk.jmh.runner.options.VerboseMode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code descent bench}: runs the JMH benchmarks of the {@code bench} module. The table is the
 * bench module's own (each measurement with its ratio to the reference measured in the same
 * run); {@code --json} prints the raw measurements instead, one object per benchmark and
 * parameter set, with JMH's progress sent to standard error.
 */
@Command(name = "bench", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Runs the JMH benchmark suite and prints its table (GFLOP/s, GB/s, ns/op and the ratio to "
                + "the reference measured in the same run).",
                "A full run takes tens of minutes; --quick with a REGEX takes a few."},
        footer = {"", "Examples:", "  descent bench --quick Matmul", "  descent bench --json > bench.json"})
public final class BenchCommand implements Callable<Integer> {
    static final String ALL = "dev\\.descent\\.bench\\..*";

    @Spec
    CommandSpec spec;

    @Option(names = "--quick", description = "fewer and shorter iterations (a wider error)")
    boolean quick;

    @Option(names = "--json", description = "the raw measurements as JSON on standard output, for machines")
    boolean json;

    @Option(names = "--cuda", description = "the GPU set (CUDA backend against cuBLAS and device copies) instead of the CPU set")
    boolean cuda;

    @Parameters(arity = "0..1", paramLabel = "REGEX",
            description = "only the benchmarks whose names match (default: all), e.g. Matmul")
    String include;

    @Override
    public Integer call() throws Exception {
        try {
            return run();
        } catch (org.openjdk.jmh.runner.NoBenchmarksException e) {
            throw new UserError("no benchmark matches '" + (include == null ? ALL : include) + "'");
        }
    }

    private int run() throws Exception {
        if (cuda) {
            String why = BenchMain.cudaUnavailable();
            if (why != null) {
                throw new UserError("--cuda: cannot run the CUDA benchmarks: " + why);
            }
        }
        if (!json) {
            List<String> args = new ArrayList<>();
            if (quick) {
                args.add("--quick");
            }
            if (cuda) {
                args.add("--cuda");
            }
            if (include != null) {
                args.add(include);
            }
            BenchMain.main(args.toArray(String[]::new));
            return ExitCodes.OK;
        }
        Collection<RunResult> results = new Runner(BenchMain.options(quick, cuda, include == null ? ALL : include).build(),
                OutputFormatFactory.createFormatInstance(System.err, VerboseMode.NORMAL)).run();
        PrintWriter out = spec.commandLine().getOut();
        out.println(new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(toJson(results)));
        out.flush();
        return ExitCodes.OK;
    }

    static ArrayNode toJson(Collection<RunResult> results) {
        ArrayNode all = new ObjectMapper().createArrayNode();
        for (RunResult r : results) {
            ObjectNode n = all.addObject();
            var p = r.getParams();
            n.put("benchmark", p.getBenchmark());
            ObjectNode params = n.putObject("params");
            for (String k : p.getParamsKeys()) {
                params.put(k, p.getParam(k));
            }
            n.put("mode", p.getMode().shortLabel());
            n.put("score", r.getPrimaryResult().getScore());
            n.put("error", r.getPrimaryResult().getScoreError());
            n.put("unit", r.getPrimaryResult().getScoreUnit());
        }
        return all;
    }
}
