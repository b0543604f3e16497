package dev.descent.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.core.DType;
import dev.descent.core.spi.BinaryOp;
import dev.descent.core.spi.UnaryOp;
import java.math.BigDecimal;
import java.math.MathContext;
import org.junit.jupiter.api.Test;

/** The op rows: one per SPI op, and references as accurate as their rows say. */
class ElementwiseOpsTest {
    private static final MathContext MC = new MathContext(60);
    private static final BigDecimal PI = new BigDecimal("3.14159265358979323846264338327950288419716939937510582097494");

    @Test
    void everySpiOpHasExactlyOneRowInTheEnumsOrder() {
        assertEquals(UnaryOp.values().length, ElementwiseOps.unaries().size());
        assertEquals(BinaryOp.values().length, ElementwiseOps.binaries().size());
        for (UnaryOp op : UnaryOp.values()) {
            assertEquals(op, ElementwiseOps.unaries().get(op.ordinal()).spi());
            assertEquals(op, ElementwiseOps.unary(op).spi());
        }
        for (BinaryOp op : BinaryOp.values()) {
            assertEquals(op, ElementwiseOps.binary(op).spi());
        }
    }

    @Test
    void floatingOpsHaveAnUlpBoundAndIntegerOpsAreExactOrCorrectlyRounded() {
        for (ElementwiseOps.Unary u : ElementwiseOps.unaries()) {
            if (u.floatingOnly()) {
                assertTrue(u.accuracy().bound(DType.FLOAT32) >= 0.5, u.name());
            }
            assertEquals(0, u.accuracy().bound(DType.INT32), u.name());
        }
    }

    private static BigDecimal erfSeries(double x) {
        BigDecimal bx = new BigDecimal(x);
        BigDecimal x2 = bx.multiply(bx, MC);
        BigDecimal term = bx;
        BigDecimal sum = BigDecimal.ZERO;
        for (int n = 0; n < 600; n++) {
            sum = sum.add(term.divide(BigDecimal.valueOf(2L * n + 1), MC), MC);
            term = term.multiply(x2, MC).divide(BigDecimal.valueOf(n + 1), MC).negate();
        }
        return sum.multiply(BigDecimal.valueOf(2), MC).divide(PI.sqrt(MC), MC);
    }

    /** The erf and gelu references are within the float64 bounds their rows allow for their own error. */
    @Test
    void theErfAndGeluReferencesAreWithinTheirFloat64BoundsOfASixtyDigitSeries() {
        double erfBound = ElementwiseOps.unary(UnaryOp.ERF).accuracy().bound(DType.FLOAT64);
        double geluBound = ElementwiseOps.unary(UnaryOp.GELU).accuracy().bound(DType.FLOAT64);
        for (int i = 0; i <= 200; i++) {
            double x = -5.5 + 11.0 * i / 200 + 1e-3;
            BigDecimal erf = erfSeries(x);
            double e = erf.doubleValue();
            assertEquals(e, ElementwiseOps.erf(x), erfBound * Tolerance.ulp(DType.FLOAT64, e), "erf(" + x + ")");
            double z = -x * 0.7071067811865476;
            double g = BigDecimal.ONE.subtract(erfSeries(z), MC).multiply(new BigDecimal(0.5 * x), MC).doubleValue();
            assertEquals(g, ElementwiseOps.gelu(x), geluBound * Tolerance.ulp(DType.FLOAT64, g), "gelu(" + x + ")");
        }
        for (double tiny : new double[] {1e-300, 3e-20, 2e-9, -4e-5, 0.1}) {
            double e = erfSeries(tiny).doubleValue();
            assertEquals(e, ElementwiseOps.erf(tiny), 2 * Math.ulp(e), "erf(" + tiny + "), from the series branch");
        }
    }

    @Test
    void theUlpErrorOfTheSweepsCountsInfinitiesAsTwoToThe128AndIgnoresTheSignOfZero() {
        assertEquals(0, UlpSweepCases.error(Float.POSITIVE_INFINITY, 1e300));
        assertEquals(0, UlpSweepCases.error(-0f, 0.0));
        assertEquals(0, UlpSweepCases.error(Float.NaN, Double.NaN));
        assertEquals(Double.POSITIVE_INFINITY, UlpSweepCases.error(Float.NaN, 1));
        assertEquals(1, UlpSweepCases.error(Math.nextUp(1f), 1.0));
        assertEquals(1, UlpSweepCases.error(Float.MIN_VALUE, 0.0));
        assertEquals(1, UlpSweepCases.error(Float.POSITIVE_INFINITY, Float.MAX_VALUE));
        assertEquals(0.5, UlpSweepCases.error(1f, 1 + 0x1p-24));
    }
}
