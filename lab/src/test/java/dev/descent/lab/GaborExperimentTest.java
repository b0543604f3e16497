package dev.descent.lab;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.lab.experiments.CriticalPoints;
import dev.descent.lab.experiments.GaborData;
import dev.descent.lab.experiments.GaborExperiment;
import dev.descent.lab.support.Descend;
import dev.descent.lab.support.Grid;
import dev.descent.lab.support.Symmetric2;
import dev.descent.lab.support.Trajectory;
import java.util.List;
import org.junit.jupiter.api.Test;

class GaborExperimentTest {
    private static final double[] RANGE = {-10, 10, 2.5, 22.5};
    private final GaborData data = GaborData.generate(1, 28, 0, 16.6, 0.15);

    @Test
    void theAutogradLossAndGradientMatchTheClosedForm() {
        for (double[] p : new double[][] {{0.3, 12}, {-4, 6}, {7, 20}}) {
            assertEquals(data.loss(p[0], p[1]), Descend.lossAt(data.lossFunction(null), p), 1e-12);
            assertArrayEquals(data.gradient(p[0], p[1]), Descend.gradientAt(data.lossFunction(null), p), 1e-10);
        }
    }

    @Test
    void theGlobalMinimumFoundIsTheLowestLossOnAFineGrid() {
        double[] global = GaborExperiment.globalMinimum(data, RANGE, 4, 60, 0.5);
        Grid fine = Grid.sample(data::loss, RANGE[0], RANGE[1], RANGE[2], RANGE[3], 401, 401);
        double[] gridMin = fine.argmin();
        assertTrue(global[2] <= gridMin[2] + 1e-9, "lab " + global[2] + " vs grid " + gridMin[2]);
        assertEquals(gridMin[0], global[0], 2 * (RANGE[1] - RANGE[0]) / 400);
        assertEquals(gridMin[1], global[1], 2 * (RANGE[3] - RANGE[2]) / 400);
        double[] g = data.gradient(global[0], global[1]);
        assertTrue(Math.hypot(g[0], g[1]) < 1e-3, "gradient at the minimum " + Math.hypot(g[0], g[1]));
    }

    @Test
    void theCriticalPointSearchFindsTheGlobalMinimumAndSaddles() {
        double[] global = GaborExperiment.globalMinimum(data, RANGE, 4, 60, 0.5);
        List<CriticalPoints.Point> crit = CriticalPoints.find(p -> data.gradient(p[0], p[1]),
                p -> data.loss(p[0], p[1]), RANGE[0], RANGE[1], RANGE[2], RANGE[3], 24);
        CriticalPoints.Point lowest = crit.get(0);
        assertEquals(Symmetric2.Kind.MINIMUM, lowest.kind());
        assertEquals(global[0], lowest.x(), 1e-3);
        assertEquals(global[1], lowest.y(), 1e-2);
        assertTrue(crit.stream().filter(c -> c.kind() == Symmetric2.Kind.MINIMUM).count() > 1);
        assertTrue(crit.stream().anyMatch(c -> c.kind() == Symmetric2.Kind.SADDLE));
        for (CriticalPoints.Point c : crit) {
            double[] g = data.gradient(c.x(), c.y());
            assertTrue(Math.hypot(g[0], g[1]) < 1e-8);
        }
    }

    @Test
    void gradientDescentFromAWrongValleyStaysOutOfTheGlobalOne() {
        double[] global = GaborExperiment.globalMinimum(data, RANGE, 4, 60, 0.5);
        Trajectory t = GaborExperiment.descend(data, new double[] {-4, 6}, 200, 0.5);
        assertTrue(t.lastLoss() > global[2] + 1, "final loss " + t.lastLoss());
        double[] end = t.last();
        assertTrue(Math.hypot(end[0] - global[0], end[1] - global[1]) > 3, "end " + end[0] + ", " + end[1]);
        for (int k = 1; k < t.size(); k++) {
            assertTrue(t.loss(k) <= t.loss(k - 1) + 1e-12, "the line search never goes uphill");
        }
    }
}
