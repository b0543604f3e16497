package dev.descent.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.autograd.Variable;
import dev.descent.core.Generator;
import dev.descent.lab.experiments.BatchSizeExperiment;
import dev.descent.lab.experiments.LandscapeExperiment;
import dev.descent.lab.experiments.OptimizersExperiment;
import dev.descent.lab.support.Classifier;
import dev.descent.lab.support.LabData;
import dev.descent.optim.Adam;
import dev.descent.train.data.DataSplit;
import dev.descent.train.data.GeneratedData;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The experiments on a small MLP (on train's built-in two spirals): optimizers, landscape, batch-size. */
class NetworkExperimentsTest {
    private final DataSplit data = GeneratedData.twoSpirals(60, 100, LabData.SPIRAL_NOISE, new Generator(1));

    @AfterEach
    void close() {
        data.close();
    }

    private Classifier mlp(int width) {
        return new Classifier(data.train(), data.test(), 1, width, 1);
    }

    @Test
    void everyOptimiserLowersTheTrainingLoss() {
        // From ln 2 ≈ 0.69 on the two spirals; the smallest drops (sign descent, SGD) are about 0.06.
        for (OptimizersExperiment.Entry e : OptimizersExperiment.ENTRIES) {
            double lr = Double.parseDouble(e.lr());
            try (Classifier mlp = new Classifier(data.train(), data.test(), 1, 32, 1)) {
                Classifier.Curve c = mlp.train(p -> e.make().apply(p, lr), null, 16, 60, 1);
                double first = c.losses()[0];
                double last = c.losses()[c.losses().length - 1];
                assertTrue(last < first - 0.05, e.key() + ": " + first + " -> " + last);
            }
        }
    }

    @Test
    void directionsAreNormalisedFilterByFilterAndZeroForBiases() {
        try (Classifier mlp = mlp(8)) {
            Map<String, Variable> params = mlp.model().namedParameters();
            Map<String, double[]> d = LandscapeExperiment.filterNormalisedDirection(params, new Generator(5));
            for (Map.Entry<String, Variable> e : params.entrySet()) {
                double[] w = e.getValue().data().toDoubleArray();
                double[] dir = d.get(e.getKey());
                if (e.getValue().rank() == 1) {
                    for (double v : dir) {
                        assertEquals(0, v, 0);
                    }
                    continue;
                }
                int rows = e.getValue().size(0);
                int cols = w.length / rows;
                for (int r = 0; r < rows; r++) {
                    double nw = 0;
                    double nd = 0;
                    for (int c = 0; c < cols; c++) {
                        nw += w[r * cols + c] * w[r * cols + c];
                        nd += dir[r * cols + c] * dir[r * cols + c];
                    }
                    assertEquals(Math.sqrt(nw), Math.sqrt(nd), 1e-9 * Math.sqrt(nw), e.getKey() + " row " + r);
                }
            }
        }
    }

    @Test
    void theSliceIsCentredOnTheTrainedLossWhichIsNearItsLowest() {
        try (Classifier mlp = mlp(16)) {
            mlp.train(p -> new Adam(p, 0.01), null, 16, 60, 1);
            Map<String, Variable> params = mlp.model().namedParameters();
            Generator gen = new Generator(3);
            double[][] z = LandscapeExperiment.slice(mlp, LandscapeExperiment.filterNormalisedDirection(params, gen),
                    LandscapeExperiment.filterNormalisedDirection(params, gen), 1, 9);
            assertEquals(mlp.loss(), z[4][4], 1e-6);
            double max = 0;
            double min = Double.POSITIVE_INFINITY;
            for (double[] row : z) {
                for (double v : row) {
                    max = Math.max(max, v);
                    min = Math.min(min, v);
                }
            }
            assertTrue(z[4][4] < min + 0.1 * (max - min), "centre " + z[4][4] + ", range " + min + ".." + max);
        }
    }

    @Test
    void smallBatchesLearnMorePerEpochThanTheFullBatch() {
        try (DataSplit big = GeneratedData.twoSpirals(300, 100, LabData.SPIRAL_NOISE, new Generator(2))) {
            BatchSizeExperiment.Run full = BatchSizeExperiment.run(big, 600, 3, 1e9, 0.1, 1, 16, 1);
            BatchSizeExperiment.Run small = BatchSizeExperiment.run(big, 10, 3, 1e9, 0.1, 1, 16, 1);
            assertEquals(3, full.epochs());
            assertEquals(3, small.epochs());
            assertTrue(small.loss() < full.loss(), small.loss() + " vs " + full.loss());
        }
    }

    @Test
    void theTimeBudgetStopsAtAnEpochEnd() {
        BatchSizeExperiment.Run r = BatchSizeExperiment.run(data, 1, 50, 1e-9, 0.1, 1, 8, 1);
        assertEquals(1, r.epochs());
    }
}
