package dev.descent.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.lab.experiments.QuadraticExperiment;
import dev.descent.lab.experiments.QuadraticExperiment.Behaviour;
import dev.descent.lab.support.Trajectory;
import org.junit.jupiter.api.Test;

class QuadraticExperimentTest {

    @Test
    void reproducesTable1_1() {
        Trajectory t = QuadraticExperiment.run(1, 0.1, 500, false);
        assertEquals(0.8, t.point(1)[0], 1e-15);
        assertEquals(0.64, t.point(2)[0], 1e-15);
        assertEquals(0.512, t.point(3)[0], 1e-15);
        assertEquals(1.3e-4, t.point(40)[0], 0.05e-4);          // the text rounds to 0.00013
        assertEquals(3.5e-49, t.point(500)[0], 0.05e-49);       // the text's 3.5·10⁻⁴⁹
        assertEquals(Math.pow(0.8, 500), t.point(500)[0], 1e-12 * Math.pow(0.8, 500));
    }

    @Test
    void convergesMonotonicallyBelowOneHalf() {
        assertEquals(Behaviour.MONOTONE, QuadraticExperiment.classify(QuadraticExperiment.run(1, 0.3, 50, true)));
    }

    @Test
    void oscillatesButConvergesBetweenOneHalfAndOne() {
        Trajectory t = QuadraticExperiment.run(1, 0.7, 50, true);
        assertEquals(Behaviour.OSCILLATING_CONVERGING, QuadraticExperiment.classify(t));
        assertTrue(t.point(1)[0] < 0 && t.point(2)[0] > 0);
    }

    @Test
    void isStuckAtPlusMinusOneForAlphaOne() {
        Trajectory t = QuadraticExperiment.run(1, 1, 100, true);
        for (int k = 0; k < t.size(); k++) {
            assertEquals(k % 2 == 0 ? 1.0 : -1.0, t.point(k)[0], 0.0);
        }
        assertEquals(Behaviour.STUCK, QuadraticExperiment.classify(t));
        assertFalse(t.diverged());
    }

    @Test
    void divergesAboveOneAndTheDetectorReportsIt() {
        Trajectory t = QuadraticExperiment.run(1, 1.01, 500, true);
        assertTrue(t.diverged());
        assertEquals(Behaviour.DIVERGING, QuadraticExperiment.classify(t));
        // Loss 1.02^(2k) passes 1000 × the best loss (1) first at k = 175.
        assertEquals(175, t.divergedAt());
        assertTrue(t.point(1)[0] < 0, "it oscillates in sign while diverging");
    }

    @Test
    void aConvergingRunIsNotFlagged() {
        assertFalse(QuadraticExperiment.run(1, 0.99, 500, true).diverged());
    }
}
