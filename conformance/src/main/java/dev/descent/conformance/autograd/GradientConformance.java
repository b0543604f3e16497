package dev.descent.conformance.autograd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.descent.autograd.Autograd;
import dev.descent.autograd.GradCheck;
import dev.descent.autograd.GradCheckResult;
import dev.descent.autograd.Variable;
import dev.descent.conformance.CaseSelection;
import dev.descent.core.Backends;
import dev.descent.core.DType;
import dev.descent.core.Device;
import dev.descent.core.Generator;
import dev.descent.core.Scope;
import dev.descent.core.Tensor;
import dev.descent.core.spi.Backend;
import dev.descent.core.spi.Capability;
import dev.descent.core.spi.MemoryUse;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.TestInstance;

/**
 * The gradient conformance suite: every differentiable op of {@link Variable}, on several
 * shapes, has its backward rule checked on the backend under test. A backend runs it by
 * extending this class in its tests and naming itself:
 *
 * <pre>{@code
 * class CpuGradientConformanceTest extends GradientConformance {
 *     CpuGradientConformanceTest() {
 *         super("cpu");
 *     }
 * }
 * }</pre>
 *
 * <p>Each case of {@link GradientCases} is checked four ways: {@link GradCheck#gradcheck} in
 * float64 with contiguous inputs and again with non-contiguous views (transposed or strided);
 * {@link GradCheck#gradgradcheck} in float64 of the op's square (so that the backward rule of
 * a linear op is itself differentiated with an input-dependent gradient); and float32 agreement:
 * the gradient of {@code sum(v * f(x))} computed in float32 equals the float64 one on the same
 * (float32-representable) inputs within {@code 1e-4 * max(1, max|g|) + 1e-3 |g|}. The float64
 * checks need {@link Capability#FLOAT64}; a backend without it skips them and only checks that
 * its float32 gradients are finite.
 *
 * <p>Every case runs inside a {@link Scope}; its seed is in its name. While the suite runs the
 * backend is the default one; the previous default is restored afterwards.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class GradientConformance {
    private static final double AGREE_ATOL = 1e-4;
    private static final double AGREE_RTOL = 1e-3;
    private final String backendName;
    private Device device;
    private boolean float64;
    private String previousDefault;
    private final Map<String, Tally> tallies = new LinkedHashMap<>();

    /** @param backendName the name the backend registers under ({@code cpu}, {@code cuda}) */
    protected GradientConformance(String backendName) {
        this.backendName = backendName;
    }

    @BeforeAll
    void selectBackend() {
        Backend backend = Backends.get(backendName);
        device = backend.devices().get(0);
        float64 = backend.capabilities().contains(Capability.FLOAT64);
        previousDefault = Backends.defaultName();
        Backends.setDefault(backendName);
    }

    @AfterAll
    void restoreBackend() {
        System.out.print(summary());
        if (previousDefault != null && Backends.installed().containsKey(previousDefault)) {
            Backends.setDefault(previousDefault);
        }
    }

    /**
     * Per check: the cases run, passed and failed, and the worst error of the passing ones as a
     * share of its tolerance; then every failing case with its reason.
     */
    protected synchronized String summary() {
        int passed = 0;
        int failed = 0;
        for (Tally t : tallies.values()) {
            passed += t.passed;
            failed += t.failed.size();
        }
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "gradient conformance of '%s': %d cases,"
                + " %d passed, %d failed%n", backendName, passed + failed, passed, failed));
        for (Map.Entry<String, Tally> e : tallies.entrySet()) {
            Tally t = e.getValue();
            sb.append(String.format(Locale.ROOT, "  %-22s %4d passed %4d failed   worst passing error/tolerance %.3g%n",
                    e.getKey(), t.passed, t.failed.size(), t.worst));
        }
        for (Map.Entry<String, Tally> e : tallies.entrySet()) {
            for (String f : e.getValue().failed) {
                sb.append("  FAILED ").append(e.getKey()).append(": ").append(f).append('\n');
            }
        }
        return sb.toString();
    }

    /** How many cases failed so far. */
    protected synchronized int failures() {
        return tallies.values().stream().mapToInt(t -> t.failed.size()).sum();
    }

    /** One check's cases. */
    private static final class Tally {
        int passed;
        double worst;
        final List<String> failed = new ArrayList<>();
    }

    @TestFactory
    @DisplayName("gradcheck: every op's backward matches central differences in float64 (contiguous inputs)")
    Stream<DynamicNode> gradcheckContiguous() {
        return perOp("gradcheck", (c, gen) -> gradcheck(c, gen, true));
    }

    @TestFactory
    @DisplayName("gradcheck: the same on non-contiguous views (transposed, strided)")
    Stream<DynamicNode> gradcheckNonContiguous() {
        return perOp("gradcheck views", (c, gen) -> gradcheck(c, gen, false));
    }

    @TestFactory
    @DisplayName("gradgradcheck: every backward rule is itself differentiable (second derivatives of f²)")
    Stream<DynamicNode> gradgradcheck() {
        return perOp("gradgradcheck", this::gradgradcheck);
    }

    @TestFactory
    @DisplayName("float32 gradients agree with float64 ones on the same inputs")
    Stream<DynamicNode> float32Agreement() {
        return perOp("float32 agreement", this::float32Agreement);
    }

    @TestFactory
    @DisplayName("a backward pass that records (createGraph) gives the same gradients as a plain one")
    Stream<DynamicNode> recordedGradients() {
        return perOp("recorded gradients", this::recordedAgreement);
    }

    // ---------------------------------------------------------------- the checks

    @FunctionalInterface
    private interface Check {
        /** Runs the check and returns its error as a share of its tolerance (at most 1 to pass). */
        double run(GradCase c, Generator gen);
    }

    private Stream<DynamicNode> perOp(String check, Check body) {
        Map<String, List<DynamicNode>> byOp = new LinkedHashMap<>();
        long seed = Long.getLong("descent.conformance.seed", 1L) * 7919;
        for (GradCase c : GradientCases.all()) {
            long caseSeed = ++seed;
            String name = c + (check.startsWith("float32") ? " float32" : " float64") + " (seed " + caseSeed + ")";
            byOp.computeIfAbsent(c.op(), k -> new ArrayList<>()).add(DynamicTest.dynamicTest(name, () -> {
                Backend backend = Backends.forDevice(device);
                MemoryUse before = backend.memoryInUse(device);
                double share;
                try {
                    try (Scope scope = Scope.open()) {
                        share = body.run(c, new Generator(caseSeed));
                    }
                    MemoryUse after = backend.memoryInUse(device);
                    if (leaked(before, after)) {
                        // A cache filled at first use (autograd keeps gather's positions) is not a
                        // leak: run the case again, and fail only if it leaks again.
                        before = after;
                        try (Scope scope = Scope.open()) {
                            body.run(c, new Generator(caseSeed));
                        }
                        checkNoLeak(name, before, backend.memoryInUse(device));
                    }
                } catch (org.opentest4j.TestAbortedException skipped) {
                    throw skipped;
                } catch (Throwable t) {
                    recordFailure(check, name + ": " + firstLine(t));
                    throw CaseSelection.trimmed(t);
                }
                recordPass(check, share);
            }));
        }
        return CaseSelection.select(byOp.entrySet().stream()
                .map(e -> DynamicContainer.dynamicContainer(e.getKey(), e.getValue())));
    }

    private synchronized void recordPass(String check, double share) {
        Tally t = tallies.computeIfAbsent(check, k -> new Tally());
        t.passed++;
        t.worst = Math.max(t.worst, share);
    }

    private synchronized void recordFailure(String check, String reason) {
        tallies.computeIfAbsent(check, k -> new Tally()).failed.add(reason);
    }

    private static String firstLine(Throwable t) {
        String m = String.valueOf(t.getMessage());
        int nl = m.indexOf('\n');
        return (t instanceof AssertionError ? "" : t.getClass().getSimpleName() + ": ") + (nl < 0 ? m : m.substring(0, nl));
    }

    /**
     * The leak check of the op suite ({@code Harness}): no case may end with more live storages
     * than it began with, twice in a row.
     */
    private static boolean leaked(MemoryUse before, MemoryUse after) {
        return before.reported() && after.reported()
                && (after.storages() > before.storages() || after.bytes() > before.bytes());
    }

    private static void checkNoLeak(String what, MemoryUse before, MemoryUse after) {
        if (leaked(before, after)) {
            throw new AssertionError(String.format(Locale.ROOT, "%s: leaked memory: %d storage(s), %d byte(s) still"
                    + " live after the case's Scope closed", what, after.storages() - before.storages(),
                    after.bytes() - before.bytes()));
        }
    }

    private double gradcheck(GradCase c, Generator gen, boolean contiguous) {
        requireFloat64();
        GradCheckResult r = GradCheck.gradcheck(c.f(), inputs(c, gen, contiguous));
        assertTrue(r.passed(), () -> c + ": " + r);
        return share(r);
    }

    private double gradgradcheck(GradCase c, Generator gen) {
        requireFloat64();
        Function<List<Variable>, Variable> squared = xs -> c.f().apply(xs).square();
        GradCheckResult r = GradCheck.gradgradcheck(squared, inputs(c, gen, true), GradCheck.Tolerance.DEFAULT,
                gen.nextLong());
        assertTrue(r.passed(), () -> c + ": " + r);
        return share(r);
    }

    private double float32Agreement(GradCase c, Generator gen) {
        List<Tensor> x32 = new ArrayList<>();
        List<Tensor> x64 = new ArrayList<>();
        for (GradInput in : c.inputs()) {
            try (Tensor drawn = in.make(device, gen, true)) {
                Tensor single = drawn.to(DType.FLOAT32);
                x32.add(single);
                x64.add(single.to(DType.FLOAT64));
            }
        }
        if (!float64) {
            // Without float64 there is no reference here; at least the float32 gradient must be finite.
            gradient(c, x32, gen);
            return 0;
        }
        long seedOfV = gen.nextLong();
        double[][] g32 = gradient(c, x32, new Generator(seedOfV));
        double[][] g64 = gradient(c, x64, new Generator(seedOfV));
        double worst = 0;
        for (int i = 0; i < g64.length; i++) {
            assertEquals(g64[i].length, g32[i].length, c + ": gradient sizes differ for input " + i);
            double scale = 1;
            for (double v : g64[i]) {
                scale = Math.max(scale, Math.abs(v));
            }
            for (int j = 0; j < g64[i].length; j++) {
                double allowed = AGREE_ATOL * scale + AGREE_RTOL * Math.abs(g64[i][j]);
                double err = Math.abs(g32[i][j] - g64[i][j]);
                if (!(err <= allowed)) {
                    fail(String.format(Locale.ROOT, "%s: float32 gradient of input %d [%d] is %.9g, float64 %.9g"
                            + " (error %.3g, allowed %.3g)", c, i, j, g32[i][j], g64[i][j], err, allowed));
                }
                worst = Math.max(worst, err / allowed);
            }
        }
        return worst;
    }

    /**
     * Ops whose plain backward pass is a fused kernel and whose recording pass is written with
     * differentiable ops (batch normalisation) are checked here: the two must agree, since
     * gradgradcheck differentiates only the recorded form.
     */
    private double recordedAgreement(GradCase c, Generator gen) {
        DType dt = float64 ? DType.FLOAT64 : DType.FLOAT32;
        double tol = float64 ? 1e-10 : 1e-4;
        List<Tensor> xs = new ArrayList<>();
        for (GradInput in : c.inputs()) {
            try (Tensor drawn = in.make(device, gen, true)) {
                xs.add(drawn.to(dt));
            }
        }
        long seedOfV = gen.nextLong();
        double[][] plain = gradient(c, xs, new Generator(seedOfV), false);
        double[][] recorded = gradient(c, xs, new Generator(seedOfV), true);
        double worst = 0;
        for (int i = 0; i < plain.length; i++) {
            double scale = 1;
            for (double v : plain[i]) {
                scale = Math.max(scale, Math.abs(v));
            }
            for (int j = 0; j < plain[i].length; j++) {
                double err = Math.abs(plain[i][j] - recorded[i][j]);
                if (!(err <= tol * scale)) {
                    fail(String.format(Locale.ROOT, "%s: gradient of input %d [%d] is %.12g plain, %.12g recorded",
                            c, i, j, plain[i][j], recorded[i][j]));
                }
                worst = Math.max(worst, err / (tol * scale));
            }
        }
        return worst;
    }

    /** The gradient of {@code sum(v * f(x))} for every input, {@code v} drawn from {@code gen} in x's dtype. */
    private double[][] gradient(GradCase c, List<Tensor> xs, Generator gen) {
        return gradient(c, xs, gen, false);
    }

    private double[][] gradient(GradCase c, List<Tensor> xs, Generator gen, boolean createGraph) {
        List<Variable> leaves = new ArrayList<>();
        for (Tensor x : xs) {
            leaves.add(Variable.of(x, true));
        }
        Variable y = c.f().apply(leaves);
        double[] v = gen.normal((int) y.numel(), 0, 1);
        Tensor seed;
        try (Tensor flat = Tensor.of(device, y.dtype(), v, v.length)) {
            seed = flat.reshape(y.shape().dims());
        }
        List<Variable> grads;
        try (Variable seedLeaf = Variable.of(seed)) {
            grads = Autograd.grad(List.of(y), leaves, List.of(seedLeaf), false, createGraph);
        }
        double[][] out = new double[grads.size()][];
        for (int i = 0; i < grads.size(); i++) {
            // the gradients are the caller's (Autograd.grad), not the Scope's: closed once read
            try (Variable gi = grads.get(i)) {
                out[i] = gi.toDoubleArray();
            }
            for (double d : out[i]) {
                assertTrue(Double.isFinite(d), () -> c + ": non-finite gradient " + d);
            }
        }
        return out;
    }

    private List<Tensor> inputs(GradCase c, Generator gen, boolean contiguous) {
        List<Tensor> xs = new ArrayList<>();
        for (GradInput in : c.inputs()) {
            xs.add(in.make(device, gen, contiguous));
        }
        return xs;
    }

    private void requireFloat64() {
        assumeTrue(float64, "backend '" + backendName + "' has no float64");
    }

    private static double share(GradCheckResult r) {
        return r.tolerance() > 0 ? r.error() / r.tolerance() : 0;
    }
}
