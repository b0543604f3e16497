package dev.descent.optim.schedule;

import dev.descent.core.Check;
import java.util.Arrays;
import java.util.List;

/**
 * A value as a function of a counter t = 0, 1, 2, ... (steps or epochs: whichever the caller
 * counts), as optax's schedules. Schedules compose: {@link #sequence} runs one after another,
 * {@link #times} multiplies two (PyTorch's chained schedulers), and {@link LrScheduler}
 * applies one to an optimiser's learning rate. Each factory names the text it comes from.
 */
@FunctionalInterface
public interface Schedule {

    /** The value at step (or epoch) {@code t >= 0}. */
    double at(long t);

    /** This schedule times {@code other}, pointwise: one scales the other (a chain). */
    default Schedule times(Schedule other) {
        return t -> at(t) * other.at(t);
    }

    /** α for every t. */
    static Schedule constant(double value) {
        return t -> value;
    }

    /**
     * Linear decay (seed 001): α_t = (1 − t/τ)·α₀ + (t/τ)·α_τ for t ≤ τ, then α_τ.
     */
    static Schedule linear(double start, double end, long tau) {
        Check.argument(tau > 0, "Schedule.linear", "expected tau > 0, got %d", tau);
        return t -> {
            if (t >= tau) {
                return end;
            }
            double f = (double) t / tau;
            return (1 - f) * start + f * end;
        };
    }

    /** Step decay (seed 003 §6.2.2): α₀·γ^⌊t / every⌋, e.g. halve every N epochs. */
    static Schedule stepDecay(double start, double gamma, long every) {
        Check.argument(every > 0, "Schedule.stepDecay", "expected every > 0, got %d", every);
        return t -> start * Math.pow(gamma, Math.floorDiv(t, every));
    }

    /** α₀·γ^(number of milestones ≤ t) (PyTorch's {@code MultiStepLR}). */
    static Schedule multiStep(double start, double gamma, long... milestones) {
        long[] ms = milestones.clone();
        Arrays.sort(ms);
        return t -> {
            int k = 0;
            while (k < ms.length && ms[k] <= t) {
                k++;
            }
            return start * Math.pow(gamma, k);
        };
    }

    /** α₀·γ^t (PyTorch's {@code ExponentialLR}). */
    static Schedule exponential(double start, double gamma) {
        return t -> start * Math.pow(gamma, t);
    }

    /**
     * Polynomial (power) decay: (α₀ − α_end)·(1 − min(t, τ)/τ)^power + α_end (PyTorch's
     * {@code PolynomialLR} with α_end = 0; power 1 is {@link #linear}).
     */
    static Schedule polynomial(double start, double end, long tau, double power) {
        Check.argument(tau > 0, "Schedule.polynomial", "expected tau > 0, got %d", tau);
        return t -> (start - end) * Math.pow(1 - (double) Math.min(t, tau) / tau, power) + end;
    }

    /** Cosine annealing from {@code max} to {@code min} over τ steps, then {@code min}. */
    static Schedule cosine(double max, double min, long tau) {
        Check.argument(tau > 0, "Schedule.cosine", "expected tau > 0, got %d", tau);
        return t -> t >= tau ? min : min + (max - min) * (1 + Math.cos(Math.PI * t / tau)) / 2;
    }

    /**
     * Cosine annealing with warm restarts (SGDR, Loshchilov and Hutter 2017; PyTorch's
     * {@code CosineAnnealingWarmRestarts}): cycles of length T₀, T₀·m, T₀·m², ... each from
     * {@code max} down to {@code min}: α = min + (max − min)·(1 + cos(π·T_cur/T_i))/2.
     */
    static Schedule cosineWarmRestarts(double max, double min, long t0, long mult) {
        Check.argument(t0 > 0, "Schedule.cosineWarmRestarts", "expected t0 > 0, got %d", t0);
        Check.argument(mult >= 1, "Schedule.cosineWarmRestarts", "expected mult >= 1, got %d", mult);
        return t -> {
            long cur;
            long len;
            if (mult == 1) {
                cur = t % t0;
                len = t0;
            } else {
                long start = 0;
                len = t0;
                while (t >= start + len) {
                    start += len;
                    len *= mult;
                }
                cur = t - start;
            }
            return min + (max - min) * (1 + Math.cos(Math.PI * cur / len)) / 2;
        };
    }

    /**
     * Linear warm-up (seed 003 notes; Goyal et al. 2018): from {@code start} to {@code end} over
     * {@code steps}, then {@code end}. Follow it with a decay through {@link #sequence}.
     */
    static Schedule linearWarmup(double start, double end, long steps) {
        return linear(start, end, steps);
    }

    /**
     * A linear warm-up from {@code max/W} to {@code max} over W = min({@code warmup}, total − 1)
     * steps, then cosine annealing from {@code max} to {@code min} over the remaining steps of
     * {@code total} (nanoGPT's schedule for GPTs; Loshchilov and Hutter 2017 for the cosine).
     */
    static Schedule warmupCosine(double max, double min, long warmup, long total) {
        Check.argument(warmup >= 0 && total >= 1, "Schedule.warmupCosine",
                "expected warmup >= 0 and total >= 1 steps, got %d and %d", warmup, total);
        long w = Math.min(warmup, total - 1);
        if (w == 0) {
            return cosine(max, min, total);
        }
        return sequence(List.of(linearWarmup(max / w, max, w), cosine(max, min, total - w)), w);
    }

    /**
     * One cycle (Smith 2018; PyTorch's {@code OneCycleLR}, cosine, two phases): from max/div up
     * to max over the first {@code pctStart} of {@code total} steps, then down to
     * max/(div·finalDiv).
     */
    static Schedule oneCycle(double max, long total, double pctStart, double div, double finalDiv) {
        Check.argument(total > 1, "Schedule.oneCycle", "expected total > 1 steps, got %d", total);
        Check.argument(pctStart > 0 && pctStart < 1, "Schedule.oneCycle", "expected pctStart in (0, 1), got %s",
                pctStart);
        double initial = max / div;
        double last = initial / finalDiv;
        double peak = pctStart * total - 1;
        double end = total - 1;
        return t -> {
            if (t <= peak) {
                return anneal(initial, max, peak <= 0 ? 1 : t / peak);
            }
            return anneal(max, last, Math.min(1, (t - peak) / (end - peak)));
        };
    }

    /** {@link #oneCycle} with PyTorch's defaults: pctStart 0.3, div 25, finalDiv 1e4. */
    static Schedule oneCycle(double max, long total) {
        return oneCycle(max, total, 0.3, 25, 1e4);
    }

    private static double anneal(double from, double to, double pct) {
        return to + (from - to) / 2 * (Math.cos(Math.PI * pct) + 1);
    }

    /**
     * The schedules one after another (optax's {@code join_schedules}): schedule i runs from
     * {@code boundaries[i-1]} (0 for the first), seeing t minus that boundary.
     */
    static Schedule sequence(List<Schedule> schedules, long... boundaries) {
        Check.argument(schedules.size() == boundaries.length + 1, "Schedule.sequence",
                "expected %d boundaries for %d schedules, got %d", schedules.size() - 1, schedules.size(),
                boundaries.length);
        for (int i = 1; i < boundaries.length; i++) {
            Check.argument(boundaries[i] > boundaries[i - 1], "Schedule.sequence",
                    "boundaries must increase, got %s", Arrays.toString(boundaries));
        }
        List<Schedule> parts = List.copyOf(schedules);
        long[] b = boundaries.clone();
        return t -> {
            int i = 0;
            while (i < b.length && t >= b[i]) {
                i++;
            }
            return parts.get(i).at(i == 0 ? t : t - b[i - 1]);
        };
    }
}
