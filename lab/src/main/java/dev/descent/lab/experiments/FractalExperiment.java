package dev.descent.lab.experiments;

import dev.descent.lab.Experiment;
import dev.descent.lab.Format;
import dev.descent.lab.LabResult;
import dev.descent.lab.Option;
import dev.descent.lab.Options;
import dev.descent.lab.support.Csv;
import dev.descent.lab.support.PlanePlot;
import dev.descent.lab.support.Report;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * SGD and fractals (seed 000, figs. 1-6 to 1-10): the (w1, w2) points that SGD visits on the
 * three-point problem ({@link ThreePointProblem}) for α = 0.65 (4·10⁵ iterations), a panel over
 * α from 0.65 to 1.0, a zoom, and the structureless clouds around x* = (2, 4/3) for small α.
 * Every run is Descent's SGD with autograd, except the zoom's 10⁷ steps, which use the same
 * iteration written out on the host (checked against Descent by the tests).
 */
public final class FractalExperiment implements Experiment {
    private static final double[] START = {1, 1};
    private static final int BURN_IN = 100;

    @Override
    public String name() {
        return "fractal";
    }

    @Override
    public String description() {
        return "the SGD fractal of the three-point problem: α = 0.65, a panel to α = 1, zoom, small-α clouds (seed 000)";
    }

    @Override
    public List<Option> options() {
        return List.of(new Option("seed", "1", "seed of the random choice of example"),
                new Option("alpha", "0.65", "learning rate of fig. 1-6"),
                new Option("iterations", "400000", "iterations of fig. 1-6"),
                new Option("panel-alphas", "0.65,0.7,0.75,0.8,0.85,0.9,0.95,1", "learning rates of fig. 1-8"),
                new Option("panel-iterations", "100000", "iterations per panel"),
                new Option("zoom", "0.9,1.5,0.2,0.8", "zoomed window w1from,w1to,w2from,w2to (fig. 1-7)"),
                new Option("zoom-iterations", "10000000", "iterations of the zoom (fig. 1-7 uses 10⁷)"),
                new Option("small-alphas", "0.3,0.1,0.03,0.0005", "learning rates of the clouds (figs. 1-9, 1-10)"),
                new Option("small-iterations", "100000", "iterations per cloud"));
    }

    private static PlanePlot cloud(String title, double[][] pts, double x0, double x1, double y0, double y1) {
        PlanePlot p = new PlanePlot(title, "w1", "w2", x0, x1, y0, y1).density(pts[0], pts[1], 500);
        return p;
    }

    private static void triangle(PlanePlot p) {
        p.path(new double[] {0, 4, 2, 0}, new double[] {0, 0, 4, 0}, new Color(200, 0, 0), "");
        p.mark(ThreePointProblem.MINIMUM[0], ThreePointProblem.MINIMUM[1], Color.ORANGE, "x* = (2, 4/3)",
                PlanePlot.Mark.DIAMOND);
    }

    @Override
    public LabResult run(Options o, Path out) throws IOException {
        long seed = o.longInteger("seed", 0);
        double alpha = o.positive("alpha");
        int n = o.integer("iterations", BURN_IN + 1);
        Report report = new Report("SGD and fractals (seed 000, figs. 1-6 to 1-10)", o.values());
        List<Path> files = new ArrayList<>();

        double[][] main = ThreePointProblem.descent(alpha, n, seed, START);
        try (Csv csv = new Csv(out.resolve("points.csv"), "k", "w1", "w2")) {
            for (int k = 0; k < n; k++) {
                csv.row(k, main[0][k], main[1][k]);
            }
        }
        files.add(out.resolve("points.csv"));
        double inside = ThreePointProblem.fractionInside(main, BURN_IN, 1e-9);
        double[] mean = ThreePointProblem.mean(main, BURN_IN);
        report.headline("fraction inside the triangle (α = " + Format.number(alpha) + ")", inside)
                .headline("mean w1 (α = " + Format.number(alpha) + ")", mean[0])
                .headline("mean w2 (α = " + Format.number(alpha) + ")", mean[1]);
        PlanePlot fig6 = cloud("SGD, α = " + Format.number(alpha) + ", " + n + " iterations (fig. 1-6)", main,
                -0.2, 4.2, -0.2, 4.2);
        triangle(fig6);
        double[] zoom = o.numbers("zoom");
        if (zoom.length != 4 || !(zoom[1] > zoom[0]) || !(zoom[3] > zoom[2])) {
            throw new IllegalArgumentException("option --zoom of experiment 'fractal': expected w1from,w1to,w2from,w2to "
                    + "with from < to, got '" + o.string("zoom") + "'");
        }
        fig6.path(new double[] {zoom[0], zoom[1], zoom[1], zoom[0], zoom[0]},
                new double[] {zoom[2], zoom[2], zoom[3], zoom[3], zoom[2]}, Color.BLACK, "zoomed window");
        int zn = o.integer("zoom-iterations", BURN_IN + 1);
        double[][] zpts = ThreePointProblem.host(alpha, zn, seed, START);
        PlanePlot fig7 = cloud("zoom, " + zn + " iterations (fig. 1-7)", zpts, zoom[0], zoom[1], zoom[2], zoom[3]);
        files.addAll(PlanePlot.saveGrid(List.of(fig6, fig7), 2, 640, 640, out, "fractal"));

        List<PlanePlot> panel = new ArrayList<>();
        List<List<String>> rows = new ArrayList<>();
        int pn = o.integer("panel-iterations", BURN_IN + 1);
        for (double a : o.numbers("panel-alphas")) {
            double[][] pts = ThreePointProblem.descent(a, pn, seed, START);
            PlanePlot p = cloud("α = " + Format.number(a), pts, -1, 5, -1, 5);
            triangle(p);
            panel.add(p);
            double[] m = ThreePointProblem.mean(pts, BURN_IN);
            double in = ThreePointProblem.fractionInside(pts, BURN_IN, 1e-9);
            rows.add(List.of(Format.number(a), Format.number(in), Format.number(m[0]), Format.number(m[1]),
                    Format.number(ThreePointProblem.radius(pts, BURN_IN))));
        }
        files.addAll(PlanePlot.saveGrid(panel, 4, 420, 420, out, "panel"));

        List<PlanePlot> small = new ArrayList<>();
        List<List<String>> smallRows = new ArrayList<>();
        int sn = o.integer("small-iterations", 2 * BURN_IN);
        for (double a : o.numbers("small-alphas")) {
            double[][] pts = ThreePointProblem.descent(a, sn, seed, START);
            int from = sn / 2;
            double[] m = ThreePointProblem.mean(pts, from);
            double r = ThreePointProblem.radius(pts, from);
            double half = Math.max(1.2 * r, 1e-3);
            PlanePlot p = cloud("α = " + Format.number(a) + " (second half of " + sn + " iterations)", pts,
                    2 - half, 2 + half, 4.0 / 3 - half, 4.0 / 3 + half);
            p.mark(ThreePointProblem.MINIMUM[0], ThreePointProblem.MINIMUM[1], Color.ORANGE, "x* = (2, 4/3)",
                    PlanePlot.Mark.DIAMOND);
            small.add(p);
            double dist = Math.hypot(m[0] - 2, m[1] - 4.0 / 3);
            smallRows.add(List.of(Format.number(a), Format.number(m[0]), Format.number(m[1]), Format.number(dist),
                    Format.number(r)));
            report.headline("cloud mean distance to x* (α = " + Format.number(a) + ")", dist);
            report.headline("cloud radius (α = " + Format.number(a) + ")", r);
        }
        files.addAll(PlanePlot.saveGrid(small, 2, 520, 520, out, "small-alpha"));

        report.paragraph("X = [[0, 1], [1, ½], [1, −½]], Y = (0, 4, 0); each step takes one example at random and "
                + "updates w ← w − α ∂l_i/∂w with Descent's `SGD` (float64, autograd). The minimum of L is x* = "
                + "(2, 4/3), the centroid of the triangle (0, 0), (4, 0), (2, 4) bounded by the lines w·x_i = y_i. "
                + "For α = " + Format.number(alpha) + ", " + Format.number(inside * 100) + "% of the points (after "
                + BURN_IN + " steps) lie inside the triangle. A step multiplies the residual of its example by "
                + "1 − α|x_i|² (|x_1|² = 1, |x_2|² = |x_3|² = 5/4): for α ≤ 0.8 no step crosses its line, so the "
                + "triangle is invariant; above 0.8 steps overshoot the two slanted lines and points leave it.");
        report.figure("fractal.png", "fractal and zoom");
        report.paragraph("The panel over α (fig. 1-8), " + pn + " iterations each:");
        report.table(List.of("α", "fraction inside", "mean w1", "mean w2", "max distance from x*"), rows);
        report.figure("panel.png", "panel");
        report.paragraph("Small learning rates (figs. 1-9, 1-10): the structure gives way to a cloud around x* whose "
                + "size shrinks with α; statistics over the second half of each run:");
        report.table(List.of("α", "mean w1", "mean w2", "distance of the mean from x*", "max distance from x*"), smallRows);
        report.figure("small-alpha.png", "small-α clouds");
        report.paragraph("The zoom's " + zn + " steps use the same iteration written out on the host "
                + "(`ThreePointProblem.host`, identical to Descent's run step for step, which the tests check); "
                + "every other run is Descent's.");
        files.add(report.write(out));
        return new LabResult(name(), report.headline(), files);
    }
}
