package dev.descent.train.charts;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The min/max reduction a long curve is drawn with (issue 17, item 10). */
class DownsampleTest {
    @Test
    void downsamplingKeepsEachBucketsExtremesInOrder() {
        Random r = new Random(5);
        int n = 100_000;
        double[] xs = new double[n];
        double[] ys = new double[n];
        for (int i = 0; i < n; i++) {
            xs[i] = i + 1;
            ys[i] = r.nextGaussian();
        }
        ys[31_337] = 50;     // a spike
        ys[77_777] = -50;
        double[][] d = LearningCurveCharts.downsample(xs, ys, 2000);
        assertTrue(d[0].length <= 2000 && d[0].length >= 1000, "points: " + d[0].length);
        Set<Double> kept = new HashSet<>();
        for (int i = 0; i < d[0].length; i++) {
            kept.add(d[0][i]);
            assertEquals(ys[(int) d[0][i] - 1], d[1][i], "a point of the curve");
            assertTrue(i == 0 || d[0][i] > d[0][i - 1], "in order");
        }
        assertTrue(kept.contains(31_338.0) && kept.contains(77_778.0), "the spikes survive");
        // each bucket of 100 points is represented by its minimum and maximum
        for (int b = 0; b < 1000; b++) {
            double lo = Double.POSITIVE_INFINITY;
            double hi = Double.NEGATIVE_INFINITY;
            for (int i = b * 100; i < (b + 1) * 100; i++) {
                lo = Math.min(lo, ys[i]);
                hi = Math.max(hi, ys[i]);
            }
            assertEquals(lo, d[1][2 * b] < d[1][2 * b + 1] ? d[1][2 * b] : d[1][2 * b + 1], "bucket " + b);
            assertEquals(hi, Math.max(d[1][2 * b], d[1][2 * b + 1]), "bucket " + b);
        }
        double[][] small = LearningCurveCharts.downsample(new double[] {1, 2, 3}, new double[] {3, 1, 2}, 2000);
        assertArrayEquals(new double[] {3, 1, 2}, small[1], "short curves are drawn as they are");
    }

}
