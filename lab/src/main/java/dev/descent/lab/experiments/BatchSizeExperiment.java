package dev.descent.lab.experiments;

import dev.descent.lab.Experiment;
import dev.descent.lab.Format;
import dev.descent.lab.LabResult;
import dev.descent.lab.Option;
import dev.descent.lab.Options;
import dev.descent.lab.support.Csv;
import dev.descent.lab.support.Figures;
import dev.descent.lab.support.Classifier;
import dev.descent.lab.support.LabData;
import dev.descent.lab.support.Report;
import dev.descent.optim.SGD;
import dev.descent.train.data.DataSplit;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.knowm.xchart.XYChart;

/**
 * The mini-batch size study of seed 000 (fig. 1-5): for each batch size m, the running time, the
 * final training loss and the test accuracy after a fixed number of epochs with Descent's SGD.
 * Run on Fashion-MNIST's 60000 training images when present (else on 60000 points of the built-in
 * two spirals); a time budget per m stops small batches early, and the epochs actually run are
 * reported.
 */
public final class BatchSizeExperiment implements Experiment {

    /** One m's run. */
    public record Run(int batch, double seconds, int epochs, double loss, double accuracy) {
    }

    @Override
    public String name() {
        return "batch-size";
    }

    @Override
    public String description() {
        return "time vs loss vs accuracy for batch sizes 60000 … 1 on Fashion-MNIST or a built-in set (seed 000 fig. 1-5)";
    }

    @Override
    public List<Option> options() {
        return List.of(new Option("seed", "1", "seed of data, weights and batches"),
                LabData.option(),
                new Option("examples", "60000", "training examples (Fashion-MNIST's 60000; fewer: a random subset)"),
                new Option("test-examples", "10000", "test examples for the accuracy"),
                new Option("batches", "60000,20000,5000,500,50,10,1", "batch sizes m"),
                new Option("epochs", "10", "epochs per m (fig. 1-5: ten)"),
                new Option("budget-seconds", "12", "time budget per m; a run stops at the first epoch end past it"),
                new Option("lr", "0.1", "SGD learning rate"),
                new Option("hidden", "1", "hidden layers"),
                new Option("width", "32", "hidden width"));
    }

    /** Trains one MLP with batches of m, epoch by epoch, until {@code epochs} or the budget is spent. */
    public static Run run(DataSplit data, int m, int epochs, double budgetSeconds, double lr, int hidden, int width,
            long seed) {
        try (Classifier mlp = new Classifier(data.train(), data.test(), hidden, width, seed)) {
            long start = System.nanoTime();
            int done = 0;
            Classifier.Curve c = null;
            // One epoch per call continues the same model; the batch order is the loader's for (seed, epoch).
            while (done < epochs) {
                c = mlp.train(p -> new SGD(p, lr, 0), null, m, 1, seed, done);
                done++;
                if ((System.nanoTime() - start) / 1e9 > budgetSeconds) {
                    break;
                }
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            return new Run(m, seconds, done, c.losses()[c.losses().length - 1], c.accuracy());
        }
    }

    @Override
    public LabResult run(Options o, Path out) throws IOException {
        long seed = o.longInteger("seed", 0);
        int examples = o.integer("examples", 2);
        try (LabData.Loaded data = LabData.load(o, examples, o.integer("test-examples", 2), seed)) {
            return run(o, out, seed, data);
        }
    }

    private LabResult run(Options o, Path out, long seed, LabData.Loaded data) throws IOException {
        double[] ms = o.numbers("batches");
        int epochs = o.integer("epochs", 1);
        double budget = o.positive("budget-seconds");
        double lr = o.positive("lr");
        Report report = new Report("Mini-batch size: time, loss, accuracy (seed 000 fig. 1-5)", o.values());
        List<Path> files = new ArrayList<>();
        List<Run> runs = new ArrayList<>();
        List<List<String>> rows = new ArrayList<>();
        try (Csv csv = new Csv(out.resolve("batch-size.csv"), "m", "seconds", "epochs", "loss", "accuracy")) {
            for (double md : ms) {
                int m = (int) md;
                if (m != md || m < 1) {
                    throw new IllegalArgumentException("option --batches of experiment 'batch-size': expected whole "
                            + "numbers >= 1, got '" + o.string("batches") + "'");
                }
                Run r = run(data.split(), Math.min(m, data.train().size()), epochs, budget, lr, o.integer("hidden", 1),
                        o.integer("width", 1), seed);
                runs.add(r);
                csv.row(m, r.seconds(), r.epochs(), r.loss(), r.accuracy());
                rows.add(List.of(Integer.toString(m), String.format(Locale.ROOT, "%.2f", r.seconds()),
                        Integer.toString(r.epochs()), Format.number(r.loss()),
                        String.format(Locale.ROOT, "%.1f%%", 100 * r.accuracy())));
                report.headline("loss m=" + m, r.loss()).headline("accuracy m=" + m, r.accuracy())
                        .headline("epochs m=" + m, r.epochs());
            }
        }
        files.add(out.resolve("batch-size.csv"));
        XYChart chart = Figures.chart("final loss vs running time (labels: m)", "running time [s]", "final loss");
        double[] t = runs.stream().mapToDouble(Run::seconds).toArray();
        double[] l = runs.stream().mapToDouble(Run::loss).toArray();
        Figures.line(chart, "m = " + runs.stream().map(r -> Integer.toString(r.batch()))
                .reduce((a, b) -> a + ", " + b).orElse(""), t, l);
        files.addAll(Figures.save(chart, out, "batch-size"));
        report.paragraph("Data: " + data.description() + ". A ReLU MLP (" + o.string("hidden") + " × "
                + o.string("width") + "), Descent's SGD with lr " + Format.number(lr) + ", up to " + epochs + " epochs per m, a "
                + "budget of " + Format.number(budget) + " s per m (checked at epoch ends; the epochs column says "
                + "how many ran, so small m may have had fewer epochs than the others). The loss is the mean "
                + "cross-entropy over the training set, the accuracy is on the test set. Times are wall-clock on "
                + "this machine and include the loss evaluation after each epoch.");
        report.table(List.of("m", "seconds", "epochs run", "final training loss", "test accuracy"), rows);
        report.figure("batch-size.png", "loss vs time");
        files.add(report.write(out));
        return new LabResult(name(), report.headline(), files);
    }
}
