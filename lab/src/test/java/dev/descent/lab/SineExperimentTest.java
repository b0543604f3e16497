package dev.descent.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.lab.experiments.SineExperiment;
import dev.descent.lab.support.Trajectory;
import org.junit.jupiter.api.Test;

class SineExperimentTest {

    @Test
    void followsTheUpdateXMinusAlphaTimesOnePlusCosX() {
        for (double alpha : new double[] {1, 0.1, 0.01}) {
            Trajectory t = SineExperiment.run(2.5, alpha, 200);
            double x = 2.5;
            for (int k = 0; k < t.size(); k++) {
                assertEquals(x, t.point(k)[0], 1e-12, "alpha " + alpha + ", step " + k);
                assertEquals(x + Math.sin(x), t.loss(k), 1e-12);
                x -= alpha * (1 + Math.cos(x));
            }
        }
    }

    @Test
    void everyRateCreepsMonotonicallyTowardMinusPiInsteadOfOscillating() {
        for (double alpha : new double[] {1, 0.1, 0.01}) {
            double[] xs = SineExperiment.run(2.5, alpha, 1000).coordinate(0);
            assertEquals(0, SineExperiment.reversals(xs), "alpha " + alpha);
            assertTrue(xs[xs.length - 1] > -Math.PI && xs[xs.length - 1] < 2.5);
        }
        double[] fast = SineExperiment.run(2.5, 1, 1000).coordinate(0);
        assertEquals(-Math.PI, fast[fast.length - 1], 0.01);
    }
}
