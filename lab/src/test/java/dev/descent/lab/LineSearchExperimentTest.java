package dev.descent.lab;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.lab.experiments.LineSearchExperiment;
import dev.descent.lab.experiments.LineSearchExperiment.Data;
import dev.descent.lab.support.Descend;
import dev.descent.lab.support.Trajectory;
import org.junit.jupiter.api.Test;

class LineSearchExperimentTest {
    private final Data data = Data.generate(1, 12, 0.5, 0.6, 0.15);

    @Test
    void theAutogradLossIsEquation6_5() {
        assertEquals(data.loss(0.3, -0.2), Descend.lossAt(data.lossFunction(), 0.3, -0.2), 1e-12);
    }

    @Test
    void eachStepLowersTheLossAndTurnsAtRightAngles() {
        Trajectory t = LineSearchExperiment.fit(data, new double[] {1.6, -0.8}, 8, 1, 1e-9);
        double[] prev = null;
        for (int k = 0; k < t.size(); k++) {
            if (k > 0) {
                assertTrue(t.loss(k) < t.loss(k - 1), "step " + k);
            }
            double[] g = Descend.gradientAt(data.lossFunction(), t.point(k));
            if (prev != null) {
                double cos = (g[0] * prev[0] + g[1] * prev[1]) / (Math.hypot(g[0], g[1]) * Math.hypot(prev[0], prev[1]));
                assertEquals(0, cos, 1e-4, "successive gradients at step " + k);
            }
            prev = g;
        }
    }

    @Test
    void convergesToTheLeastSquaresSolution() {
        Trajectory t = LineSearchExperiment.fit(data, new double[] {1.6, -0.8}, 60, 1, 1e-10);
        assertArrayEquals(data.leastSquares(), t.last(), 1e-6);
    }
}
