package dev.descent.nn.init;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.core.DType;
import dev.descent.core.Generator;
import dev.descent.core.Tensor;
import dev.descent.nn.init.Init.FanMode;
import java.util.function.BiConsumer;
import org.junit.jupiter.api.Test;

/**
 * Each initialiser fills a [out = 300, in = 200] float64 weight (n = 60 000 draws) and the sample
 * moments are compared with the formula.
 *
 * <p>Tolerance: 5 standard errors. The sample mean of n draws of variance σ² has standard error
 * σ/√n; the sample variance has standard error σ²·√(2/n) for a normal distribution (fourth
 * moment 3σ⁴) and σ²·√(0.8/n) for a uniform one (fourth moment 9σ⁴/5). For a correct
 * initialiser a 5-sigma miss has probability below 1e-6; the draws are seeded, so the test is
 * deterministic, and a wrong scale (a factor 2 in the variance, a fan swapped: 1/200 vs 1/300)
 * is off by dozens of standard errors.
 */
class InitTest {
    private static final int OUT = 300;
    private static final int IN = 200;
    private static final double Z = 5;

    private enum Kind {
        NORMAL(2.0),
        UNIFORM(0.8);

        final double varianceOfVariance;

        Kind(double relative) {
            this.varianceOfVariance = relative;
        }
    }

    private static void checkMoments(BiConsumer<Tensor, Generator> init, double expectedVariance, Kind kind) {
        try (Tensor w = Tensor.empty(DType.FLOAT64, OUT, IN)) {
            init.accept(w, new Generator(123));
            double[] v = w.toDoubleArray();
            int n = v.length;
            double sum = 0;
            for (double e : v) {
                sum += e;
            }
            double mean = sum / n;
            double ss = 0;
            for (double e : v) {
                ss += (e - mean) * (e - mean);
            }
            double variance = ss / (n - 1);
            assertEquals(0, mean, Z * Math.sqrt(expectedVariance / n), "mean");
            assertEquals(expectedVariance, variance, Z * expectedVariance * Math.sqrt(kind.varianceOfVariance / n),
                    "variance");
            if (kind == Kind.UNIFORM) {
                double bound = Math.sqrt(3 * expectedVariance);
                for (double e : v) {
                    assertTrue(Math.abs(e) <= bound, e + " outside ±" + bound);
                }
            }
        }
    }

    @Test
    void fansFollowPyTorchsLayout() {
        try (Tensor w = Tensor.empty(DType.FLOAT32, 4, 3, 5); Tensor v = Tensor.empty(DType.FLOAT32, 7)) {
            assertEquals(15, Init.fanIn(w));
            assertEquals(20, Init.fanOut(w));
            assertEquals(7, Init.fanIn(v));
            assertEquals(7, Init.fanOut(v));
        }
    }

    @Test
    void gainsAreTheKnownConstants() {
        assertEquals(1, Init.linearGain());
        assertEquals(Math.sqrt(2), Init.reluGain(), 1e-15);
        assertEquals(Math.sqrt(2 / 1.0001), Init.leakyReluGain(0.01), 1e-15);
        assertEquals(Math.sqrt(1.0 / 3), Init.leakyReluGain(Math.sqrt(5)), 1e-15);
        assertEquals(5.0 / 3, Init.tanhGain(), 1e-15);
    }

    /** Seed 001: W ~ N(0, 1/n_in). */
    @Test
    void xavierAsSeed001WritesIt() {
        checkMoments(Init::xavierFanInNormal, 1.0 / IN, Kind.NORMAL);
    }

    @Test
    void glorotNormalAndUniformUseFanInPlusFanOut() {
        checkMoments((w, g) -> Init.glorotNormal(w, g, 1), 2.0 / (IN + OUT), Kind.NORMAL);
        checkMoments((w, g) -> Init.glorotUniform(w, g, 1), 2.0 / (IN + OUT), Kind.UNIFORM);
        double tanh = Init.tanhGain();
        checkMoments((w, g) -> Init.glorotUniform(w, g, tanh), tanh * tanh * 2.0 / (IN + OUT), Kind.UNIFORM);
    }

    @Test
    void kaimingNormalAndUniformWithTheGainsOfReluLeakyReluAndTanh() {
        double relu = Init.reluGain();
        checkMoments((w, g) -> Init.kaimingNormal(w, g, relu, FanMode.FAN_IN), 2.0 / IN, Kind.NORMAL);
        checkMoments((w, g) -> Init.kaimingNormal(w, g, relu, FanMode.FAN_OUT), 2.0 / OUT, Kind.NORMAL);
        checkMoments((w, g) -> Init.kaimingUniform(w, g, relu, FanMode.FAN_IN), 2.0 / IN, Kind.UNIFORM);
        double leaky = Init.leakyReluGain(0.2);
        checkMoments((w, g) -> Init.kaimingUniform(w, g, leaky, FanMode.FAN_IN), 2 / (1 + 0.04) / IN, Kind.UNIFORM);
        checkMoments((w, g) -> Init.kaimingNormal(w, g, leaky, FanMode.FAN_OUT), 2 / (1 + 0.04) / OUT, Kind.NORMAL);
        double tanh = Init.tanhGain();
        checkMoments((w, g) -> Init.kaimingNormal(w, g, tanh, FanMode.FAN_IN), 25.0 / 9 / IN, Kind.NORMAL);
    }

    @Test
    void plainNormalAndUniform() {
        checkMoments((w, g) -> Init.normal(w, g, 0, 0.3), 0.09, Kind.NORMAL);
        checkMoments((w, g) -> Init.uniform(w, g, -0.5, 0.5), 1.0 / 12, Kind.UNIFORM);
    }

    @Test
    void zerosAndConstants() {
        try (Tensor w = Tensor.ones(2, 3)) {
            assertArrayEquals(new float[6], Init.zeros(w).toFloatArray());
            assertArrayEquals(new float[] {0.25f, 0.25f, 0.25f, 0.25f, 0.25f, 0.25f},
                    Init.constant(w, 0.25).toFloatArray());
        }
    }

    @Test
    void sameSeedGivesSameWeightsAndAnotherSeedOthers() {
        try (Tensor a = Tensor.empty(DType.FLOAT32, 20, 10); Tensor b = Tensor.empty(DType.FLOAT32, 20, 10);
             Tensor c = Tensor.empty(DType.FLOAT32, 20, 10)) {
            Init.kaimingNormal(a, new Generator(5), Init.reluGain(), FanMode.FAN_IN);
            Init.kaimingNormal(b, new Generator(5), Init.reluGain(), FanMode.FAN_IN);
            Init.kaimingNormal(c, new Generator(6), Init.reluGain(), FanMode.FAN_IN);
            assertArrayEquals(a.toFloatArray(), b.toFloatArray());
            assertTrue(a.toFloatArray()[0] != c.toFloatArray()[0]);
        }
    }

    @Test
    void aScalarHasNoFan() {
        try (Tensor s = Tensor.scalar(1)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Init.xavierFanInNormal(s, new Generator(1)));
            assertTrue(e.getMessage().contains("expected a tensor of rank >= 1, got shape []"), e.getMessage());
        }
    }
}
