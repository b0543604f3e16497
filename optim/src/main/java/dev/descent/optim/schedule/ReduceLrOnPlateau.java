package dev.descent.optim.schedule;

import dev.descent.core.Check;
import dev.descent.optim.Optimizer;
import dev.descent.optim.ParamGroup;

/**
 * Multiplies the learning rate by {@code factor} when a watched metric (validation loss) has
 * not improved for {@code patience} epochs (PyTorch's {@code ReduceLROnPlateau}, relative
 * threshold). An improvement is {@code metric < best·(1 − threshold)} in {@code min} mode and
 * {@code metric > best·(1 + threshold)} in {@code max} mode. After a reduction, {@code cooldown}
 * epochs pass before counting again; the lr never goes below {@code minLr}.
 *
 * <p>Defaults (PyTorch): min mode, factor 0.1, patience 10, threshold 1e-4, cooldown 0,
 * minLr 0.
 */
public final class ReduceLrOnPlateau {
    private final Optimizer optimizer;
    private final boolean maximize;
    private final double factor;
    private final int patience;
    private final double threshold;
    private final int cooldown;
    private final double minLr;
    private double best;
    private int badEpochs;
    private int cooldownLeft;

    public ReduceLrOnPlateau(Optimizer optimizer, boolean maximize, double factor, int patience, double threshold,
            int cooldown, double minLr) {
        String op = "ReduceLrOnPlateau";
        Check.argument(factor > 0 && factor < 1, op, "expected factor in (0, 1), got %s", factor);
        Check.argument(patience >= 0, op, "expected patience >= 0, got %d", patience);
        this.optimizer = optimizer;
        this.maximize = maximize;
        this.factor = factor;
        this.patience = patience;
        this.threshold = threshold;
        this.cooldown = cooldown;
        this.minLr = minLr;
        this.best = maximize ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
    }

    /** With PyTorch's defaults, watching a loss. */
    public ReduceLrOnPlateau(Optimizer optimizer) {
        this(optimizer, 10, 0.1);
    }

    /** Watching a loss, with {@code patience} and {@code factor} given and PyTorch's other defaults. */
    public ReduceLrOnPlateau(Optimizer optimizer, int patience, double factor) {
        this(optimizer, false, factor, patience, 1e-4, 0, 0);
    }

    /** Records one epoch's metric; returns true when it reduced the learning rate. */
    public boolean step(double metric) {
        Check.argument(!Double.isNaN(metric), "ReduceLrOnPlateau.step", "the metric is NaN");
        boolean better = maximize ? metric > best * (1 + threshold)
                : metric < best * (1 - threshold);
        if (Double.isInfinite(best)) {
            better = true;
        }
        if (better) {
            best = metric;
            badEpochs = 0;
        } else {
            badEpochs++;
        }
        if (cooldownLeft > 0) {
            cooldownLeft--;
            badEpochs = 0;
        }
        if (badEpochs > patience) {
            for (ParamGroup g : optimizer.paramGroups()) {
                g.set("lr", Math.max(g.lr() * factor, minLr));
            }
            cooldownLeft = cooldown;
            badEpochs = 0;
            return true;
        }
        return false;
    }

    /** The best metric seen so far. */
    public double best() {
        return best;
    }

    /** What a checkpoint keeps to resume: the best metric, the bad epochs counted, the cooldown left. */
    public record State(double best, int badEpochs, int cooldownLeft) {
    }

    /** The counters now (the learning rate itself lives in the optimiser's state). */
    public State state() {
        return new State(best, badEpochs, cooldownLeft);
    }

    /** Puts back counters from {@link #state()}. */
    public void restore(State s) {
        Check.argument(s.badEpochs() >= 0 && s.cooldownLeft() >= 0 && !Double.isNaN(s.best()),
                "ReduceLrOnPlateau.restore", "expected counters >= 0 and a best metric, got %s", s);
        best = s.best();
        badEpochs = s.badEpochs();
        cooldownLeft = s.cooldownLeft();
    }
}
