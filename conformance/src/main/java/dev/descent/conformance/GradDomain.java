package dev.descent.conformance;

import dev.descent.core.Generator;

/**
 * Where the inputs of a gradient check come from: where the op is differentiable and well
 * conditioned, a logarithm's argument positive, a divisor and a kink's argument (relu, abs) away
 * from zero by far more than the finite-difference step.
 */
public enum GradDomain {
    /** U(-2, 2). */
    ANY,
    /** U(0.5, 2). */
    POSITIVE,
    /** ±U(0.5, 2). */
    AWAY_FROM_ZERO;

    public double draw(Generator g) {
        return switch (this) {
            case ANY -> -2 + 4 * g.nextDouble();
            case POSITIVE -> 0.5 + 1.5 * g.nextDouble();
            case AWAY_FROM_ZERO -> (g.nextInt(2) == 0 ? -1 : 1) * (0.5 + 1.5 * g.nextDouble());
        };
    }
}
