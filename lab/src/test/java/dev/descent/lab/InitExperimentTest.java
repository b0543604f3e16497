package dev.descent.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.lab.experiments.InitExperiment;
import dev.descent.lab.experiments.InitExperiment.Training;
import dev.descent.lab.experiments.InitScheme;
import dev.descent.core.Generator;
import dev.descent.lab.support.LabData;
import dev.descent.train.data.DataSplit;
import dev.descent.train.data.GeneratedData;
import org.junit.jupiter.api.Test;

class InitExperimentTest {
    private static double[] var(InitScheme s, String act) {
        return InitExperiment.variances(s, act, 8, 128, 256, 1, 0.01, 1);
    }

    @Test
    void heKeepsTheReluVarianceAndXavierTheFirstLayersVariance() {
        double[] he = var(InitScheme.HE, "relu");
        assertEquals(2, he[0], 0.3);                       // input variance 1, weights 2/n: Var(z_1) = 2
        for (double v : he) {
            assertTrue(v > 0.5 && v < 4, "He/ReLU variance " + v);
        }
        assertEquals(1, var(InitScheme.XAVIER, "tanh")[0], 0.2);
    }

    @Test
    void tooSmallVanishesTooLargeExplodesZeroIsZero() {
        double[] small = var(InitScheme.SMALL, "relu");
        double[] large = var(InitScheme.LARGE, "relu");
        // Each ReLU layer multiplies the variance by n·σ²/2: 128·1e-4/2 = 0.0064 and 128/2 = 64.
        assertEquals(0.0064, small[5] / small[4], 0.002);
        assertEquals(64, large[5] / large[4], 16);
        for (double v : var(InitScheme.ZERO, "tanh")) {
            assertEquals(0, v, 0);
        }
    }

    @Test
    void zeroInitialisationCannotLearnAndHeDoes() {
        Training zero;
        Training he;
        try (DataSplit data = GeneratedData.twoSpirals(60, 100, LabData.SPIRAL_NOISE, new Generator(1))) {
            zero = InitExperiment.train(InitScheme.ZERO, data, 3, 32, 0.05, 150, 1, 0.01, 1);
            he = InitExperiment.train(InitScheme.HE, data, 3, 32, 0.05, 150, 1, 0.01, 1);
        }
        // Zero weights: every logit is 0, the loss ln 2 for the two classes, and no gradient reaches the weights.
        assertEquals(Math.log(2), zero.losses()[zero.losses().length - 1], 1e-4);
        assertTrue(he.losses()[he.losses().length - 1] < 0.8, "He final loss " + he.losses()[he.losses().length - 1]);
        assertTrue(he.accuracy() > 0.6, "He accuracy " + he.accuracy());
    }
}
