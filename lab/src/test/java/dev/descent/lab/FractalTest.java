package dev.descent.lab;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.lab.experiments.ThreePointProblem;
import org.junit.jupiter.api.Test;

class FractalTest {
    private static final double[] START = {1, 1};

    @Test
    void theMinimumIsTwoFourThirds() {
        // Normal equations XᵀX w = XᵀY with XᵀX = diag(2, 3/2), XᵀY = (4, 2).
        double[][] x = ThreePointProblem.X;
        double[] y = ThreePointProblem.Y;
        double[] grad = new double[2];
        for (int i = 0; i < 3; i++) {
            double r = x[i][0] * 2 + x[i][1] * 4.0 / 3 - y[i];
            grad[0] += r * x[i][0];
            grad[1] += r * x[i][1];
        }
        assertArrayEquals(new double[] {0, 0}, grad, 1e-15);
    }

    @Test
    void theHostIterationIsDescentsRunStepForStep() {
        double[][] d = ThreePointProblem.descent(0.65, 3000, 7, START);
        double[][] h = ThreePointProblem.host(0.65, 3000, 7, START);
        assertArrayEquals(h[0], d[0], 1e-12);
        assertArrayEquals(h[1], d[1], 1e-12);
    }

    @Test
    void pointsStayInsideTheTriangleForAlpha065() {
        double[][] p = ThreePointProblem.descent(0.65, 20000, 1, START);
        assertEquals(1.0, ThreePointProblem.fractionInside(p, 0, 1e-9));
    }

    @Test
    void aboveFourFifthsStepsOvershootTheSlantedLinesAndLeaveTheTriangle() {
        double[][] p = ThreePointProblem.descent(0.9, 20000, 1, START);
        assertTrue(ThreePointProblem.fractionInside(p, 100, 1e-9) < 0.9);
    }

    @Test
    void theSmallAlphaCloudIsCentredOnTwoFourThirds() {
        double[][] p = ThreePointProblem.descent(0.05, 60000, 3, START);
        double[] mean = ThreePointProblem.mean(p, 10000);
        assertEquals(2, mean[0], 0.03);
        assertEquals(4.0 / 3, mean[1], 0.03);
        double big = ThreePointProblem.radius(ThreePointProblem.descent(0.3, 20000, 3, START), 10000);
        double small = ThreePointProblem.radius(p, 10000);
        assertTrue(small < big / 2, "the cloud shrinks with α: " + small + " vs " + big);
    }
}
