package dev.descent.optim.schedule;

import dev.descent.optim.Optimizer;
import dev.descent.optim.ParamGroup;
import java.util.ArrayList;
import java.util.List;

/**
 * Drives an optimiser's learning rate by a {@link Schedule}: call {@link #step()} once per
 * optimiser step for a per-step schedule, or once per epoch for a per-epoch one. The counter
 * starts at 0 and the learning rate is set for t = 0 at construction, as PyTorch's schedulers.
 *
 * <p>{@link Mode#ABSOLUTE} sets every group's lr to the schedule's value;
 * {@link Mode#RELATIVE} multiplies each group's initial lr by it (PyTorch's {@code LambdaLR}),
 * so groups keep their ratios.
 */
public final class LrScheduler {
    /** How the schedule's value becomes a learning rate. */
    public enum Mode { ABSOLUTE, RELATIVE }

    private final Optimizer optimizer;
    private final Schedule schedule;
    private final Mode mode;
    private final List<Double> baseLrs = new ArrayList<>();
    private long count;

    public LrScheduler(Optimizer optimizer, Schedule schedule, Mode mode) {
        this.optimizer = optimizer;
        this.schedule = schedule;
        this.mode = mode;
        for (ParamGroup g : optimizer.paramGroups()) {
            baseLrs.add(g.lr());
        }
        apply();
    }

    /** A scheduler that sets the lr of every group to the schedule's value. */
    public static LrScheduler absolute(Optimizer optimizer, Schedule schedule) {
        return new LrScheduler(optimizer, schedule, Mode.ABSOLUTE);
    }

    /** A scheduler that scales each group's initial lr by the schedule's value. */
    public static LrScheduler relative(Optimizer optimizer, Schedule schedule) {
        return new LrScheduler(optimizer, schedule, Mode.RELATIVE);
    }

    /** Advances the counter by one and sets the learning rate for it. */
    public void step() {
        count++;
        apply();
    }

    /** The counter: how many times {@link #step()} was called (or the value restored). */
    public long count() {
        return count;
    }

    /** Restores the counter (when resuming) and sets the learning rate for it. */
    public void setCount(long t) {
        count = t;
        apply();
    }

    /** The learning rate of the first group now. */
    public double lr() {
        return optimizer.paramGroups().get(0).lr();
    }

    private void apply() {
        double v = schedule.at(count);
        List<ParamGroup> groups = optimizer.paramGroups();
        for (int i = 0; i < groups.size(); i++) {
            double base = i < baseLrs.size() ? baseLrs.get(i) : groups.get(i).lr();
            groups.get(i).set("lr", mode == Mode.ABSOLUTE ? v : base * v);
        }
    }
}
