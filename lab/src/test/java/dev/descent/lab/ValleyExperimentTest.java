package dev.descent.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.lab.experiments.ValleyExperiment;
import dev.descent.lab.experiments.ValleyExperiment.Method;
import dev.descent.lab.support.Trajectory;
import org.junit.jupiter.api.Test;

class ValleyExperimentTest {
    private static final double A = 0.1;
    private static final double B = 2;
    private static final double[] START = {-9, 2};

    private static Method method(String key) {
        return ValleyExperiment.METHODS.stream().filter(m -> m.key().equals(key)).findFirst().orElseThrow();
    }

    @Test
    void gradientDescentNeedsTheStepsTheClosedFormPredicts() {
        double eta = 0.9;
        Trajectory t = ValleyExperiment.run(method("gd"), eta, A, B, START, 1000);
        int expected = -1;
        for (int k = 0; k <= 1000 && expected < 0; k++) {
            double x = START[0] * Math.pow(1 - eta * A, k);
            double y = START[1] * Math.pow(1 - eta * B, k);
            if ((A * x * x + B * y * y) / 2 <= 1e-6) {
                expected = k;
            }
        }
        assertEquals(expected, t.firstBelow(1e-6));
    }

    @Test
    void momentumMethodsAndAdaptiveMethodsReachTheMinimum() {
        for (String key : new String[] {"momentum", "nesterov", "rmsprop", "adam", "adagrad"}) {
            double lr = key.equals("adagrad") ? 1 : 0.1;
            Trajectory t = ValleyExperiment.run(method(key), lr, A, B, START, 1000);
            assertTrue(t.firstBelow(1e-6) > 0, key + " final loss " + t.lastLoss());
        }
    }

    @Test
    void signDescentMovesEachCoordinateByExactlyEtaAndBouncesAroundTheMinimum() {
        double eta = 0.07;
        Trajectory t = ValleyExperiment.run(method("sign"), eta, A, B, START, 400);
        for (int k = 1; k < t.size(); k++) {
            assertEquals(eta, Math.abs(t.point(k)[0] - t.point(k - 1)[0]), 1e-12);
            assertEquals(eta, Math.abs(t.point(k)[1] - t.point(k - 1)[1]), 1e-12);
        }
        double[] last = t.last();
        assertTrue(Math.abs(last[0]) <= eta && Math.abs(last[1]) <= eta);
        assertTrue(t.lastLoss() > 0);
    }
}
