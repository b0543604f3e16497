package dev.descent.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class GeneratorTest {
    @Test
    void sameSeedGivesTheSameSequence() {
        assertArrayEquals(new Generator(7).normal(100, 0, 1), new Generator(7).normal(100, 0, 1));
        assertFalse(Arrays.equals(new Generator(7).normal(100, 0, 1), new Generator(8).normal(100, 0, 1)));
    }

    @Test
    void restoredStateContinuesExactlyWhereItWasSaved() {
        Generator g = new Generator(3);
        g.nextGaussian(); // leaves the second value of a Box-Muller pair pending
        long[] saved = g.state();
        double[] expected = g.normal(10, 0, 1);
        Generator other = new Generator(99);
        other.restore(saved);
        assertArrayEquals(expected, other.normal(10, 0, 1));
    }

    @Test
    void uniformStaysInTheHalfOpenInterval() {
        for (double v : new Generator(1).uniform(100_000, -2, 3)) {
            assertTrue(v >= -2 && v < 3, "value " + v);
        }
    }

    @Test
    void normalDrawHasTheRequestedMeanAndSpread() {
        int n = 200_000;
        double[] v = new Generator(5).normal(n, 1.5, 2.0);
        double mean = Arrays.stream(v).average().orElseThrow();
        double var = Arrays.stream(v).map(x -> (x - mean) * (x - mean)).sum() / (n - 1);
        // Standard errors: 2/sqrt(n) ~ 0.0045 for the mean, 4*sqrt(2/n) ~ 0.0127 for the variance.
        assertEquals(1.5, mean, 5 * 0.0045);
        assertEquals(4.0, var, 5 * 0.0127);
    }

    @Test
    void permutationHoldsEveryIndexOnce() {
        int[] p = new Generator(11).permutation(1000);
        int[] sorted = p.clone();
        Arrays.sort(sorted);
        for (int i = 0; i < 1000; i++) {
            assertEquals(i, sorted[i]);
        }
    }

    @Test
    void nextIntIsUnbiasedAcrossItsRange() {
        Generator g = new Generator(2);
        int[] counts = new int[6];
        int n = 600_000;
        for (int i = 0; i < n; i++) {
            counts[g.nextInt(6)]++;
        }
        for (int c : counts) {
            // Binomial sd = sqrt(n p (1-p)) ~ 289.
            assertEquals(n / 6.0, c, 5 * 289);
        }
    }

    @Test
    void badStateIsRejected() {
        var e = assertThrows(IllegalArgumentException.class, () -> new Generator(1).restore(new long[3]));
        assertTrue(e.getMessage().contains("expected 6 longs"), e.getMessage());
    }
}
