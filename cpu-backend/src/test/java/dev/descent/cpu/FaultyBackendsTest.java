package dev.descent.cpu;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import dev.descent.conformance.CaseSelection;
import dev.descent.conformance.ConformanceReport;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.launcher.listeners.TestExecutionSummary;

/**
 * A delegating backend with a fault fails the conformance suite, and the report names the op,
 * the dtype and the shape of what failed: a {@code Storage.free()} that frees nothing, and
 * float32 results about 25 ulp off (in every family of float32 cases: elementwise, scalar
 * operands, reductions, softmax rows, matrix products, fused updates).
 */
class FaultyBackendsTest {
    private static TestExecutionSummary run(Class<?> suite, String selection) {
        String old = System.getProperty(CaseSelection.PROPERTY);
        System.setProperty(CaseSelection.PROPERTY, selection);
        try {
            Launcher launcher = LauncherFactory.create();
            SummaryGeneratingListener summary = new SummaryGeneratingListener();
            launcher.execute(LauncherDiscoveryRequestBuilder.request().selectors(selectClass(suite)).build(),
                    new TestExecutionListener[] {summary});
            return summary.getSummary();
        } finally {
            if (old == null) {
                System.clearProperty(CaseSelection.PROPERTY);
            } else {
                System.setProperty(CaseSelection.PROPERTY, old);
            }
        }
    }

    private static List<String> failureLines(ConformanceReport r) {
        String text = r.render();
        List<String> lines = new ArrayList<>();
        for (String l : text.substring(text.indexOf("Failures (the first of each op):")).split("\n")) {
            if (l.startsWith("  [")) {
                lines.add(l);
            }
        }
        return lines;
    }

    @Test
    void aFreeThatFreesNothingFailsTheSuiteNamingTheCase() {
        TestExecutionSummary s = run(FaultySuites.LeakyFreeSuite.class, "add");
        ConformanceReport r = FaultySuites.lastReport;
        assertTrue(s.getTotalFailureCount() > 20, "failures: " + s.getTotalFailureCount());
        List<String> lines = failureLines(r);
        String all = String.join("\n", lines);
        assertTrue(lines.stream().anyMatch(l -> l.contains("memoryInUse: ")), all);
        assertTrue(lines.stream().anyMatch(l -> l.contains("add: add float32 [") && l.contains("leaked memory: ")),
                all);
    }

    @Test
    void float32ResultsTwentyFiveUlpOffFailEveryFamilyOfCases() {
        TestExecutionSummary s = run(FaultySuites.Ulp25Suite.class, "float32");
        ConformanceReport r = FaultySuites.lastReport;
        List<String> lines = failureLines(r);
        String all = String.join("\n", lines);
        assertTrue(s.getTotalFailureCount() > 100, "failures: " + s.getTotalFailureCount());
        for (String op : List.of("exp: ", "add: ", "mul: ", "sum: ", "softmax: ", "logSoftmax: ", "matmul: ",
                "addScaledInPlace(0.75): ", "mean: ", "logsumexp: ", "addInPlace: ")) {
            assertTrue(lines.stream().anyMatch(l -> l.contains(op) && l.contains("float32")),
                    "no failing float32 case of " + op + " in:\n" + all);
        }
        assertTrue(lines.stream().anyMatch(l -> l.contains("rule") && l.contains("float32")),
                "no failing fused update in:\n" + all);
        assertTrue(lines.stream().allMatch(l -> l.contains("[") && l.contains("float32")), all);
    }

    @Test
    void theGradientSuitesSummaryCountsItsFailures() {
        TestExecutionSummary s = run(FaultySuites.LeakyGradientSuite.class, "relu");
        String summary = FaultySuites.lastGradientSummary;
        long failed = s.getTotalFailureCount();
        assertTrue(failed > 0, summary);
        assertTrue(summary.contains(", " + s.getTestsSucceededCount() + " passed, " + failed + " failed"), summary);
        assertTrue(summary.contains("FAILED gradcheck: relu"), summary);
        assertTrue(summary.contains("leaked memory"), summary);
    }
}
