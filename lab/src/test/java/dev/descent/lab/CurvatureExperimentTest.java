package dev.descent.lab;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.lab.experiments.CurvatureExperiment;
import dev.descent.lab.support.Symmetric2;
import dev.descent.lab.support.Symmetric2.Kind;
import dev.descent.lab.support.Trajectory;
import org.junit.jupiter.api.Test;

class CurvatureExperimentTest {
    private static final double[] START = {1.3, 1.2};

    @Test
    void hessianByAutogradMatchesTheClosedForm() {
        // f = x³ − 3x + 2y³ − 6y: H = diag(6x, 12y).
        assertArrayEquals(new double[] {6, 0, 0, 12}, CurvatureExperiment.hessian(1, 1), 1e-12);
        assertArrayEquals(new double[] {-3, 0, 0, 6}, CurvatureExperiment.hessian(-0.5, 0.5), 1e-12);
    }

    @Test
    void classifiesTheFourCriticalPoints() {
        assertEquals(Kind.MINIMUM, kindAt(1, 1));
        assertEquals(Kind.MAXIMUM, kindAt(-1, -1));
        assertEquals(Kind.SADDLE, kindAt(1, -1));
        assertEquals(Kind.SADDLE, kindAt(-1, 1));
    }

    private static Kind kindAt(double x, double y) {
        return Symmetric2.classify(Symmetric2.eigenvalues(CurvatureExperiment.hessian(x, y)), 1e-9);
    }

    @Test
    void newtonGoesToTheNearestStationaryPointWhateverItsKind() {
        assertArrayEquals(new double[] {-1, 1}, CurvatureExperiment.newton(new double[] {-1.4, 1.3}, 12).last(), 1e-12);
        assertArrayEquals(new double[] {-1, -1}, CurvatureExperiment.newton(new double[] {-1.4, -1.3}, 12).last(), 1e-12);
    }

    @Test
    void gradientDescentConvergesJustBelowTwoOverLambda1AndNotJustAbove() {
        double bound = 2.0 / 12;
        double[] below = CurvatureExperiment.errors(CurvatureExperiment.gradientDescent(START, 0.95 * bound, 1000),
                CurvatureExperiment.MINIMUM);
        double[] above = CurvatureExperiment.errors(CurvatureExperiment.gradientDescent(START, 1.05 * bound, 1000),
                CurvatureExperiment.MINIMUM);
        assertTrue(below[below.length - 1] < 1e-10, "below: " + below[below.length - 1]);
        assertTrue(above[above.length - 1] > 1e-2, "above: " + above[above.length - 1]);
    }

    @Test
    void newtonConvergesQuadraticallyAndGradientDescentLinearly() {
        double[] en = CurvatureExperiment.errors(CurvatureExperiment.newton(START, 6), CurvatureExperiment.MINIMUM);
        int checked = 0;
        for (int k = 1; k < en.length && en[k] > 1e-7; k++) {
            double ratio = en[k] / (en[k - 1] * en[k - 1]);
            assertTrue(ratio > 0.2 && ratio < 1, "Newton e_k/e_{k-1}² at " + k + ": " + ratio);
            checked++;
        }
        assertTrue(checked >= 2);
        assertTrue(en[5] < 1e-14, "Newton after 5 steps: " + en[5]);
        Trajectory gd = CurvatureExperiment.gradientDescent(START, 0.1, 60);
        double[] eg = CurvatureExperiment.errors(gd, CurvatureExperiment.MINIMUM);
        // Near the minimum the error shrinks by max|1 − ηλ| = |1 − 0.1·6| = 0.4 per step.
        assertEquals(0.4, eg[30] / eg[29], 0.01);
        assertTrue(eg[5] > 1e-4, "GD is far slower: " + eg[5]);
    }
}
