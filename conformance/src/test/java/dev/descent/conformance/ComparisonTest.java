package dev.descent.conformance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.core.DType;
import org.junit.jupiter.api.Test;

/** The comparison rule: what passes, what fails, and what the failure says. */
class ComparisonTest {
    private static Comparison compare(double[] got, double[] want, Tolerance tol) {
        return Comparison.of(got, RefArray.of(new int[] {want.length}, want), null, tol);
    }

    @Test
    void exactDemandsEveryBit() {
        assertTrue(compare(new double[] {1, -0.0, 3}, new double[] {1, 0, 3}, Tolerance.exact()).passed());
        assertFalse(compare(new double[] {Math.nextUp(1.0)}, new double[] {1}, Tolerance.exact()).passed());
    }

    @Test
    void nanMustMeetNanAndInfinityTheSameInfinity() {
        Tolerance loose = new Tolerance("LOOSE", 1, 1, 0);
        double inf = Double.POSITIVE_INFINITY;
        assertTrue(compare(new double[] {Double.NaN, inf, -inf}, new double[] {Double.NaN, inf, -inf}, loose).passed());
        assertFalse(compare(new double[] {1}, new double[] {Double.NaN}, loose).passed());
        assertFalse(compare(new double[] {Double.NaN}, new double[] {1}, loose).passed());
        assertFalse(compare(new double[] {-inf}, new double[] {inf}, loose).passed());
        assertFalse(compare(new double[] {Double.MAX_VALUE}, new double[] {inf}, loose).passed());
        assertFalse(compare(new double[] {inf}, new double[] {1e300}, loose).passed());
    }

    @Test
    void relativeToleranceScalesWithTheExpectedValue() {
        Tolerance tol = Tolerance.rounded(DType.FLOAT64);
        assertTrue(compare(new double[] {1000 + 5e-12}, new double[] {1000}, tol).passed());
        assertFalse(compare(new double[] {1000 + 2e-11}, new double[] {1000}, tol).passed());
    }

    @Test
    void float32ToleranceIsInFloat32Ulps() {
        double ulp = Math.ulp(1000f);
        assertTrue(compare(new double[] {1000 + ulp}, new double[] {1000}, Tolerance.rounded(DType.FLOAT32)).passed());
        assertFalse(compare(new double[] {1000 + 2 * ulp}, new double[] {1000}, Tolerance.rounded(DType.FLOAT32))
                .passed());
        // 25 ulps off a one-term sum: the old bound (1e-6 relative, about 16 ulps here) let 16 through
        assertFalse(compare(new double[] {1000 + 25 * ulp}, new double[] {1000}, Tolerance.sum(DType.FLOAT32)).passed());
    }

    @Test
    void theErrorScaleWidensTheBoundForAccumulations() {
        Tolerance tol = Tolerance.sum(DType.FLOAT64);
        RefArray want = RefArray.of(new int[] {1}, 0.0);
        double[] got = {1e-12};
        assertFalse(Comparison.of(got, want, RefArray.of(new int[] {1}, 1.0), tol).passed());
        assertTrue(Comparison.of(got, want, RefArray.of(new int[] {1}, 1e5), tol).passed());
    }

    @Test
    void aFailureNamesTheCountAndTheWorstElementWithItsErrors() {
        Comparison c = Comparison.of(new double[] {1, 2, 3.5, 4.25}, RefArray.of(new int[] {2, 2}, 1, 2, 3, 4),
                null, Tolerance.rounded(DType.FLOAT64));
        assertEquals(2, c.bad());
        assertArrayEquals(new int[] {1, 0}, c.worstIndex());
        assertEquals(0.5, c.absError());
        assertEquals(0.5 / 3, c.relError(), 1e-15);
        String d = c.describe();
        assertTrue(d.contains("2 of 4 elements") && d.contains("[1, 0]") && d.contains("expected 3")
                && d.contains("got 3.5"), d);
    }

    @Test
    void aNaNErrorScaleNeverWidensTheBound() {
        Tolerance tol = Tolerance.sum(DType.FLOAT32);
        assertFalse(Comparison.of(new double[] {2}, RefArray.of(new int[] {1}, 1.0), RefArray.of(new int[] {1},
                Double.NaN), tol).passed());
    }
}
