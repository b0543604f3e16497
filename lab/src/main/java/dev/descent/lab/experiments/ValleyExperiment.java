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
import dev.descent.lab.support.Grid;
import dev.descent.lab.support.PlanePlot;
import dev.descent.lab.support.Report;
import dev.descent.lab.support.Trajectory;
import dev.descent.optim.Adagrad;
import dev.descent.optim.Adam;
import dev.descent.optim.Optimizer;
import dev.descent.optim.RMSprop;
import dev.descent.optim.SGD;
import dev.descent.optim.SignDescent;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.knowm.xchart.XYChart;

/**
 * An ill-conditioned valley, L(x, y) = (a·x² + b·y²)/2 with a ≪ b (seed 003 figs. 6.7–6.9: a loss
 * that "changes quickly in the vertical direction but slowly in the horizontal direction"), and the
 * paths of gradient descent, momentum, Nesterov, sign descent, AdaGrad, RMSProp and Adam over its
 * contours, each a Descent optimiser; and the steps each needs to bring the loss under a tolerance.
 */
public final class ValleyExperiment implements Experiment {

    /** One optimiser of the comparison: its label and how to make it with a learning rate. */
    public record Method(String key, String label, BiFunction<List<Variable>, Double, Optimizer> make) {
    }

    public static final List<Method> METHODS = List.of(
            new Method("gd", "gradient descent", (p, lr) -> new SGD(p, lr, 0)),
            new Method("momentum", "momentum 0.9", (p, lr) -> new SGD(p, lr, 0.9)),
            new Method("nesterov", "Nesterov 0.9", (p, lr) -> new SGD(p, lr, 0.9).set("nesterov", true)),
            new Method("sign", "sign descent", (p, lr) -> new SignDescent(p, lr, 0)),
            new Method("adagrad", "AdaGrad", Adagrad::new),
            new Method("rmsprop", "RMSProp", RMSprop::new),
            new Method("adam", "Adam", Adam::new));

    private static final Color[] COLOURS = {Color.WHITE, new Color(255, 80, 80), new Color(255, 170, 0),
        new Color(0, 200, 255), new Color(200, 120, 255), new Color(120, 255, 120), Color.BLACK};

    @Override
    public String name() {
        return "valley";
    }

    @Override
    public String description() {
        return "an ill-conditioned valley: GD, momentum, Nesterov, sign descent, AdaGrad, RMSProp, Adam (seed 003 figs. 6.7–6.9)";
    }

    @Override
    public List<Option> options() {
        return List.of(new Option("a", "0.1", "curvature along x (the slow direction)"),
                new Option("b", "2", "curvature along y (the fast direction)"),
                new Option("start", "-9,2", "starting point x,y"),
                new Option("steps", "1000", "steps per optimiser"),
                new Option("tolerance", "1e-6", "the loss to reach"),
                new Option("lr-gd", "0.9", "learning rate of gradient descent (stable below 2/b)"),
                new Option("lr-momentum", "0.1", "learning rate with momentum 0.9"),
                new Option("lr-nesterov", "0.1", "learning rate with Nesterov momentum 0.9"),
                new Option("lr-sign", "0.07", "step of sign descent"),
                new Option("lr-adagrad", "1", "learning rate of AdaGrad"),
                new Option("lr-rmsprop", "0.1", "learning rate of RMSProp"),
                new Option("lr-adam", "0.1", "learning rate of Adam"));
    }

    public static Function<Variable, Variable> loss(double a, double b) {
        return p -> p.select(0, 0).square().mul(a / 2).add(p.select(0, 1).square().mul(b / 2));
    }

    /** Runs one method from {@code start}. */
    public static Trajectory run(Method m, double lr, double a, double b, double[] start, int steps) {
        Variable p = Descend.parameter(start);
        try (Optimizer opt = m.make().apply(List.of(p), lr)) {
            return Descend.run(p, opt, loss(a, b), steps, null);
        } finally {
            p.close();
        }
    }

    @Override
    public LabResult run(Options o, Path out) throws IOException {
        double a = o.positive("a");
        double b = o.positive("b");
        double[] start = o.numbers("start");
        if (start.length != 2) {
            throw new IllegalArgumentException("option --start of experiment 'valley': expected x,y, got '"
                    + o.string("start") + "'");
        }
        int steps = o.integer("steps", 1);
        double tol = o.positive("tolerance");
        Report report = new Report("Optimisers in an ill-conditioned valley (seed 003 figs. 6.7–6.9)", o.values());
        List<Path> files = new ArrayList<>();
        double hx = Math.abs(start[0]) * 1.15;
        double hy = Math.abs(start[1]) * 1.3 + 0.1;
        Grid g = Grid.sample((x, y) -> (a * x * x + b * y * y) / 2, -hx, hx * 0.3, -hy, hy, 300, 200);
        PlanePlot plot = g.plot("L = (" + Format.number(a) + "x² + " + Format.number(b) + "y²)/2: paths of the "
                + "optimisers", "x", "y", true);
        XYChart curves = Figures.chart("loss curves in the valley", "step", "log10 L");
        List<List<String>> rows = new ArrayList<>();
        try (Csv csv = new Csv(out.resolve("paths.csv"), "method", "lr", "k", "x", "y", "loss")) {
            for (int i = 0; i < METHODS.size(); i++) {
                Method m = METHODS.get(i);
                double lr = o.positive("lr-" + m.key());
                Trajectory t = run(m, lr, a, b, start, steps);
                for (int k = 0; k < t.size(); k++) {
                    double[] p = t.point(k);
                    csv.row(m.key(), lr, k, p[0], p[1], t.loss(k));
                }
                int shown = Math.min(t.size(), 200);
                plot.path(java.util.Arrays.copyOf(t.coordinate(0), shown), java.util.Arrays.copyOf(t.coordinate(1),
                        shown), COLOURS[i % COLOURS.length], m.label());
                Figures.curve(curves, m.label(), Figures.steps(t.size()), Figures.log10(t.losses(), 1e-30));
                int reached = t.firstBelow(tol);
                rows.add(List.of(m.label(), Format.number(lr), reached < 0 ? "not within " + steps : Integer.toString(reached),
                        Format.number(t.lastLoss())));
                report.headline("steps to tolerance (" + m.key() + ")", reached < 0 ? Double.NaN : reached);
            }
        }
        files.add(out.resolve("paths.csv"));
        plot.mark(0, 0, Color.CYAN, "minimum", PlanePlot.Mark.CIRCLE);
        files.addAll(plot.save(out, "paths"));
        files.addAll(Figures.save(curves, out, "loss-curves"));
        report.paragraph("Hessian eigenvalues " + Format.number(b) + " and " + Format.number(a) + " (condition number "
                + Format.number(b / a) + "); start " + Format.number(start[0]) + ", " + Format.number(start[1])
                + "; steps until L ≤ " + Format.number(tol) + " (n/a: not reached in " + steps + " steps). Plain "
                + "gradient descent must keep η < 2/" + Format.number(b) + " for the steep direction and so crawls "
                + "along the shallow one; momentum and the adaptive methods rescale the two directions. Sign "
                + "descent moves every coordinate by exactly η each step, so it bounces around the minimum at "
                + "distance ~η (seed 003 eq. 6.14) and need not reach a small tolerance.");
        report.table(List.of("method", "lr", "steps to tolerance", "final loss"), rows);
        report.figure("paths.png", "paths").figure("loss-curves.png", "loss curves");
        files.add(report.write(out));
        return new LabResult(name(), report.headline(), files);
    }
}
