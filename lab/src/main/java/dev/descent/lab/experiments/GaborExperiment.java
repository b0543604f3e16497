package dev.descent.lab.experiments;

import dev.descent.autograd.Variable;
import dev.descent.core.Generator;
import dev.descent.lab.Experiment;
import dev.descent.lab.Format;
import dev.descent.lab.LabResult;
import dev.descent.lab.Option;
import dev.descent.lab.Options;
import dev.descent.lab.support.Csv;
import dev.descent.lab.support.Descend;
import dev.descent.lab.support.Grid;
import dev.descent.lab.support.PlanePlot;
import dev.descent.lab.support.Report;
import dev.descent.lab.support.Symmetric2;
import dev.descent.lab.support.Trajectory;
import dev.descent.optim.SGD;
import dev.descent.optim.linesearch.GoldenSectionSearch;
import dev.descent.optim.linesearch.LineSearchDescent;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The Gabor model's non-convex loss (seed 003 §6.1.2, figs. 6.4–6.6): the loss surface as a heat
 * map with its local minima, saddle points and global minimum found and marked; gradient descent
 * with line search (Descent's {@link LineSearchDescent}) from several starts, which ends in
 * whichever valley it starts in; and SGD with batches of three (Descent's {@link SGD}) from a
 * start in a wrong valley, which can escape it.
 */
public final class GaborExperiment implements Experiment {

    @Override
    public String name() {
        return "gabor";
    }

    @Override
    public String description() {
        return "the Gabor model's loss: minima, saddles, global minimum; GD from several starts vs SGD (seed 003 figs. 6.4–6.6)";
    }

    @Override
    public List<Option> options() {
        return List.of(new Option("seed", "1", "seed of the generated data and of SGD"),
                new Option("points", "28", "training pairs (28 in fig. 6.3)"),
                new Option("true-phi", "0,16.6", "the parameters the data come from (fig. 6.3)"),
                new Option("noise", "0.15", "standard deviation of the noise (the text does not give it)"),
                new Option("range", "-10,10,2.5,22.5", "φ0 from, to, φ1 from, to"),
                new Option("grid", "201", "heat-map samples per axis"),
                new Option("search-starts", "6", "gradient descent from a search-starts² grid of starts finds the global minimum"),
                new Option("starts", "1,20;-4,6;-1.5,12", "the starts drawn (fig. 6.5a points 1, 2, 3), as φ0,φ1;..."),
                new Option("gd-steps", "60", "line-search steps per gradient-descent run"),
                new Option("max-step", "0.5", "line-search range [0, max-step]"),
                new Option("sgd-start", "-1.7,7.5", "start of the SGD runs drawn (a wrong valley for gradient descent)"),
                new Option("batch", "3", "SGD batch size (fig. 6.6)"),
                new Option("lr", "0.3", "SGD learning rate"),
                new Option("epochs", "200", "SGD epochs"),
                new Option("sgd-runs", "10", "SGD runs with different seeds from sgd-start, to count escapes"),
                new Option("compare-grid", "6", "GD and SGD from a compare-grid² grid of starts: how many reach the global valley"));
    }

    /** Gradient descent with the golden-section line search from {@code start}. */
    public static Trajectory descend(GaborData d, double[] start, int steps, double maxStep) {
        Variable phi = Descend.parameter(start);
        try (LineSearchDescent opt = new LineSearchDescent(List.of(phi), new GoldenSectionSearch(maxStep, 1e-7))) {
            return Descend.runWithClosure(phi, opt, d.lossFunction(null), steps);
        } finally {
            phi.close();
        }
    }

    /**
     * Mini-batch SGD: each epoch a fresh permutation of the examples, cut into batches (the last
     * one smaller, seed 000); the loss of a batch is its sum of squared errors. The trajectory
     * holds the full-data loss after each epoch.
     */
    public static Trajectory sgd(GaborData d, double[] start, int batch, double lr, int epochs, long seed) {
        Generator g = new Generator(seed);
        Variable phi = Descend.parameter(start);
        Trajectory t = new Trajectory();
        try (SGD opt = new SGD(List.of(phi), lr, 0)) {
            t.add(start, d.loss(start[0], start[1]));
            int n = d.x().length;
            for (int e = 0; e < epochs; e++) {
                int[] perm = g.permutation(n);
                for (int s = 0; s < n; s += batch) {
                    int[] idx = java.util.Arrays.copyOfRange(perm, s, Math.min(n, s + batch));
                    Descend.run(phi, opt, d.lossFunction(idx), 1, null);
                }
                double[] p = phi.data().toDoubleArray();
                t.add(p, d.loss(p[0], p[1]));
            }
            return t;
        } finally {
            phi.close();
        }
    }

    /**
     * The global minimum as the lab finds it: gradient descent with line search from a
     * {@code starts}² grid of starts, {@code steps} steps each; the lowest end point is then
     * polished with 10·steps more. Returns {φ0, φ1, loss}.
     */
    public static double[] globalMinimum(GaborData d, double[] range, int starts, int steps, double maxStep) {
        double[] best = {Double.NaN, Double.NaN, Double.POSITIVE_INFINITY};
        for (int i = 0; i < starts; i++) {
            for (int j = 0; j < starts; j++) {
                double[] s = {range[0] + (range[1] - range[0]) * (i + 0.5) / starts,
                    range[2] + (range[3] - range[2]) * (j + 0.5) / starts};
                Trajectory t = descend(d, s, steps, maxStep);
                double[] p = t.last();
                if (t.lastLoss() < best[2]) {
                    best = new double[] {p[0], p[1], t.lastLoss()};
                }
            }
        }
        Trajectory polish = descend(d, new double[] {best[0], best[1]}, 10 * steps, maxStep);
        double[] p = polish.last();
        return new double[] {p[0], p[1], polish.lastLoss()};
    }

    /** The loss after a few line-search steps from {@code p}: where SGD ended, without its jitter. */
    static double settle(GaborData d, double[] p, double maxStep) {
        return descend(d, p, 20, maxStep).lastLoss();
    }

    static double[][] pairs(Options o, String key) {
        String[] parts = o.string(key).split(";");
        double[][] out = new double[parts.length][];
        for (int i = 0; i < parts.length; i++) {
            String[] xy = parts[i].trim().split(",");
            try {
                if (xy.length != 2) {
                    throw new NumberFormatException();
                }
                out[i] = new double[] {Double.parseDouble(xy[0].trim()), Double.parseDouble(xy[1].trim())};
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("option --" + key + " of experiment 'gabor': expected points "
                        + "φ0,φ1 separated by ';', got '" + o.string(key) + "'");
            }
        }
        return out;
    }

    @Override
    public LabResult run(Options o, Path out) throws IOException {
        double[] truth = o.numbers("true-phi");
        double[] range = o.numbers("range");
        if (truth.length != 2 || range.length != 4 || !(range[1] > range[0]) || !(range[3] > range[2])) {
            throw new IllegalArgumentException("experiment 'gabor': --true-phi needs φ0,φ1 and --range "
                    + "φ0from,φ0to,φ1from,φ1to with from < to; got '" + o.string("true-phi") + "' and '"
                    + o.string("range") + "'");
        }
        long seed = o.longInteger("seed", 0);
        GaborData d = GaborData.generate(seed, o.integer("points", 1), truth[0], truth[1], o.number("noise"));
        int gdSteps = o.integer("gd-steps", 1);
        double maxStep = o.positive("max-step");
        Report report = new Report("The Gabor model's loss (seed 003 §6.1.2, figs. 6.4–6.6)", o.values());
        List<Path> files = new ArrayList<>();
        try (Csv csv = new Csv(out.resolve("data.csv"), "x", "y")) {
            for (int i = 0; i < d.x().length; i++) {
                csv.row(d.x()[i], d.y()[i]);
            }
        }
        files.add(out.resolve("data.csv"));

        Grid grid = Grid.sample(d::loss, range[0], range[1], range[2], range[3], o.integer("grid", 2),
                o.integer("grid", 2));
        double[] gridMin = grid.argmin();
        double[] global = globalMinimum(d, range, o.integer("search-starts", 1), gdSteps, maxStep);
        List<CriticalPoints.Point> crit = CriticalPoints.find(p -> d.gradient(p[0], p[1]), p -> d.loss(p[0], p[1]),
                range[0], range[1], range[2], range[3], 24);
        // In the global valley: loss below the midpoint between the global minimum and the lowest other minimum.
        double other = crit.stream().filter(c -> c.kind() == Symmetric2.Kind.MINIMUM && c.loss() > global[2] + 1e-6)
                .mapToDouble(CriticalPoints.Point::loss).min().orElse(global[2] + 2);
        double threshold = (global[2] + other) / 2;
        long minima = crit.stream().filter(c -> c.kind() == Symmetric2.Kind.MINIMUM).count();
        long saddles = crit.stream().filter(c -> c.kind() == Symmetric2.Kind.SADDLE).count();
        report.headline("global minimum loss", global[2]).headline("global minimum phi0", global[0])
                .headline("global minimum phi1", global[1]).headline("lowest grid loss", gridMin[2])
                .headline("local minima", minima).headline("saddle points", saddles);
        try (Csv csv = new Csv(out.resolve("critical-points.csv"), "phi0", "phi1", "loss", "lambda1", "lambda2", "kind")) {
            for (CriticalPoints.Point c : crit) {
                csv.row(c.x(), c.y(), c.loss(), c.eigenvalues()[0], c.eigenvalues()[1], c.kind().name().toLowerCase());
            }
        }
        files.add(out.resolve("critical-points.csv"));
        List<List<String>> critRows = new ArrayList<>();
        for (CriticalPoints.Point c : crit) {
            critRows.add(List.of(Format.number(c.x()), Format.number(c.y()), Format.number(c.loss()),
                    c.kind().name().toLowerCase()));
        }
        report.paragraph(d.x().length + " pairs generated as fig. 6.3 says (x uniform in [−15, 15], φ = ("
                + Format.number(truth[0]) + ", " + Format.number(truth[1]) + "), noise σ = "
                + Format.number(o.number("noise")) + ", which the text does not give). The global minimum found by "
                + "gradient descent with line search (Descent's `LineSearchDescent`) from a grid of starts: φ = ("
                + Format.number(global[0]) + ", " + Format.number(global[1]) + "), loss " + Format.number(global[2])
                + " (the text's data give 0.64; the value depends on the noise drawn). The lowest of "
                + grid.nx() + "² grid samples: " + Format.number(gridMin[2]) + " at (" + Format.number(gridMin[0])
                + ", " + Format.number(gridMin[1]) + "). Critical points in the range, found by Newton's method on "
                + "∇L = 0 and classified by the Hessian's eigenvalues:");
        report.table(List.of("φ0", "φ1", "loss", "kind"), critRows);

        PlanePlot surface = grid.plot("Gabor loss: minima, saddles, global minimum (fig. 6.4)", "φ0", "φ1", true);
        PlanePlot paths = grid.plot("gradient descent with line search (fig. 6.5a)", "φ0", "φ1", true);
        PlanePlot stochastic = grid.plot("SGD, batch " + o.integer("batch", 1) + " (fig. 6.5b)", "φ0", "φ1", true);
        for (CriticalPoints.Point c : crit) {
            if (c.kind() == Symmetric2.Kind.MINIMUM) {
                surface.mark(c.x(), c.y(), Color.CYAN, "local minimum", PlanePlot.Mark.CIRCLE);
            } else if (c.kind() == Symmetric2.Kind.SADDLE) {
                surface.mark(c.x(), c.y(), new Color(30, 60, 255), "saddle point", PlanePlot.Mark.CROSS);
            }
        }
        surface.mark(global[0], global[1], Color.LIGHT_GRAY, "global minimum", PlanePlot.Mark.DIAMOND);

        double[][] starts = pairs(o, "starts");
        Color[] colours = {Color.WHITE, new Color(255, 90, 90), new Color(255, 200, 0), Color.CYAN};
        List<List<String>> gdRows = new ArrayList<>();
        try (Csv csv = new Csv(out.resolve("gd-paths.csv"), "start", "k", "phi0", "phi1", "loss")) {
            for (int i = 0; i < starts.length; i++) {
                Trajectory t = descend(d, starts[i], gdSteps, maxStep);
                for (int k = 0; k < t.size(); k++) {
                    csv.row(i + 1, k, t.point(k)[0], t.point(k)[1], t.loss(k));
                }
                paths.path(t.coordinate(0), t.coordinate(1), colours[i % colours.length], "start " + (i + 1));
                double[] end = t.last();
                boolean atGlobal = t.lastLoss() < threshold;
                gdRows.add(List.of(Integer.toString(i + 1), Format.number(starts[i][0]) + ", " + Format.number(starts[i][1]),
                        Format.number(end[0]) + ", " + Format.number(end[1]), Format.number(t.lastLoss()),
                        atGlobal ? "yes" : "no"));
                report.headline("GD start " + (i + 1) + " final loss", t.lastLoss());
            }
        }
        files.add(out.resolve("gd-paths.csv"));
        paths.mark(global[0], global[1], Color.LIGHT_GRAY, "global minimum", PlanePlot.Mark.DIAMOND);
        report.paragraph("Gradient descent with line search from the drawn starts ends in the valley it starts in:");
        report.table(List.of("start", "φ", "end φ", "final loss", "in the global valley"), gdRows);

        double[] sgdStart = pairs(o, "sgd-start")[0];
        int batch = o.integer("batch", 1);
        double lr = o.positive("lr");
        int epochs = o.integer("epochs", 1);
        int runs = o.integer("sgd-runs", 1);
        int escaped = 0;
        List<List<String>> sgdRows = new ArrayList<>();
        List<Trajectory> escapes = new ArrayList<>();
        List<Trajectory> stays = new ArrayList<>();
        try (Csv csv = new Csv(out.resolve("sgd-runs.csv"), "run", "epoch", "phi0", "phi1", "loss")) {
            for (int r = 0; r < runs; r++) {
                Trajectory t = sgd(d, sgdStart, batch, lr, epochs, seed * 1000 + r);
                for (int k = 0; k < t.size(); k++) {
                    csv.row(r, k, t.point(k)[0], t.point(k)[1], t.loss(k));
                }
                double settled = settle(d, t.last(), maxStep);
                boolean atGlobal = settled < threshold;
                escaped += atGlobal ? 1 : 0;
                (atGlobal ? escapes : stays).add(t);
                double[] end = t.last();
                sgdRows.add(List.of(Integer.toString(r + 1), Format.number(end[0]) + ", " + Format.number(end[1]),
                        Format.number(t.lastLoss()), atGlobal ? "yes" : "no"));
            }
        }
        files.add(out.resolve("sgd-runs.csv"));
        for (int i = 0; i < Math.min(2, escapes.size()); i++) {
            Trajectory t = escapes.get(i);
            stochastic.path(t.coordinate(0), t.coordinate(1), colours[i], "SGD run that escaped");
        }
        if (!stays.isEmpty()) {
            Trajectory t = stays.get(0);
            stochastic.path(t.coordinate(0), t.coordinate(1), colours[2], "SGD run that stayed");
        }
        stochastic.mark(global[0], global[1], Color.LIGHT_GRAY, "global minimum", PlanePlot.Mark.DIAMOND);
        Trajectory fromWrong = descend(d, sgdStart, gdSteps, maxStep);
        paths.path(fromWrong.coordinate(0), fromWrong.coordinate(1), Color.CYAN, "from the SGD start");
        report.headline("SGD runs reaching the global valley", escaped).headline("SGD runs", runs)
                .headline("GD from the SGD start final loss", fromWrong.lastLoss());
        report.paragraph("'In the global valley' below means: loss (after 20 line-search steps from the end point, "
                + "to take out SGD's jitter) under " + Format.number(threshold) + ", halfway between the global "
                + "minimum and the lowest other local minimum (" + Format.number(other) + "). From ("
                + Format.number(sgdStart[0]) + ", " + Format.number(sgdStart[1]) + "), gradient descent with line "
                + "search ends at loss " + Format.number(fromWrong.lastLoss()) + " (" + (fromWrong.lastLoss() < threshold
                ? "in" : "not in") + " the global valley). SGD with batches of " + batch + " (a fresh permutation "
                + "each epoch, the last batch smaller; seed 000), lr " + Format.number(lr) + ", " + epochs
                + " epochs, " + runs + " seeds: " + escaped + " reach the global valley.");
        report.table(List.of("run", "end φ", "final loss", "in the global valley"), sgdRows);

        int cg = o.integer("compare-grid", 1);
        int gdIn = 0;
        int sgdIn = 0;
        try (Csv csv = new Csv(out.resolve("compare.csv"), "phi0", "phi1", "gd_loss", "gd_global", "sgd_loss",
                "sgd_global")) {
            for (int i = 0; i < cg; i++) {
                for (int j = 0; j < cg; j++) {
                    double[] s = {range[0] + (range[1] - range[0]) * (i + 0.5) / cg,
                        range[2] + (range[3] - range[2]) * (j + 0.5) / cg};
                    double gdLoss = descend(d, s, gdSteps, maxStep).lastLoss();
                    double sgdLoss = settle(d, sgd(d, s, batch, lr, epochs, seed * 7919 + i * cg + j).last(), maxStep);
                    gdIn += gdLoss < threshold ? 1 : 0;
                    sgdIn += sgdLoss < threshold ? 1 : 0;
                    csv.row(s[0], s[1], gdLoss, gdLoss < threshold, sgdLoss, sgdLoss < threshold);
                }
            }
        }
        files.add(out.resolve("compare.csv"));
        report.headline("grid starts: GD reaching the global valley", gdIn)
                .headline("grid starts: SGD reaching the global valley", sgdIn)
                .headline("grid starts", cg * cg);
        report.paragraph("From a " + cg + "×" + cg + " grid of starts over the whole range: gradient descent with "
                + "line search (" + gdSteps + " steps) reaches the global valley from " + gdIn + ", SGD (as above) "
                + "from " + sgdIn + " (`compare.csv`). This is the measured form of fig. 6.5's point: the end of "
                + "gradient descent is fixed by its start, SGD's noise lets some runs leave a wrong valley. Starts "
                + "far from φ0 ≈ 0 stay in their valleys with either method here.");
        files.addAll(PlanePlot.saveGrid(List.of(surface, paths, stochastic), 3, 620, 600, out, "gabor"));
        report.figure("gabor.png", "loss surface, GD paths, SGD paths");
        files.add(report.write(out));
        return new LabResult(name(), report.headline(), files);
    }
}
