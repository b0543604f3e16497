package dev.descent.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;

/** {@code -Ddescent.conformance.case=TEXT} keeps the cases whose names contain TEXT, in any container. */
class CaseSelectionTest {
    private static Stream<DynamicNode> suite() {
        return Stream.of(
                DynamicContainer.dynamicContainer("exp", Stream.of(
                        DynamicTest.dynamicTest("exp float32 [7](contiguous) matches (seed 1)", () -> { }),
                        DynamicTest.dynamicTest("exp float64 [7](contiguous) matches (seed 2)", () -> { }))),
                DynamicContainer.dynamicContainer("log", Stream.of(
                        DynamicTest.dynamicTest("log float32 [7](contiguous) matches (seed 3)", () -> { }))),
                DynamicTest.dynamicTest("sum float32 [33, 7] over [0] (seed 4)", () -> { }));
    }

    private static List<String> names(Stream<DynamicNode> nodes) {
        return nodes.flatMap(n -> n instanceof DynamicContainer c ? names(c.getChildren().map(x -> (DynamicNode) x))
                .stream().map(s -> c.getDisplayName() + "/" + s) : Stream.of(n.getDisplayName())).toList();
    }

    private static List<String> selected(String value) {
        String old = System.getProperty(CaseSelection.PROPERTY);
        try {
            if (value == null) {
                System.clearProperty(CaseSelection.PROPERTY);
            } else {
                System.setProperty(CaseSelection.PROPERTY, value);
            }
            return names(CaseSelection.select(suite()));
        } finally {
            if (old == null) {
                System.clearProperty(CaseSelection.PROPERTY);
            } else {
                System.setProperty(CaseSelection.PROPERTY, old);
            }
        }
    }

    @Test
    void oneCaseIsSelectedByItsNameAndEmptyContainersAreDropped() {
        assertEquals(List.of("exp/exp float64 [7](contiguous) matches (seed 2)"), selected("EXP float64 [7]"));
        assertEquals(List.of("exp/exp float32 [7](contiguous) matches (seed 1)",
                "log/log float32 [7](contiguous) matches (seed 3)", "sum float32 [33, 7] over [0] (seed 4)"),
                selected("float32"));
        assertEquals(List.of(), selected("no such case"));
    }

    @Test
    void withoutThePropertyEveryCaseRuns() {
        assertEquals(4, selected(null).size());
        assertEquals(4, selected("  ").size());
    }
}
