package dev.descent.bench;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Runs the JMH benchmarks and prints one table: each measurement with its unit (GFLOP/s,
 * GB/s or ns/op) and its ratio to the reference measured in the same run.
 *
 * <p>Arguments: {@code --quick} (shorter runs, wider error), then an optional regular
 * expression selecting benchmarks (default: all).
 */
public final class BenchMain {
    private BenchMain() {
    }

    public static void main(String[] args) throws RunnerException {
        boolean quick = false;
        String include = "dev\\.descent\\.bench\\..*";
        for (String a : args) {
            if (a.equals("--quick")) {
                quick = true;
            } else if (a.equals("--help") || a.equals("-h")) {
                System.out.println("usage: java -jar bench/target/descent-bench.jar [--quick] [REGEX]");
                return;
            } else {
                include = a;
            }
        }
        ChainedOptionsBuilder opts = new OptionsBuilder().include(include).forks(1)
                .warmupIterations(quick ? 2 : 3).warmupTime(TimeValue.seconds(1))
                .measurementIterations(quick ? 3 : 5).measurementTime(TimeValue.seconds(1))
                .jvmArgsAppend("-Xmx4g");
        Collection<RunResult> results = new Runner(opts.build()).run();
        System.out.println();
        System.out.print(table(results));
    }

    /** Mean ns/op per "Class.method[param]" key. */
    static Map<String, Double> scores(Collection<RunResult> results) {
        Map<String, Double> m = new HashMap<>();
        for (RunResult r : results) {
            var p = r.getParams();
            String name = p.getBenchmark().substring(p.getBenchmark().lastIndexOf('.', p.getBenchmark().lastIndexOf('.') - 1) + 1);
            StringBuilder key = new StringBuilder(name);
            for (String k : p.getParamsKeys()) {
                key.append('[').append(p.getParam(k)).append(']');
            }
            m.put(key.toString(), r.getPrimaryResult().getScore());
        }
        return m;
    }

    static String table(Collection<RunResult> results) {
        Map<String, Double> s = scores(results);
        List<String[]> rows = new ArrayList<>();
        for (String n : new String[] {"64", "256", "1024", "2048"}) {
            Double api = s.get("MatmulBenchmark.tensorMatmul[" + n + "]");
            Double ref = s.get("MatmulBenchmark.cblasSgemm[" + n + "]");
            if (api != null && ref != null) {
                double flops = 2.0 * Math.pow(Double.parseDouble(n), 3);
                rows.add(row("matmul n=" + n, flops / api, "GFLOP/s", "cblas_sgemm " + fmt(flops / ref) + " GFLOP/s",
                        ref / api));
            }
        }
        for (String n : new String[] {"1048576", "16777216"}) {
            Double copy = s.get("ElementwiseBenchmark.memcpy[" + n + "]");
            if (copy == null) {
                continue;
            }
            double size = Double.parseDouble(n);
            double copyGbs = 8 * size / copy;
            String label = n.equals("1048576") ? "2^20" : "2^24";
            rows.add(row("memcpy " + label, copyGbs, "GB/s", "reference", 1.0));
            addBandwidth(rows, s, "add", n, label, 12 * size, copyGbs);
            addBandwidth(rows, s, "addInPlace", n, label, 12 * size, copyGbs);
            addBandwidth(rows, s, "exp", n, label, 8 * size, copyGbs);
            addBandwidth(rows, s, "sum", n, label, 4 * size, copyGbs);
        }
        Double tiny = s.get("TinyOpBenchmark.tinyAdd");
        Double jni = s.get("TinyOpBenchmark.jniSaxpy");
        if (tiny != null && jni != null) {
            rows.add(row("tiny add (8 floats)", tiny, "ns/op", "one JNI saxpy " + fmt(jni) + " ns", jni / tiny));
        }
        Double chainFb = s.get("ChainBenchmark.forwardBackward");
        Double chainFwd = s.get("ChainBenchmark.forwardNoGrad");
        if (chainFb != null && chainFwd != null) {
            // Scores are per node already (@OperationsPerInvocation).
            rows.add(row("autograd chain fwd+bwd per node", chainFb, "ns/node",
                    "forward without recording " + fmt(chainFwd) + " ns/node", chainFb / chainFwd));
        }
        Double mlpFb = s.get("MlpBenchmark.forwardBackward");
        Double mlpFwd = s.get("MlpBenchmark.forwardNoGrad");
        if (mlpFb != null && mlpFwd != null) {
            // MlpBenchmark reports microseconds.
            rows.add(row("MLP 784-256-128-10 b128 fwd+bwd", mlpFb / 1e3, "ms/step",
                    "forward alone " + fmt(mlpFwd / 1e3) + " ms", mlpFb / mlpFwd));
        }
        addOptimizer(rows, s, "Adam", "adam", "copyAdamBytes", 28);
        addOptimizer(rows, s, "SGD momentum", "sgdMomentum", "copySgdBytes", 20);
        for (Map.Entry<String, Double> e : s.entrySet()) {
            String k = e.getKey();
            boolean shown = k.startsWith("OptimizerStepBenchmark") || k.startsWith("MatmulBenchmark") || k.startsWith("ElementwiseBenchmark")
                    || k.startsWith("TinyOpBenchmark") || k.equals("ChainBenchmark.forwardBackward")
                    || k.equals("ChainBenchmark.forwardNoGrad") || k.startsWith("MlpBenchmark");
            if (!shown) {
                rows.add(row(k, e.getValue(), "ns/op", "", Double.NaN));
            }
        }
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "%-34s %12s %-8s %8s  %s%n", "benchmark", "value", "unit", "ratio", "reference"));
        for (String[] r : rows) {
            sb.append(String.format(Locale.ROOT, "%-34s %12s %-8s %8s  %s%n", (Object[]) r));
        }
        return sb.toString();
    }

    /** Parameters per second of one step over 10M parameters, fused and composed, against the memcpy floor. */
    private static void addOptimizer(List<String[]> rows, Map<String, Double> s, String label, String method,
            String floor, int bytesPerParam) {
        Double fused = s.get("OptimizerStepBenchmark." + method + "Fused");
        Double composed = s.get("OptimizerStepBenchmark." + method + "Composed");
        Double copy = s.get("OptimizerStepBenchmark." + floor);
        double params = 10_000_000;
        if (fused != null && copy != null) {
            rows.add(row(label + " step fused", params / fused * 1e3, "Mparam/s",
                    "floor " + fmt(params / copy * 1e3) + " Mparam/s (memcpy of " + bytesPerParam + " B/param)",
                    copy / fused));
        }
        if (fused != null && composed != null) {
            rows.add(row(label + " step composed", params / composed * 1e3, "Mparam/s",
                    "fused is " + String.format(Locale.ROOT, "%.2fx", composed / fused) + " faster", copy == null ? Double.NaN
                            : copy / composed));
        }
    }

    private static void addBandwidth(List<String[]> rows, Map<String, Double> s, String op, String n, String label,
            double bytes, double copyGbs) {
        Double t = s.get("ElementwiseBenchmark." + op + "[" + n + "]");
        if (t != null) {
            double gbs = bytes / t;
            rows.add(row(op + " " + label, gbs, "GB/s", "memcpy " + fmt(copyGbs) + " GB/s", gbs / copyGbs));
        }
    }

    private static String[] row(String name, double value, String unit, String reference, double ratio) {
        return new String[] {name, fmt(value), unit, Double.isNaN(ratio) ? "" : String.format(Locale.ROOT, "%.2fx", ratio),
            reference};
    }

    private static String fmt(double v) {
        return String.format(Locale.ROOT, v >= 100 ? "%.0f" : v >= 10 ? "%.1f" : "%.2f", v);
    }
}
