package dev.descent.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.core.Backends;
import dev.descent.core.DType;
import dev.descent.core.Tensor;
import java.math.BigDecimal;
import java.math.MathContext;
import org.junit.jupiter.api.Test;

/**
 * The float64 functions the CPU backend writes itself: fdlibm's erf and erfc against a 60-digit
 * Maclaurin series, and gelu and softplus through the tensor API at known values.
 */
class ScalarMathTest {
    private static final MathContext MC = new MathContext(60);
    private static final BigDecimal PI = new BigDecimal("3.14159265358979323846264338327950288419716939937510582097494");

    /** erf(x) = 2/sqrt(pi) sum_n (-1)^n x^(2n+1) / (n! (2n+1)), summed with 60 significant digits. */
    private static BigDecimal series(double x) {
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

    @Test
    void erfIsWithinOneUlpAndErfcWithinTwoOfAHighPrecisionSeriesAcrossEveryRegion() {
        int n = 241;
        for (int i = 0; i < n; i++) {
            double x = -6 + 12.0 * i / (n - 1) + 1e-3;
            BigDecimal erf = series(x);
            double e = erf.doubleValue();
            double c = BigDecimal.ONE.subtract(erf, MC).doubleValue();
            assertEquals(e, ScalarMath.erf(x), Math.ulp(e), "erf(" + x + ")");
            assertEquals(c, ScalarMath.erfc(x), 2 * Math.ulp(c), "erfc(" + x + ")");
        }
        for (double tiny : new double[] {1e-300, 3e-20, 2e-9, -4e-5}) {
            double e = series(tiny).doubleValue();
            assertEquals(e, ScalarMath.erf(tiny), Math.ulp(e), "erf(" + tiny + ")");
        }
    }

    @Test
    void erfAndErfcHaveTheirLimitsAndKeepNaN() {
        assertEquals(-0.0, ScalarMath.erf(-0.0), "erf is odd, so erf(-0) = -0");
        assertEquals(1, ScalarMath.erf(7));
        assertEquals(-1, ScalarMath.erf(Double.NEGATIVE_INFINITY));
        assertTrue(Double.isNaN(ScalarMath.erf(Double.NaN)));
        assertEquals(0, ScalarMath.erfc(Double.POSITIVE_INFINITY));
        assertEquals(2, ScalarMath.erfc(Double.NEGATIVE_INFINITY));
        assertEquals(0, ScalarMath.erfc(30));
        assertTrue(Double.isNaN(ScalarMath.erfc(Double.NaN)));
    }

    @Test
    void geluAndSoftplusTakeTheirKnownValuesThroughTheTensorApi() {
        Backends.setDefault("cpu");
        try (Tensor x = Tensor.of(new double[] {-1, 0, 1, 2, -50, Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY});
             Tensor gelu = x.gelu(); Tensor wide = Tensor.of(new double[] {-50, 0, 50, 800});
             Tensor sp = wide.softplus(); Tensor x32 = x.to(DType.FLOAT32); Tensor gelu32 = x32.gelu()) {
            double[] g = gelu.toDoubleArray();
            for (int i = 0; i < 4; i++) {
                double v = x.toDoubleArray()[i];
                double want = 0.5 * v * BigDecimal.ONE.add(series(v / Math.sqrt(2)), MC).doubleValue();
                assertEquals(want, g[i], 2 * Math.ulp(want) + 1e-300, "gelu(" + v + ")");
            }
            assertEquals(0.8413447460685429, g[2], 2 * Math.ulp(0.84), "gelu(1) = Phi(1)");
            assertEquals(-0.0, g[4], "gelu(-50) = -50 Phi(-50), about -1e-545, underflows to -0");
            assertEquals(-0.0, g[5], "gelu(-inf) = -0");
            assertEquals(Double.POSITIVE_INFINITY, g[6]);
            float[] g32 = gelu32.toFloatArray();
            for (int i = 0; i < g32.length; i++) {
                assertEquals((float) g[i], g32[i], "float32 gelu is float64's rounded once, at " + x.toDoubleArray()[i]);
            }
            double[] s = sp.toDoubleArray();
            assertEquals(Math.exp(-50), s[0], 1e-30);
            assertEquals(Math.log(2), s[1], 1e-16);
            assertEquals(50, s[2], 1e-14);
            assertEquals(800, s[3]);
        }
    }
}
