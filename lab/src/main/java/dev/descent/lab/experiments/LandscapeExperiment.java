package dev.descent.lab.experiments;

import dev.descent.autograd.Variable;
import dev.descent.core.Generator;
import dev.descent.core.Scope;
import dev.descent.core.Tensor;
import dev.descent.lab.Experiment;
import dev.descent.lab.Format;
import dev.descent.lab.LabResult;
import dev.descent.lab.Option;
import dev.descent.lab.Options;
import dev.descent.lab.support.Classifier;
import dev.descent.lab.support.Csv;
import dev.descent.lab.support.LabData;
import dev.descent.lab.support.PlanePlot;
import dev.descent.lab.support.Report;
import dev.descent.optim.Adam;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A 2-D slice of a trained MLP's loss, L(θ* + α·δ + β·η), along two random directions
 * normalised filter by filter (Li et al., "Visualizing the Loss Landscape of Neural Nets", cited in
 * seed 002): each row (one output unit's weights) of a random Gaussian direction is rescaled to
 * the norm of the same row of θ*; bias directions are zero, as in the paper. The MLP is trained on
 * a subset of Fashion-MNIST when present, else on the built-in two spirals ({@link LabData}).
 */
public final class LandscapeExperiment implements Experiment {

    @Override
    public String name() {
        return "landscape";
    }

    @Override
    public String description() {
        return "loss of a trained MLP on a 2-D slice along filter-normalised random directions (Li et al., seed 002)";
    }

    @Override
    public List<Option> options() {
        return List.of(new Option("seed", "1", "seed of data, weights and directions"),
                LabData.option(),
                new Option("examples", "10000", "training examples (a random subset of Fashion-MNIST's 60000); "
                        + "the slice is the loss over them"),
                new Option("test-examples", "2000", "test examples for the accuracy"),
                new Option("hidden", "1", "hidden layers"),
                new Option("width", "32", "hidden width"),
                new Option("epochs", "10", "Adam epochs (batch 32) before slicing"),
                new Option("lr", "0.003", "Adam's learning rate"),
                new Option("span", "1", "the slice covers α, β in [−span, span]"),
                new Option("grid", "51", "samples per axis"));
    }

    /**
     * A random direction for {@code params}, normalised filter by filter: every row of a matrix
     * parameter gets the norm of the same row of the parameter; vectors (biases) get zero.
     */
    public static Map<String, double[]> filterNormalisedDirection(Map<String, Variable> params, Generator gen) {
        Map<String, double[]> out = new LinkedHashMap<>();
        for (Map.Entry<String, Variable> e : params.entrySet()) {
            double[] w = e.getValue().data().toDoubleArray();
            double[] d = new double[w.length];
            if (e.getValue().rank() >= 2) {
                int rows = e.getValue().size(0);
                int cols = w.length / rows;
                double[] g = gen.normal(w.length, 0, 1);
                for (int r = 0; r < rows; r++) {
                    double nw = 0;
                    double nd = 0;
                    for (int c = 0; c < cols; c++) {
                        nw += w[r * cols + c] * w[r * cols + c];
                        nd += g[r * cols + c] * g[r * cols + c];
                    }
                    double scale = nd > 0 ? Math.sqrt(nw / nd) : 0;
                    for (int c = 0; c < cols; c++) {
                        d[r * cols + c] = g[r * cols + c] * scale;
                    }
                }
            }
            out.put(e.getKey(), d);
        }
        return out;
    }

    /** L(θ* + a·d1 + b·d2) on a grid over [−span, span]²: z[j][i] at a_i, b_j. */
    public static double[][] slice(Classifier mlp, Map<String, double[]> d1, Map<String, double[]> d2, double span,
            int n) {
        Map<String, Variable> params = mlp.model().namedParameters();
        Map<String, double[]> base = new LinkedHashMap<>();
        params.forEach((k, v) -> base.put(k, v.data().toDoubleArray()));
        double[][] z = new double[n][n];
        for (int j = 0; j < n; j++) {
            double b = -span + 2 * span * j / (n - 1);
            for (int i = 0; i < n; i++) {
                double a = -span + 2 * span * i / (n - 1);
                try (Scope ignored = Scope.open()) {
                    Map<String, Variable> moved = new LinkedHashMap<>();
                    for (Map.Entry<String, Variable> e : params.entrySet()) {
                        double[] w = base.get(e.getKey());
                        double[] u = d1.get(e.getKey());
                        double[] v = d2.get(e.getKey());
                        double[] m = new double[w.length];
                        for (int k = 0; k < m.length; k++) {
                            m[k] = w[k] + a * u[k] + b * v[k];
                        }
                        moved.put(e.getKey(), Variable.of(Tensor.of(e.getValue().device(), e.getValue().dtype(), m,
                                e.getValue().shape().dims())));
                    }
                    z[j][i] = mlp.lossWith(moved);
                }
            }
        }
        return z;
    }

    @Override
    public LabResult run(Options o, Path out) throws IOException {
        long seed = o.longInteger("seed", 0);
        try (LabData.Loaded data = LabData.load(o, o.integer("examples", 2), o.integer("test-examples", 1), seed)) {
            return run(o, out, seed, data);
        }
    }

    private LabResult run(Options o, Path out, long seed, LabData.Loaded data) throws IOException {
        double span = o.positive("span");
        double lr = o.positive("lr");
        int n = o.integer("grid", 3);
        Report report = new Report("Loss landscape of a trained MLP (Li et al., cited in seed 002)", o.values());
        List<Path> files = new ArrayList<>();
        try (Classifier mlp = new Classifier(data.train(), data.test(), o.integer("hidden", 1), o.integer("width", 1),
                seed)) {
            Classifier.Curve c = mlp.train(p -> new Adam(p, lr), null, 32, o.integer("epochs", 0), seed);
            Generator gen = new Generator(seed + 17);
            Map<String, Variable> params = mlp.model().namedParameters();
            Map<String, double[]> d1 = filterNormalisedDirection(params, gen);
            Map<String, double[]> d2 = filterNormalisedDirection(params, gen);
            double[][] z = slice(mlp, d1, d2, span, n);
            double trained = mlp.loss();
            double max = Double.NEGATIVE_INFINITY;
            double min = Double.POSITIVE_INFINITY;
            try (Csv csv = new Csv(out.resolve("slice.csv"), "alpha", "beta", "loss")) {
                for (int j = 0; j < n; j++) {
                    for (int i = 0; i < n; i++) {
                        csv.row(-span + 2 * span * i / (n - 1), -span + 2 * span * j / (n - 1), z[j][i]);
                        max = Math.max(max, z[j][i]);
                        min = Math.min(min, z[j][i]);
                    }
                }
            }
            files.add(out.resolve("slice.csv"));
            PlanePlot plot = new PlanePlot("loss along two filter-normalised directions (log scale, 20 bands)", "α",
                    "β", -span, span, -span, span).heat(z, true, 20);
            plot.mark(0, 0, Color.WHITE, "trained weights θ*", PlanePlot.Mark.CIRCLE);
            files.addAll(plot.save(out, "landscape"));
            report.headline("trained loss", trained).headline("test accuracy", c.accuracy())
                    .headline("slice minimum", min).headline("slice maximum", max)
                    .headline("loss at the centre of the slice", z[n / 2][n / 2]);
            report.paragraph("Data: " + data.description() + ". A ReLU MLP trained with Descent's Adam (lr "
                    + Format.number(lr) + ", batch 32) to training loss " + Format.number(trained) + " (test accuracy "
                    + Format.number(c.accuracy()) + "). The slice of the training loss L(θ* + αδ + βη) over [−" + Format.number(span) + ", " + Format.number(span)
                    + "]², " + n + "² points, δ and η Gaussian with each weight row rescaled to the norm of that row "
                    + "of θ* and zero for biases (Li et al.). Lowest loss on the slice " + Format.number(min)
                    + ", highest " + Format.number(max) + ".");
            report.figure("landscape.png", "landscape");
        }
        files.add(report.write(out));
        return new LabResult(name(), report.headline(), files);
    }
}
