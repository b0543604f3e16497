package dev.descent.lab.experiments;

import dev.descent.autograd.Variable;
import dev.descent.core.Generator;
import dev.descent.core.Tensor;
import dev.descent.lab.Experiment;
import dev.descent.lab.Format;
import dev.descent.lab.LabResult;
import dev.descent.lab.Option;
import dev.descent.lab.Options;
import dev.descent.lab.support.Csv;
import dev.descent.lab.support.Descend;
import dev.descent.lab.support.Figures;
import dev.descent.lab.support.Grid;
import dev.descent.lab.support.PlanePlot;
import dev.descent.lab.support.Report;
import dev.descent.lab.support.Trajectory;
import dev.descent.optim.linesearch.GoldenSectionSearch;
import dev.descent.optim.linesearch.LineSearchDescent;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.knowm.xchart.XYChart;

/**
 * Seed 003 §6.1.1 and fig. 6.10: 1-D linear regression y = φ0 + φ1·x with the least-squares loss
 * L[φ] = Σ (φ0 + φ1 x_i − y_i)² (eq. 6.5), fitted by steepest descent whose step length comes
 * from the bracketing line search (Descent's {@link LineSearchDescent} with
 * {@link GoldenSectionSearch}); the path over the loss heat map and the fitted lines.
 */
public final class LineSearchExperiment implements Experiment {

    /** The data set: I points, x uniform in [0, 2], y = intercept + slope·x + N(0, noise²). */
    public record Data(double[] x, double[] y) {
        public static Data generate(long seed, int n, double intercept, double slope, double noise) {
            Generator g = new Generator(seed);
            double[] x = g.uniform(n, 0, 2);
            double[] y = new double[n];
            for (int i = 0; i < n; i++) {
                y[i] = intercept + slope * x[i] + noise * g.nextGaussian();
            }
            return new Data(x, y);
        }

        /** The least-squares loss (eq. 6.5) on the host, for the heat map and the checks. */
        public double loss(double phi0, double phi1) {
            double s = 0;
            for (int i = 0; i < x.length; i++) {
                double r = phi0 + phi1 * x[i] - y[i];
                s += r * r;
            }
            return s;
        }

        /** The exact minimiser (normal equations). */
        public double[] leastSquares() {
            int n = x.length;
            double sx = 0;
            double sy = 0;
            double sxx = 0;
            double sxy = 0;
            for (int i = 0; i < n; i++) {
                sx += x[i];
                sy += y[i];
                sxx += x[i] * x[i];
                sxy += x[i] * y[i];
            }
            double slope = (n * sxy - sx * sy) / (n * sxx - sx * sx);
            return new double[] {(sy - slope * sx) / n, slope};
        }

        /** L as a function of the parameter φ = [φ0, φ1], through autograd. */
        public Function<Variable, Variable> lossFunction() {
            return phi -> {
                Variable xs = Variable.of(Tensor.of(x, x.length));
                Variable ys = Variable.of(Tensor.of(y, y.length));
                return xs.mul(phi.select(0, 1)).add(phi.select(0, 0)).sub(ys).square().sum();
            };
        }
    }

    @Override
    public String name() {
        return "line-search";
    }

    @Override
    public String description() {
        return "linear regression by steepest descent with the bracketing line search (seed 003 §6.1.1, fig. 6.10)";
    }

    @Override
    public List<Option> options() {
        return List.of(new Option("points", "12", "training pairs (I = 12 in fig. 6.1)"),
                new Option("seed", "1", "seed of the generated data"),
                new Option("intercept", "0.5", "intercept of the line the data come from"),
                new Option("slope", "0.6", "slope of the line the data come from"),
                new Option("noise", "0.15", "standard deviation of the noise on y"),
                new Option("start", "1.6,-0.8", "starting parameters φ0,φ1 (point 0)"),
                new Option("steps", "6", "line-search steps"),
                new Option("max-step", "1", "the search range [0, max-step] of the step length"),
                new Option("tolerance", "1e-9", "bracket length at which the search stops"));
    }

    public static Trajectory fit(Data d, double[] start, int steps, double maxStep, double tolerance) {
        Variable phi = Descend.parameter(start);
        try (LineSearchDescent opt = new LineSearchDescent(List.of(phi), new GoldenSectionSearch(maxStep, tolerance))) {
            return Descend.runWithClosure(phi, opt, d.lossFunction(), steps);
        } finally {
            phi.close();
        }
    }

    @Override
    public LabResult run(Options o, Path out) throws IOException {
        Data d = Data.generate(o.longInteger("seed", 0), o.integer("points", 2), o.number("intercept"),
                o.number("slope"), o.number("noise"));
        double[] start = o.numbers("start");
        if (start.length != 2) {
            throw new IllegalArgumentException("option --start of experiment 'line-search': expected φ0,φ1, got '"
                    + o.string("start") + "'");
        }
        int steps = o.integer("steps", 1);
        Trajectory t = fit(d, start, steps, o.positive("max-step"), o.positive("tolerance"));
        double[] best = d.leastSquares();
        double bestLoss = d.loss(best[0], best[1]);
        Report report = new Report("Linear regression by steepest descent with line search (seed 003 §6.1.1)",
                o.values());
        List<Path> files = new ArrayList<>();
        try (Csv csv = new Csv(out.resolve("data.csv"), "x", "y")) {
            for (int i = 0; i < d.x().length; i++) {
                csv.row(d.x()[i], d.y()[i]);
            }
        }
        files.add(out.resolve("data.csv"));
        List<List<String>> rows = new ArrayList<>();
        double maxCos = 0;
        double[] prevGrad = null;
        try (Csv csv = new Csv(out.resolve("path.csv"), "k", "phi0", "phi1", "loss")) {
            for (int k = 0; k < t.size(); k++) {
                double[] p = t.point(k);
                csv.row(k, p[0], p[1], t.loss(k));
                double[] gk = Descend.gradientAt(d.lossFunction(), p);
                String cos = "";
                if (prevGrad != null) {
                    double c = (gk[0] * prevGrad[0] + gk[1] * prevGrad[1])
                            / (Math.hypot(gk[0], gk[1]) * Math.hypot(prevGrad[0], prevGrad[1]));
                    maxCos = Math.max(maxCos, Math.abs(c));
                    cos = Format.number(c);
                }
                prevGrad = gk;
                rows.add(List.of(Integer.toString(k), Format.number(p[0]), Format.number(p[1]), Format.number(t.loss(k)),
                        cos));
            }
        }
        files.add(out.resolve("path.csv"));
        double[] last = t.last();
        report.headline("loss at start", t.loss(0))
                .headline("loss after 4 steps", t.loss(Math.min(4, t.size() - 1)))
                .headline("final loss", t.lastLoss())
                .headline("least-squares loss", bestLoss)
                .headline("distance to least squares", Math.hypot(last[0] - best[0], last[1] - best[1]))
                .headline("max |cos| between successive gradients", maxCos);
        report.paragraph("I = " + d.x().length + " generated pairs. Descent's `LineSearchDescent` with "
                + "`GoldenSectionSearch` (the bracketing search of fig. 6.10 with golden-ratio interior points) on "
                + "L[φ] = Σ(φ0 + φ1x_i − y_i)², in float64. The exact least-squares solution is φ = ("
                + Format.number(best[0]) + ", " + Format.number(best[1]) + ") with loss " + Format.number(bestLoss)
                + ". An exact line search stops where the new gradient is orthogonal to the direction, so successive "
                + "gradients are orthogonal and the path turns at right angles (seed 003 problem 6.7): the last "
                + "column is the cosine between ∇L at φ_k and at φ_{k−1}.");
        report.table(List.of("k", "φ0", "φ1", "L", "cos(∇L_k, ∇L_{k−1})"), rows);

        Grid g = Grid.sample(d::loss, -0.5, 2.5, -1.5, 1.5, 240, 240);
        PlanePlot plot = g.plot("loss L[φ] and the line-search path", "φ0 (intercept)", "φ1 (slope)", true);
        plot.path(t.coordinate(0), t.coordinate(1), Color.WHITE, "steepest descent + line search");
        plot.mark(best[0], best[1], Color.CYAN, "least squares", PlanePlot.Mark.CIRCLE);
        files.addAll(plot.save(out, "path"));
        XYChart fits = Figures.chart("data and the fitted lines (fig. 6.1d)", "x", "y");
        org.knowm.xchart.XYSeries s = fits.addSeries("data", d.x(), d.y());
        s.setXYSeriesRenderStyle(org.knowm.xchart.XYSeries.XYSeriesRenderStyle.Scatter);
        for (int k = 0; k < t.size(); k++) {
            double[] p = t.point(k);
            Figures.curve(fits, "φ_" + k, new double[] {0, 2}, new double[] {p[0], p[0] + 2 * p[1]});
        }
        files.addAll(Figures.save(fits, out, "fits"));
        report.figure("path.png", "path").figure("fits.png", "fitted lines");
        files.add(report.write(out));
        return new LabResult(name(), report.headline(), files);
    }
}
