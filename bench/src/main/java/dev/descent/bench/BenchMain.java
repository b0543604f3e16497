package dev.descent.bench;

import dev.descent.core.BackendUnavailableException;
import dev.descent.bench.nn.TransformerStepBenchmark;
import dev.descent.core.Backends;
import dev.descent.core.spi.Backend.Availability;
import dev.descent.cpu.CpuBackend;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Runs the JMH benchmarks and prints one table: each measurement with its unit (GFLOP/s,
 * GB/s or ns/op) and its ratio to the reference measured in the same run.
 *
 * <p>Arguments: {@code --quick} (shorter runs, wider error); {@code --cuda} (the GPU set,
 * {@code dev.descent.bench.cuda}, instead of the CPU set; where the CUDA backend cannot run it
 * prints the backend's reason in one line and exits with status 2); {@code --json FILE}
 * (JMH's results as JSON as well); then an optional regular expression selecting benchmarks
 * of the set (default: all).
 */
public final class BenchMain {
    private static final String ALL = "dev\\.descent\\.bench\\..*";
    // JMH matches these with find() on a benchmark's full name: the CUDA set needs a GPU, so
    // only --cuda selects it, and then nothing else.
    private static final String CUDA_SET = "\\.bench\\.cuda\\.";
    private static final String CPU_SET = "^dev\\.descent\\.bench\\.(?!cuda\\.)";
    private static final String USAGE = "usage: java -jar bench/target/descent-bench.jar [--quick] [--cuda] [--json FILE] [REGEX]";
    /** Bytes each op moves per float32 element: add reads two and writes one, exp reads one and writes one, sum reads one. */
    private static final Map<String, Integer> BYTES_PER_ELEMENT = Map.of("add", 12, "addInPlace", 12, "exp", 8, "sum", 4);
    /** The ops of TranscendentalBenchmark: each reads one float32 tensor and writes one (8 bytes per element). */
    private static final List<String> TRANSCENDENTAL = List.of("exp", "log", "tanh", "sigmoid", "expm1", "log1p",
            "softplus", "gelu", "erf", "pow", "sqrt");

    private BenchMain() {
    }

    public static void main(String[] args) throws RunnerException {
        boolean quick = false;
        boolean cuda = false;
        String json = null;
        String include = ALL;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--quick" -> quick = true;
                case "--cuda" -> cuda = true;
                case "--json" -> {
                    if (i + 1 == args.length) {
                        System.err.println(USAGE);
                        System.exit(2);
                    }
                    json = args[++i];
                }
                case "--help", "-h" -> {
                    System.out.println(USAGE);
                    return;
                }
                default -> include = args[i];
            }
        }
        if (cuda) {
            String why = cudaUnavailable();
            if (why != null) {
                System.err.println("descent-bench: cannot run the CUDA benchmarks: " + why);
                System.exit(2);
            }
        }
        ChainedOptionsBuilder opts = options(quick, cuda, include);
        if (json != null) {
            opts.result(json).resultFormat(ResultFormatType.JSON);
        }
        Collection<RunResult> results = new Runner(opts.build()).run();
        System.out.println();
        System.out.print(table(results));
        if (results.stream().anyMatch(r -> r.getParams().getBenchmark().contains("SoftmaxRowsBenchmark"))) {
            Availability rows = CpuBackend.nativeSoftmaxRows();
            System.out.println("f32 softmax rows ran " + (rows.available() ? "in C (descent.cpu.nativeRows)"
                    : "in Java: " + rows.reason()));
        }
    }

    /**
     * The JMH options of a run: the CPU set, or with {@code cuda} the GPU set, restricted to
     * the benchmarks matching {@code include}.
     */
    public static ChainedOptionsBuilder options(boolean quick, boolean cuda, String include) {
        return new OptionsBuilder().include(include).exclude(cuda ? CPU_SET : CUDA_SET).forks(1)
                .warmupIterations(quick ? 2 : 3).warmupTime(TimeValue.seconds(1))
                .measurementIterations(quick ? 3 : 5).measurementTime(TimeValue.seconds(1))
                .jvmArgsAppend("-Xmx4g");
    }

    /** Null when the CUDA backend can run here, else its reason (no driver, no GPU, a missing library). */
    public static String cudaUnavailable() {
        try {
            Backends.get("cuda");
            return null;
        } catch (BackendUnavailableException e) {
            return e.getMessage();
        }
    }

    /** Mean ns/op per "Class.method[param]" key. */
    static Map<String, Double> scores(Collection<RunResult> results) {
        Map<String, Double> m = new HashMap<>();
        for (RunResult r : results) {
            m.put(key(r), r.getPrimaryResult().getScore());
        }
        return m;
    }

    /** The unit JMH reported each score in ({@code ns/op}, {@code ops/ms}, {@code us/op}...), per key of {@link #scores}. */
    static Map<String, String> units(Collection<RunResult> results) {
        Map<String, String> m = new HashMap<>();
        for (RunResult r : results) {
            m.put(key(r), r.getPrimaryResult().getScoreUnit());
        }
        return m;
    }

    /** "Class.method[param]...": the benchmark's class and method, and its parameters' values. */
    private static String key(RunResult r) {
        var p = r.getParams();
        String name = p.getBenchmark().substring(p.getBenchmark().lastIndexOf('.', p.getBenchmark().lastIndexOf('.') - 1) + 1);
        StringBuilder key = new StringBuilder(name);
        for (String k : p.getParamsKeys()) {
            key.append('[').append(p.getParam(k)).append(']');
        }
        return key.toString();
    }

    static String table(Collection<RunResult> results) {
        return table(scores(results), units(results));
    }

    /**
     * The table from the mean score per "Class.method[param]" key: the known benchmarks (in
     * ns/op) as rates and ratios to their references, every other one as JMH measured it, in
     * its own unit ({@code units}).
     */
    static String table(Map<String, Double> s, Map<String, String> units) {
        List<String[]> rows = new ArrayList<>();
        addMatmul(rows, s, "", "MatmulBenchmark", "cblasSgemm", "cblas_sgemm", "64", "256", "1024", "2048");
        addMemoryBound(rows, s, "", "ElementwiseBenchmark", "memcpy", "memcpy", List.of("add", "addInPlace", "exp", "sum"),
                "1048576", "16777216");
        addMemoryBound(rows, s, "f32 ", "TranscendentalBenchmark", "memcpy", "memcpy", TRANSCENDENTAL, "16777216");
        addMemoryBound(rows, s, "f32 rows of 1024: ", "SoftmaxRowsBenchmark", "memcpy", "memcpy",
                List.of("logSoftmax", "softmax"), "4194304", "16777216");
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
        addConvolutions(rows, s, "c1o32", "c32o64", "c64o64");
        Double cnnStep = s.get("CnnStepBenchmark.trainingStep");
        Double cnnFwd = s.get("CnnStepBenchmark.forwardNoGrad");
        if (cnnStep != null && cnnFwd != null) {
            // CnnStepBenchmark reports microseconds; batch 128
            rows.add(row("CNN recipe b128 train step", cnnStep / 1e3, "ms/step", fmt(128 / (cnnStep / 1e6))
                    + " samples/s; forward alone " + fmt(cnnFwd / 1e3) + " ms", cnnStep / cnnFwd));
        }
        Double gptStep = s.get("TransformerStepBenchmark.trainStep");
        Double gptForward = s.get("TransformerStepBenchmark.forwardNoGrad");
        if (gptStep != null && gptForward != null) {
            // TransformerStepBenchmark reports milliseconds.
            double tokens = TransformerStepBenchmark.BATCH * TransformerStepBenchmark.CONTEXT;
            rows.add(row("GPT 4x128 ctx128 b32 train step", tokens / (gptStep / 1e3), "tokens/s",
                    fmt(gptStep) + " ms/step; forward alone " + fmt(gptForward) + " ms", gptStep / gptForward));
        }
        Map<String, Long> cpuLists = new LinkedHashMap<>();
        cpuLists.put("4194304", 4194304L);
        cpuLists.put("16777216", 16777216L);
        cpuLists.put("mlp", 235146L);
        addOptimizer(rows, s, "OptimizerStepBenchmark", "Adam", "adam", "copyAdamBytes", "memcpy", 28, cpuLists);
        addOptimizer(rows, s, "OptimizerStepBenchmark", "SGD momentum", "sgdMomentum", "copySgdBytes", "memcpy", 20,
                cpuLists);
        addMatmul(rows, s, "cuda ", "CudaMatmulBenchmark", "cublasSgemm", "cublasSgemm", "1024", "2048", "4096");
        for (String shape : List.of("c1o32", "c32o64", "c64o64")) {
            Double gemm = s.get("CudaConvBenchmark.cublasSgemm[" + shape + "]");
            Double fb = s.get("CudaConvBenchmark.conv2dForwardBackward[" + shape + "]");
            if (gemm != null && fb != null) {
                double flops = dev.descent.bench.conv.ConvBenchmark.forwardFlops(shape);
                rows.add(row("cuda conv2d 3x3 " + shape + " fwd+bwd", 3 * flops / fb, "GFLOP/s",
                        "cublasSgemm same shape " + fmt(flops / gemm) + " GFLOP/s", 3 * gemm / fb));
            }
        }
        addMemoryBound(rows, s, "cuda ", "CudaElementwiseBenchmark", "copy", "D2D copy", List.of("add", "addInPlace", "sum"),
                "1048576", "16777216", "67108864");
        addOptimizer(rows, s, "CudaAdamStepBenchmark", "cuda Adam", "adam", "copyAdamBytes", "D2D copy", 28,
                Map.of("", 10_000_000L));
        for (Map.Entry<String, Double> e : s.entrySet()) {
            String k = e.getKey();
            boolean shown = k.startsWith("OptimizerStepBenchmark") || k.startsWith("MatmulBenchmark") || k.startsWith("ElementwiseBenchmark")
                    || k.startsWith("TranscendentalBenchmark") || k.startsWith("SoftmaxRowsBenchmark")
                    || k.startsWith("TinyOpBenchmark") || k.equals("ChainBenchmark.forwardBackward")
                    || k.equals("ChainBenchmark.forwardNoGrad") || k.startsWith("MlpBenchmark") || k.startsWith("Cuda")
                    || k.startsWith("ConvBenchmark") || k.startsWith("CnnStepBenchmark")
                    || k.startsWith("TransformerStepBenchmark");
            if (!shown) {
                rows.add(row(k, e.getValue(), units.getOrDefault(k, "?"), "", Double.NaN));
            }
        }
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "%-34s %12s %-8s %8s  %s%n", "benchmark", "value", "unit", "ratio", "reference"));
        for (String[] r : rows) {
            sb.append(String.format(Locale.ROOT, "%-34s %12s %-8s %8s  %s%n", (Object[]) r));
        }
        return sb.toString();
    }

    /** GFLOP/s of the tensor API's product of n×n float32 matrices against the library's, for each n. */
    private static void addMatmul(List<String[]> rows, Map<String, Double> s, String prefix, String bench, String reference,
            String referenceName, String... sizes) {
        for (String n : sizes) {
            Double api = s.get(bench + ".tensorMatmul[" + n + "]");
            Double ref = s.get(bench + "." + reference + "[" + n + "]");
            if (api != null && ref != null) {
                double flops = 2.0 * Math.pow(Double.parseDouble(n), 3);
                rows.add(row(prefix + "matmul n=" + n, flops / api, "GFLOP/s",
                        referenceName + " " + fmt(flops / ref) + " GFLOP/s", ref / api));
            }
        }
    }

    /**
     * GFLOP/s of a 3×3 convolution (forward; forward and both gradients, three products of the
     * forward's size; the composed unfold-the-batch alternative), each against {@code cblas_sgemm}
     * of the forward's product in the same run.
     */
    private static void addConvolutions(List<String[]> rows, Map<String, Double> s, String... shapes) {
        for (String shape : shapes) {
            Double gemm = s.get("ConvBenchmark.cblasSgemm[" + shape + "]");
            if (gemm == null) {
                continue;
            }
            double flops = dev.descent.bench.conv.ConvBenchmark.forwardFlops(shape);
            String ref = "cblas_sgemm same shape " + fmt(flops / gemm) + " GFLOP/s";
            Double fwd = s.get("ConvBenchmark.conv2dForward[" + shape + "]");
            Double fb = s.get("ConvBenchmark.conv2dForwardBackward[" + shape + "]");
            Double unfolded = s.get("ConvBenchmark.unfoldedBatchForward[" + shape + "]");
            if (fwd != null) {
                rows.add(row("conv2d 3x3 " + shape + " fwd", flops / fwd, "GFLOP/s", ref, gemm / fwd));
            }
            if (fb != null) {
                rows.add(row("conv2d 3x3 " + shape + " fwd+bwd", 3 * flops / fb, "GFLOP/s", ref, 3 * gemm / fb));
            }
            if (unfolded != null) {
                rows.add(row("unfold batch+sgemm " + shape + " fwd", flops / unfolded, "GFLOP/s", ref, gemm / unfolded));
            }
            Double oneDnnFwd = s.get("ConvBenchmark.oneDnnConv2dForward[" + shape + "]");
            Double oneDnnFb = s.get("ConvBenchmark.oneDnnConv2dForwardBackward[" + shape + "]");
            if (oneDnnFwd != null) {
                rows.add(row("conv2d 3x3 " + shape + " fwd, onednn", flops / oneDnnFwd, "GFLOP/s", ref, gemm / oneDnnFwd));
            }
            if (oneDnnFb != null) {
                rows.add(row("conv2d 3x3 " + shape + " fwd+bwd, onednn", 3 * flops / oneDnnFb, "GFLOP/s", ref,
                        3 * gemm / oneDnnFb));
            }
        }
    }

    /** For each size: the plain copy's GB/s as the reference row, then each op's GB/s as a fraction of it. */
    private static void addMemoryBound(List<String[]> rows, Map<String, Double> s, String prefix, String bench, String copy,
            String copyName, List<String> ops, String... sizes) {
        for (String n : sizes) {
            Double t = s.get(bench + "." + copy + "[" + n + "]");
            if (t == null) {
                continue;
            }
            double size = Double.parseDouble(n);
            double copyGbs = 8 * size / t;
            String label = "2^" + Integer.numberOfTrailingZeros(Integer.parseInt(n));
            rows.add(row(prefix + copyName + " " + label, copyGbs, "GB/s", "reference", 1.0));
            for (String op : ops) {
                Double o = s.get(bench + "." + op + "[" + n + "]");
                if (o != null) {
                    double gbs = BYTES_PER_ELEMENT.getOrDefault(op, 8) * size / o;
                    rows.add(row(prefix + op + " " + label, gbs, "GB/s", copyName + " " + fmt(copyGbs) + " GB/s",
                            gbs / copyGbs));
                }
            }
        }
    }

    /**
     * Parameters per second of one step, fused and composed, against the copy floor, for each
     * parameter list ({@code @Param} value, "" for a benchmark without one) and its parameter count.
     */
    private static void addOptimizer(List<String[]> rows, Map<String, Double> s, String bench, String label, String method,
            String floor, String copyName, int bytesPerParam, Map<String, Long> lists) {
        for (Map.Entry<String, Long> list : lists.entrySet()) {
            String key = list.getKey().isEmpty() ? "" : "[" + list.getKey() + "]";
            String name = label + (list.getKey().isEmpty() ? "" : " " + list.getKey());
            Double fused = s.get(bench + "." + method + "Fused" + key);
            Double composed = s.get(bench + "." + method + "Composed" + key);
            Double copy = s.get(bench + "." + floor + key);
            double params = list.getValue();
            if (fused != null && copy != null) {
                rows.add(row(name + " step fused", params / fused * 1e3, "Mparam/s",
                        "floor " + fmt(params / copy * 1e3) + " Mparam/s (" + copyName + " of " + bytesPerParam + " B/param)",
                        copy / fused));
            }
            if (fused != null && composed != null) {
                rows.add(row(name + " step composed", params / composed * 1e3, "Mparam/s",
                        "fused is " + String.format(Locale.ROOT, "%.2fx", composed / fused) + " faster",
                        copy == null ? Double.NaN : copy / composed));
            }
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
