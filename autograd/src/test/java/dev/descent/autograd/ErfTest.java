package dev.descent.autograd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.core.DType;
import dev.descent.core.Tensor;
import java.math.BigDecimal;
import java.math.MathContext;
import org.junit.jupiter.api.Test;

/** erf against a 40-digit Taylor series, and the activations built on it against known values. */
class ErfTest {
    private static final MathContext MC = new MathContext(60);
    private static final BigDecimal PI = new BigDecimal("3.14159265358979323846264338327950288419716939937510582097494");

    /** erf(x) = 2/sqrt(pi) sum_n (-1)^n x^(2n+1) / (n! (2n+1)), summed with 60 significant digits. */
    private static double reference(double x) {
        BigDecimal bx = new BigDecimal(x);
        BigDecimal x2 = bx.multiply(bx, MC);
        BigDecimal term = bx;
        BigDecimal sum = BigDecimal.ZERO;
        for (int n = 0; n < 400; n++) {
            sum = sum.add(term.divide(BigDecimal.valueOf(2L * n + 1), MC), MC);
            term = term.multiply(x2, MC).divide(BigDecimal.valueOf(n + 1), MC).negate();
        }
        return sum.multiply(BigDecimal.valueOf(2), MC).divide(PI.sqrt(MC), MC).doubleValue();
    }

    @Test
    void erfMatchesAHighPrecisionSeriesAcrossEveryRegion() {
        int n = 241;
        double[] xs = new double[n];
        for (int i = 0; i < n; i++) {
            xs[i] = -6 + 12.0 * i / (n - 1) + 1e-3;
        }
        double[] got;
        try (Tensor x = Tensor.of(xs); Tensor e = Erf.erf(x)) {
            got = e.toDoubleArray();
        }
        for (int i = 0; i < n; i++) {
            double expected = reference(xs[i]);
            assertEquals(expected, got[i], 4 * Math.ulp(expected) + 1e-17, "erf(" + xs[i] + ")");
        }
    }

    @Test
    void erfHasItsLimitsAndKeepsNaN() {
        try (Tensor x = Tensor.of(new double[] {0, -0.0, 7, -30, Double.POSITIVE_INFINITY, Double.NaN});
             Tensor e = Erf.erf(x)) {
            double[] v = e.toDoubleArray();
            assertEquals(0, v[0]);
            assertEquals(-0.0, v[1], "erf is odd, so erf(-0) = -0");
            assertEquals(1, v[2]);
            assertEquals(-1, v[3]);
            assertEquals(1, v[4]);
            assertTrue(Double.isNaN(v[5]));
        }
    }

    @Test
    void erfOfFloat32IsRoundedOnce() {
        try (Tensor x = Tensor.of(new float[] {0.5f, 1.5f}); Tensor e = Erf.erf(x)) {
            assertEquals(DType.FLOAT32, e.dtype());
            assertEquals((float) reference(0.5), e.toFloatArray()[0]);
            assertEquals((float) reference(1.5), e.toFloatArray()[1]);
        }
    }

    @Test
    void geluAndSoftplusTakeTheirKnownValues() {
        Variable x = Variable.of(Tensor.of(new double[] {-1, 0, 1, 2}));
        double[] gelu = x.gelu().toDoubleArray();
        for (int i = 0; i < 4; i++) {
            double v = x.toDoubleArray()[i];
            assertEquals(0.5 * v * (1 + reference(v / Math.sqrt(2))), gelu[i], 1e-15);
        }
        assertEquals(0.8413447460685429, gelu[2], 1e-15);
        double[] approx = x.geluTanh().toDoubleArray();
        double c = Math.sqrt(2 / Math.PI);
        assertEquals(0.5 * (1 + Math.tanh(c * (1 + 0.044715))), approx[2], 1e-15);
        assertEquals(0.5 * 2 * (1 + Math.tanh(c * (2 + 0.044715 * 8))), approx[3], 1e-15);

        Variable wide = Variable.of(Tensor.of(new double[] {-50, 0, 50, 800}));
        double[] sp = wide.softplus().toDoubleArray();
        assertEquals(Math.exp(-50), sp[0], 1e-30);
        assertEquals(Math.log(2), sp[1], 1e-16);
        assertEquals(50, sp[2], 1e-14);
        assertEquals(800, sp[3]);
        assertEquals(Math.log1p(Math.exp(2 * 0.3)) / 2,
                Variable.of(Tensor.of(new double[] {0.3})).softplus(2).toDoubleArray()[0], 1e-16);
    }
}
