package dev.descent.conformance;

import dev.descent.core.DType;
import dev.descent.core.Generator;

/**
 * Where the random values of an input come from. Each op draws from a domain where it is
 * defined and well conditioned (a divisor away from zero, a logarithm's argument positive);
 * integer dtypes draw small integers so that no sum or product overflows.
 */
public enum Domain {
    /** floats N(0, 2²); integers uniform in [-50, 50]. */
    NORMAL,
    /** floats exp(U(-3, 3)), in (0.05, 20); integers in [1, 50]. */
    POSITIVE,
    /** floats ±U(0.5, 2); integers ±[1, 50]. */
    AWAY_FROM_ZERO,
    /** integers in [-3, 3] for every dtype: many ties and zeros, for comparisons, max/min and arg-reductions. */
    SMALL_INTS,
    /** for log1p: half U(-0.9, 3), half ±10^U(-8, -2) where a naive log(1 + x) loses digits. */
    LOG1P,
    /** for expm1: half N(0, 2²), half ±10^U(-8, -2) where a naive exp(x) - 1 loses digits. */
    NEAR_ZERO,
    /** for sigmoid and tanh: mostly N(0, 3²), one in eight ±U(20, 100) to test saturation. */
    WIDE,
    /** for pow exponents: U(-3, 3). */
    EXPONENT,
    /** for casts: floats U(-1000, 1000) with fractional parts (truncation toward zero); integers in [-1000, 1000]. */
    CAST;

    /** One value of this domain, exactly representable in {@code dtype}. */
    public double draw(Generator g, DType dtype) {
        boolean floating = dtype.isFloating();
        double v = switch (this) {
            case NORMAL -> floating ? 2 * g.nextGaussian() : g.nextInt(101) - 50;
            case POSITIVE -> floating ? Math.exp(6 * g.nextDouble() - 3) : 1 + g.nextInt(50);
            case AWAY_FROM_ZERO -> (g.nextInt(2) == 0 ? -1 : 1) * (floating ? 0.5 + 1.5 * g.nextDouble() : 1 + g.nextInt(50));
            case SMALL_INTS -> g.nextInt(7) - 3;
            case LOG1P -> g.nextInt(2) == 0 ? -0.9 + 3.9 * g.nextDouble()
                    : (g.nextInt(2) == 0 ? -1 : 1) * Math.pow(10, -8 + 6 * g.nextDouble());
            case NEAR_ZERO -> g.nextInt(2) == 0 ? 2 * g.nextGaussian()
                    : (g.nextInt(2) == 0 ? -1 : 1) * Math.pow(10, -8 + 6 * g.nextDouble());
            case WIDE -> g.nextInt(8) == 0 ? (g.nextInt(2) == 0 ? -1 : 1) * (20 + 80 * g.nextDouble())
                    : 3 * g.nextGaussian();
            case EXPONENT -> -3 + 6 * g.nextDouble();
            case CAST -> floating ? -1000 + 2000 * g.nextDouble() : g.nextInt(2001) - 1000;
        };
        return RefArray.castValue(v, dtype);
    }
}
