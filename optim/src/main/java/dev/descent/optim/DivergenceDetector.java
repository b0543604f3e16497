package dev.descent.optim;

import dev.descent.core.Check;

/**
 * Watches a loss curve for divergence (seed 000: with α > 1 gradient descent on x² runs away;
 * "check the loss curve"): a loss that is not finite, or that has grown above
 * {@code factor} times the lowest loss seen (plus {@code floor}, so that a minimum of 0 does not
 * make every later wobble a divergence). Defaults: factor 1e3, floor 1e-12.
 */
public final class DivergenceDetector {
    private final double factor;
    private final double floor;
    private double best = Double.POSITIVE_INFINITY;
    private long observed;

    public DivergenceDetector(double factor, double floor) {
        Check.argument(factor > 1, "DivergenceDetector", "expected factor > 1, got %s", factor);
        Check.argument(floor >= 0, "DivergenceDetector", "expected floor >= 0, got %s", floor);
        this.factor = factor;
        this.floor = floor;
    }

    public DivergenceDetector() {
        this(1e3, 1e-12);
    }

    /** Records one loss; true when the run has diverged. */
    public boolean observe(double loss) {
        observed++;
        if (!Double.isFinite(loss)) {
            return true;
        }
        best = Math.min(best, loss);
        return loss > factor * Math.abs(best) + floor && loss > best + floor;
    }

    /**
     * Records one loss and throws when the run has diverged.
     *
     * @throws ArithmeticException naming the step, the loss and the best loss
     */
    public void check(double loss) {
        if (observe(loss)) {
            throw new ArithmeticException("training diverged at observation " + observed + ": loss " + loss
                    + (Double.isFinite(loss) ? " is more than " + factor + " times the best loss " + best
                    : " is not finite") + "; lower the learning rate");
        }
    }
}
