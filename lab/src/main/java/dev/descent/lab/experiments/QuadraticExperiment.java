package dev.descent.lab.experiments;

import dev.descent.autograd.Variable;
import dev.descent.lab.Experiment;
import dev.descent.lab.Format;
import dev.descent.lab.LabResult;
import dev.descent.lab.Option;
import dev.descent.lab.Options;
import dev.descent.lab.support.Csv;
import dev.descent.lab.support.Descend;
import dev.descent.lab.support.Figures;
import dev.descent.lab.support.Report;
import dev.descent.lab.support.Trajectory;
import dev.descent.optim.DivergenceDetector;
import dev.descent.optim.SGD;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.knowm.xchart.XYChart;

/**
 * Gradient descent on L(x) = x² (seed 000, Table 1-1 and figs. 1-2 to 1-4): x_{k+1} = x_k − 2α·x_k
 * = x_k(1 − 2α), run with Descent's {@link SGD} in float64. It converges monotonically for α < ½,
 * oscillates while converging for ½ < α < 1, is stuck at ±1 for α = 1 and diverges for α > 1,
 * which {@link DivergenceDetector} reports.
 */
public final class QuadraticExperiment implements Experiment {
    static final Function<Variable, Variable> LOSS = x -> x.square().sum();
    private static final int[] TABLE_ROWS = {0, 1, 2, 3, 40, 500};

    /** How a sequence behaved, read from its values. */
    public enum Behaviour { MONOTONE, OSCILLATING_CONVERGING, STUCK, DIVERGING }

    @Override
    public String name() {
        return "quadratic";
    }

    @Override
    public String description() {
        return "gradient descent on L(x) = x²: Table 1-1, sequences for several α, divergence for α > 1 (seed 000)";
    }

    @Override
    public List<Option> options() {
        return List.of(new Option("x0", "1", "starting point"),
                new Option("alpha", "0.1", "learning rate of Table 1-1"),
                new Option("alphas", "0.01,0.1,0.4,0.7,1,1.01", "learning rates of the sequences (figs. 1-2 to 1-4)"),
                new Option("steps", "500", "steps per run (Table 1-1 goes to k = 500)"),
                new Option("plot-steps", "30", "steps shown in the sequence plot"));
    }

    /** Runs GD on x² from x0 with learning rate α for n steps (stopping when divergence is detected). */
    public static Trajectory run(double x0, double alpha, int steps, boolean detect) {
        Variable x = Descend.parameter(x0);
        try (SGD opt = new SGD(List.of(x), alpha, 0)) {
            return Descend.run(x, opt, LOSS, steps, detect ? new DivergenceDetector() : null);
        } finally {
            x.close();
        }
    }

    /** The behaviour of a finished run. */
    public static Behaviour classify(Trajectory t) {
        double[] x = t.coordinate(0);
        boolean signChanges = false;
        for (int k = 1; k < x.length; k++) {
            signChanges |= Math.signum(x[k]) != Math.signum(x[k - 1]);
        }
        double first = Math.abs(x[0]);
        double last = Math.abs(x[x.length - 1]);
        if (t.diverged() || last > first * (1 + 1e-12)) {
            return Behaviour.DIVERGING;
        }
        if (Math.abs(last - first) <= 1e-12 * first) {
            return Behaviour.STUCK;
        }
        return signChanges ? Behaviour.OSCILLATING_CONVERGING : Behaviour.MONOTONE;
    }

    @Override
    public LabResult run(Options o, Path out) throws IOException {
        double x0 = o.number("x0");
        double alpha = o.positive("alpha");
        double[] alphas = o.numbers("alphas");
        int steps = o.integer("steps", 1);
        int plotSteps = Math.min(o.integer("plot-steps", 1), steps);
        List<Path> files = new ArrayList<>();
        Report report = new Report("Gradient descent on L(x) = x² (seed 000, Table 1-1, figs. 1-2 to 1-4)", o.values());

        Trajectory table = run(x0, alpha, steps, false);
        List<List<String>> rows = new ArrayList<>();
        try (Csv csv = new Csv(out.resolve("table-1-1.csv"), "k", "x_k", "closed_form")) {
            for (int k = 0; k < table.size(); k++) {
                csv.row(k, table.point(k)[0], x0 * Math.pow(1 - 2 * alpha, k));
            }
        }
        files.add(out.resolve("table-1-1.csv"));
        for (int k : TABLE_ROWS) {
            if (k < table.size()) {
                double xk = table.point(k)[0];
                rows.add(List.of(Integer.toString(k), Format.number(xk), Format.number(x0 * Math.pow(1 - 2 * alpha, k))));
                report.headline("x" + k, xk);
            }
        }
        report.paragraph("Descent's `SGD` (float64) on L(x) = x² from x0 = " + Format.number(x0) + " with α = "
                + Format.number(alpha) + "; the text's Table 1-1 gives 0.8, 0.64, 0.512, x40 ≈ 0.00013, "
                + "x500 ≈ 3.5e-49 for x0 = 1, α = 0.1.");
        report.table(List.of("k", "x_k (Descent)", "x0 (1 − 2α)^k"), rows);

        XYChart seq = Figures.chart("x_k for several learning rates (fig. 1-2)", "k", "x_k");
        XYChart loss = Figures.chart("L(x_k) (fig. 1-4; 0 drawn at 1e-300)", "k", "log10 L(x_k)");
        List<List<String>> behaviour = new ArrayList<>();
        try (Csv csv = new Csv(out.resolve("sequences.csv"), "alpha", "k", "x_k", "loss")) {
            for (double a : alphas) {
                Trajectory t = run(x0, a, steps, true);
                double[] xs = t.coordinate(0);
                for (int k = 0; k < t.size(); k++) {
                    csv.row(a, k, xs[k], t.loss(k));
                }
                int n = Math.min(plotSteps + 1, t.size());
                if (a <= 1) {
                    Figures.line(seq, "α = " + Format.number(a), Figures.steps(n), java.util.Arrays.copyOf(xs, n));
                    Figures.curve(loss, "α = " + Format.number(a), Figures.steps(n),
                            Figures.log10(java.util.Arrays.copyOf(t.losses(), n), 1e-300));
                }
                Behaviour b = classify(t);
                behaviour.add(List.of(Format.number(a), Format.number(Math.abs(1 - 2 * a)), b.name().toLowerCase(),
                        t.diverged() ? "at step " + t.divergedAt() : "no", Format.number(xs[xs.length - 1])));
                report.headline("final |x| (α = " + Format.number(a) + ")", Math.abs(xs[xs.length - 1]));
                report.headline("divergence detected at step (α = " + Format.number(a) + ")",
                        t.diverged() ? t.divergedAt() : Double.NaN);
                if (a > 1) {
                    XYChart div = Figures.chart("x_k for α = " + Format.number(a) + " (fig. 1-3)", "k", "x_k");
                    Figures.line(div, "α = " + Format.number(a), Figures.steps(xs.length), xs);
                    files.addAll(Figures.save(div, out, "diverging-" + Format.number(a)));
                    report.figure("diverging-" + Format.number(a) + ".png", "diverging sequence");
                }
            }
        }
        files.add(out.resolve("sequences.csv"));
        files.addAll(Figures.save(seq, out, "sequences"));
        files.addAll(Figures.save(loss, out, "loss-curves"));
        report.paragraph("Behaviour of each run (|1 − 2α| < 1 converges; the sign flips when α > ½; "
                + "DivergenceDetector with its defaults watches the loss):");
        report.table(List.of("α", "|1 − 2α|", "behaviour", "divergence detected", "last x_k"), behaviour);
        report.figure("sequences.png", "sequences x_k").figure("loss-curves.png", "loss curves");
        files.add(report.write(out));
        return new LabResult(name(), report.headline(), files);
    }
}
