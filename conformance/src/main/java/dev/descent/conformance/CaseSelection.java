package dev.descent.conformance;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;

/**
 * Which cases run, and how a failure is shown. The system property
 * {@code descent.conformance.case} keeps only the cases whose name contains its value (case
 * insensitive), so one failing case is rerun alone, with the same seed (a case's seed comes from
 * its name): {@code mvn test -Dtest=CpuConformanceTest
 * -Ddescent.conformance.case='sum float32 [33, 7] over [0]'}.
 */
public final class CaseSelection {
    /** The system property that selects cases by name. */
    public static final String PROPERTY = "descent.conformance.case";

    private CaseSelection() {
    }

    /** The selected cases of {@code nodes}; containers left empty are dropped. */
    public static Stream<DynamicNode> select(Stream<? extends DynamicNode> nodes) {
        String wanted = System.getProperty(PROPERTY, "").strip();
        if (wanted.isEmpty()) {
            return nodes.map(n -> n);
        }
        return prune(nodes, wanted.toLowerCase(Locale.ROOT));
    }

    private static Stream<DynamicNode> prune(Stream<? extends DynamicNode> nodes, String wanted) {
        return nodes.<DynamicNode>flatMap(n -> {
            if (n instanceof DynamicContainer c) {
                List<DynamicNode> kept = prune(c.getChildren(), wanted).toList();
                return kept.isEmpty() ? Stream.empty()
                        : Stream.of(DynamicContainer.dynamicContainer(c.getDisplayName(), kept.stream()));
            }
            return n instanceof DynamicTest && n.getDisplayName().toLowerCase(Locale.ROOT).contains(wanted)
                    ? Stream.of(n) : Stream.empty();
        });
    }

    /**
     * A failure with its stack trace cut to the suite's own frames: its message names the op,
     * dtype, shape and seed, and the frames of JUnit and reflection below it would add some forty
     * lines to a test report for each failing case.
     */
    public static Throwable trimmed(Throwable t) {
        if (t instanceof AssertionError) {
            StackTraceElement[] own = Arrays.stream(t.getStackTrace())
                    .filter(e -> e.getClassName().startsWith("dev.descent.")).limit(4)
                    .toArray(StackTraceElement[]::new);
            t.setStackTrace(own);
        }
        return t;
    }
}
