package dev.descent.cli;

import dev.descent.optim.Optimizer;
import dev.descent.optim.schedule.LrScheduler;
import dev.descent.optim.schedule.ReduceLrOnPlateau;
import dev.descent.optim.schedule.Schedule;
import dev.descent.train.ScheduleUnit;
import dev.descent.train.Trainer;
import java.util.Locale;

/**
 * A learning-rate schedule written on the command line, relative to the base rate α₀:
 *
 * <ul>
 *   <li>{@code none}: α₀ throughout;</li>
 *   <li>{@code step:E:G}: α₀·G^⌊epoch/E⌋, e.g. {@code step:5:0.5} halves it every 5 epochs (seed 003);</li>
 *   <li>{@code exponential:G}: α₀·G^epoch;</li>
 *   <li>{@code linear:END}: from α₀ to END over the run's steps (seed 001's α_t);</li>
 *   <li>{@code cosine} or {@code cosine:MIN}: cosine annealing to MIN (0) over the run's steps;</li>
 *   <li>{@code warmup:S}: a linear warm-up over S steps from α₀/S to α₀, then α₀;</li>
 *   <li>{@code warmup-cosine:S[:MIN]}: that warm-up, then cosine annealing to MIN (α₀/10) over the
 *       rest of the run's steps (nanoGPT's schedule);</li>
 *   <li>{@code onecycle}: Smith's one-cycle over the run's steps, peaking at α₀;</li>
 *   <li>{@code plateau[:PATIENCE[:FACTOR]]}: the rate times FACTOR (0.1) when the test loss has not
 *       improved (by 1e-4 relative) for PATIENCE (10) epochs, PyTorch's {@code ReduceLROnPlateau}.</li>
 * </ul>
 */
public sealed interface ScheduleSpec {

    /** Puts this schedule into {@code run}, driving {@code optimizer}'s rate. */
    void attach(Trainer.Builder run, Optimizer optimizer);

    /**
     * A rate fixed in advance.
     *
     * @param schedule the learning rate as a function of the counter
     * @param unit what the counter counts
     */
    record Fixed(Schedule schedule, ScheduleUnit unit) implements ScheduleSpec {
        @Override
        public void attach(Trainer.Builder run, Optimizer optimizer) {
            run.schedule(LrScheduler.absolute(optimizer, schedule), unit);
        }
    }

    /** A rate cut by {@code factor} after {@code patience} epochs without improvement. */
    record OnPlateau(int patience, double factor) implements ScheduleSpec {
        @Override
        public void attach(Trainer.Builder run, Optimizer optimizer) {
            run.reduceLrOnPlateau(new ReduceLrOnPlateau(optimizer, patience, factor));
        }
    }

    /** Parses {@code text} for a run of {@code totalSteps} steps from base rate {@code lr}; null for {@code none}. */
    static ScheduleSpec parse(String text, double lr, long totalSteps) {
        String[] p = text.trim().toLowerCase(Locale.ROOT).split(":");
        try {
            return switch (p[0]) {
                case "none", "constant" -> {
                    arity(p, 1, text);
                    yield null;
                }
                case "step" -> {
                    arity(p, 3, text);
                    yield new Fixed(Schedule.stepDecay(lr, positive(p[2], text), (long) positive(p[1], text)),
                            ScheduleUnit.EPOCH);
                }
                case "exponential" -> {
                    arity(p, 2, text);
                    yield new Fixed(Schedule.exponential(lr, positive(p[1], text)), ScheduleUnit.EPOCH);
                }
                case "linear" -> {
                    arity(p, 2, text);
                    yield new Fixed(Schedule.linear(lr, rate(p[1], "linear:END_LR", text), totalSteps),
                            ScheduleUnit.STEP);
                }
                case "cosine" -> {
                    double min = p.length > 1 ? rate(p[1], "cosine:MIN_LR", text) : 0;
                    if (p.length > 2) {
                        throw bad(text);
                    }
                    yield new Fixed(Schedule.cosine(lr, min, totalSteps), ScheduleUnit.STEP);
                }
                case "warmup" -> {
                    arity(p, 2, text);
                    long steps = (long) positive(p[1], text);
                    yield new Fixed(Schedule.linearWarmup(lr / steps, lr, steps), ScheduleUnit.STEP);
                }
                case "warmup-cosine" -> {
                    if (p.length < 2 || p.length > 3) {
                        throw bad(text);
                    }
                    long steps = (long) positive(p[1], text);
                    double min = p.length > 2 ? rate(p[2], "warmup-cosine:STEPS:MIN_LR", text) : lr / 10;
                    yield new Fixed(Schedule.warmupCosine(lr, min, steps, Math.max(totalSteps, 1)), ScheduleUnit.STEP);
                }
                case "plateau" -> {
                    if (p.length > 3) {
                        throw bad(text);
                    }
                    double patience = p.length > 1 ? Double.parseDouble(p[1]) : 10;
                    double factor = p.length > 2 ? Double.parseDouble(p[2]) : 0.1;
                    if (patience < 0 || patience != Math.rint(patience) || !(factor > 0 && factor < 1)) {
                        throw bad(text);
                    }
                    yield new OnPlateau((int) patience, factor);
                }
                case "onecycle" -> {
                    arity(p, 1, text);
                    yield new Fixed(Schedule.oneCycle(lr, Math.max(2, totalSteps)), ScheduleUnit.STEP);
                }
                default -> throw bad(text);
            };
        } catch (NumberFormatException e) {
            throw bad(text);
        }
    }

    private static void arity(String[] p, int n, String text) {
        if (p.length != n) {
            throw bad(text);
        }
    }

    private static double positive(String s, String text) {
        double v = Double.parseDouble(s);
        if (!(v > 0 && v < Double.POSITIVE_INFINITY)) {
            throw bad(text);
        }
        return v;
    }

    /** A learning rate the schedule reaches: finite and >= 0, or the run would fail at that step. */
    private static double rate(String s, String form, String text) {
        double v = Double.parseDouble(s);
        if (!(v >= 0 && v < Double.POSITIVE_INFINITY)) {
            throw new UserError("--schedule: " + form + " must be a learning rate >= 0, got '" + text + "'");
        }
        return v;
    }

    private static UserError bad(String text) {
        return new UserError("--schedule: expected none, step:EPOCHS:GAMMA, exponential:GAMMA, linear:END_LR, cosine[:MIN_LR], "
                + "warmup:STEPS, warmup-cosine:STEPS[:MIN_LR], onecycle or plateau[:PATIENCE[:FACTOR in (0,1)]], got '"
                + text + "'");
    }
}
