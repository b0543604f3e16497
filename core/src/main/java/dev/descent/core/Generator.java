package dev.descent.core;

import java.util.Arrays;

/**
 * A seedable source of random numbers (xoshiro256**, seeded through SplitMix64). Random
 * tensors are drawn here on the host and then copied to their device, so one seed gives the
 * same numbers on every backend. Not thread-safe: give each thread its own.
 *
 * <p>The state can be saved and restored ({@link #state()}, {@link #restore}), so a resumed
 * run draws exactly what an uninterrupted one would.
 */
public final class Generator {
    private final long[] s = new long[4];
    private boolean hasSpare;
    private double spare;

    /** A generator whose sequence is fixed by {@code seed}. */
    public Generator(long seed) {
        long x = seed;
        for (int i = 0; i < 4; i++) {
            x += 0x9E3779B97F4A7C15L;
            long z = x;
            z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
            z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
            s[i] = z ^ (z >>> 31);
        }
    }

    /** The next 64 random bits. */
    public long nextLong() {
        long result = Long.rotateLeft(s[1] * 5, 7) * 9;
        long t = s[1] << 17;
        s[2] ^= s[0];
        s[3] ^= s[1];
        s[1] ^= s[2];
        s[0] ^= s[3];
        s[2] ^= t;
        s[3] = Long.rotateLeft(s[3], 45);
        return result;
    }

    /** Uniform in [0, 1) with 53 random bits. */
    public double nextDouble() {
        return (nextLong() >>> 11) * 0x1.0p-53;
    }

    /** Uniform integer in [0, bound), without modulo bias. */
    public int nextInt(int bound) {
        if (bound <= 0) {
            throw new IllegalArgumentException("Generator.nextInt: expected a bound > 0, got " + bound);
        }
        long r = nextLong() >>> 33;
        long limit = (1L << 31) - ((1L << 31) % bound);
        while (r >= limit) {
            r = nextLong() >>> 33;
        }
        return (int) (r % bound);
    }

    /** A standard normal value (Box–Muller; the second value of each pair is kept for the next call). */
    public double nextGaussian() {
        if (hasSpare) {
            hasSpare = false;
            return spare;
        }
        double u1;
        do {
            u1 = nextDouble();
        } while (u1 == 0.0);
        double u2 = nextDouble();
        double r = Math.sqrt(-2.0 * Math.log(u1));
        spare = r * Math.sin(2 * Math.PI * u2);
        hasSpare = true;
        return r * Math.cos(2 * Math.PI * u2);
    }

    /** Shuffles {@code a} in place (Fisher–Yates). */
    public void shuffle(int[] a) {
        for (int i = a.length - 1; i > 0; i--) {
            int j = nextInt(i + 1);
            int tmp = a[i];
            a[i] = a[j];
            a[j] = tmp;
        }
    }

    /** A random permutation of 0..n-1. */
    public int[] permutation(int n) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = i;
        }
        shuffle(p);
        return p;
    }

    /** {@code n} values uniform in [lo, hi). */
    public double[] uniform(int n, double lo, double hi) {
        double[] out = new double[n];
        for (int i = 0; i < n; i++) {
            out[i] = lo + (hi - lo) * nextDouble();
        }
        return out;
    }

    /** {@code n} values from N(mean, std²). */
    public double[] normal(int n, double mean, double std) {
        double[] out = new double[n];
        for (int i = 0; i < n; i++) {
            out[i] = mean + std * nextGaussian();
        }
        return out;
    }

    /** The whole state, to save with a checkpoint. */
    public long[] state() {
        return new long[] {s[0], s[1], s[2], s[3], hasSpare ? 1 : 0, Double.doubleToRawLongBits(spare)};
    }

    /** Puts back a state from {@link #state()}. */
    public void restore(long[] state) {
        if (state == null || state.length != 6) {
            throw new IllegalArgumentException("Generator.restore: expected 6 longs from state(), got "
                    + (state == null ? "null" : Arrays.toString(state)));
        }
        System.arraycopy(state, 0, s, 0, 4);
        hasSpare = state[4] != 0;
        spare = Double.longBitsToDouble(state[5]);
    }
}
