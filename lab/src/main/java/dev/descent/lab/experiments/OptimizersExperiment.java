package dev.descent.lab.experiments;

import dev.descent.autograd.Variable;
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
import dev.descent.optim.Adadelta;
import dev.descent.optim.Adagrad;
import dev.descent.optim.Adam;
import dev.descent.optim.AdamW;
import dev.descent.optim.Adamax;
import dev.descent.optim.Lion;
import dev.descent.optim.NAdam;
import dev.descent.optim.Optimizer;
import dev.descent.optim.RAdam;
import dev.descent.optim.RMSprop;
import dev.descent.optim.SGD;
import dev.descent.optim.SignDescent;
import dev.descent.optim.Swats;
import dev.descent.optim.Yogi;
import dev.descent.optim.schedule.LrScheduler;
import dev.descent.optim.schedule.Schedule;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.BiFunction;
import org.knowm.xchart.XYChart;

/**
 * Learning curves of every Descent optimiser on the same MLP and data (a subset of Fashion-MNIST
 * when present, else the built-in two spirals; see {@link LabData}), with a constant learning rate and with linear warm-up followed
 * by cosine decay (seed 003 notes on warm-up; seed 001's schedules).
 */
public final class OptimizersExperiment implements Experiment {

    /** One optimiser: its key, its default lr, and how to make it. */
    public record Entry(String key, String lr, BiFunction<List<Variable>, Double, Optimizer> make) {
    }

    public static final List<Entry> ENTRIES = List.of(
            new Entry("sgd", "0.1", (p, lr) -> new SGD(p, lr, 0)),
            new Entry("momentum", "0.05", (p, lr) -> new SGD(p, lr, 0.9)),
            new Entry("nesterov", "0.05", (p, lr) -> new SGD(p, lr, 0.9).set("nesterov", true)),
            new Entry("adagrad", "0.05", Adagrad::new),
            new Entry("rmsprop", "0.003", RMSprop::new),
            new Entry("adadelta", "1", (p, lr) -> new Adadelta(p).set("lr", lr)),
            new Entry("adam", "0.01", Adam::new),
            new Entry("adamw", "0.01", (p, lr) -> new AdamW(p, lr, 1e-2)),
            new Entry("adamax", "0.02", (p, lr) -> new Adamax(p).set("lr", lr)),
            new Entry("nadam", "0.01", (p, lr) -> new NAdam(p).set("lr", lr)),
            new Entry("radam", "0.01", (p, lr) -> new RAdam(p).set("lr", lr)),
            new Entry("yogi", "0.01", (p, lr) -> new Yogi(p).set("lr", lr)),
            new Entry("lion", "0.001", (p, lr) -> new Lion(p).set("lr", lr)),
            new Entry("sign", "0.001", (p, lr) -> new SignDescent(p, lr, 0)),
            new Entry("swats", "0.01", Swats::new));

    @Override
    public String name() {
        return "optimizers";
    }

    @Override
    public String description() {
        return "learning curves of every optimiser on one MLP (Fashion-MNIST or a built-in set), with and without warm-up + cosine";
    }

    @Override
    public List<Option> options() {
        List<Option> o = new ArrayList<>(List.of(new Option("seed", "1", "seed of data, weights and batches"),
                LabData.option(),
                new Option("examples", "5000", "training examples (a random subset of Fashion-MNIST's 60000)"),
                new Option("test-examples", "2000", "test examples for the accuracy"),
                new Option("hidden", "1", "hidden layers"),
                new Option("width", "32", "hidden width"),
                new Option("batch", "32", "batch size"),
                new Option("epochs", "12", "epochs"),
                new Option("warmup-epochs", "5", "epochs of linear warm-up in the scheduled runs")));
        for (Entry e : ENTRIES) {
            o.add(new Option("lr-" + e.key(), e.lr(), "learning rate of " + e.key()));
        }
        return o;
    }

    @Override
    public LabResult run(Options o, Path out) throws IOException {
        long seed = o.longInteger("seed", 0);
        try (LabData.Loaded data = LabData.load(o, o.integer("examples", 2), o.integer("test-examples", 1), seed)) {
            return run(o, out, seed, data);
        }
    }

    private LabResult run(Options o, Path out, long seed, LabData.Loaded data) throws IOException {
        int hidden = o.integer("hidden", 1);
        int width = o.integer("width", 1);
        int batch = o.integer("batch", 1);
        int epochs = o.integer("epochs", 1);
        int warm = o.integer("warmup-epochs", 0);
        long stepsPerEpoch = (data.train().size() + batch - 1) / batch;
        long total = stepsPerEpoch * epochs;
        long warmSteps = Math.min(total - 1, Math.max(1, stepsPerEpoch * warm));
        Report report = new Report("Every optimiser on one MLP", o.values());
        List<Path> files = new ArrayList<>();
        XYChart constant = Figures.chart("constant learning rate", "epoch", "log10 training loss");
        XYChart scheduled = Figures.chart("warm-up " + warm + " epochs, then cosine to 1%", "epoch",
                "log10 training loss");
        List<List<String>> rows = new ArrayList<>();
        try (Csv csv = new Csv(out.resolve("curves.csv"), "optimizer", "schedule", "epoch", "loss")) {
            for (Entry e : ENTRIES) {
                double lr = o.positive("lr-" + e.key());
                String[] cells = new String[4];
                for (boolean withSchedule : new boolean[] {false, true}) {
                    Classifier.Curve c;
                    try (Classifier mlp = new Classifier(data.train(), data.test(), hidden, width, seed)) {
                        c = mlp.train(p -> e.make().apply(p, lr), withSchedule ? opt -> LrScheduler.relative(opt,
                                Schedule.sequence(List.of(Schedule.linearWarmup(0.01, 1, warmSteps),
                                        Schedule.cosine(1, 0.01, total - warmSteps)), warmSteps)) : null,
                                batch, epochs, seed);
                    }
                    for (int k = 0; k < c.losses().length; k++) {
                        csv.row(e.key(), withSchedule ? "warmup-cosine" : "constant", k, c.losses()[k]);
                    }
                    Figures.curve(withSchedule ? scheduled : constant, e.key(), Figures.steps(c.losses().length),
                            Figures.log10(c.losses(), 1e-6));
                    double last = c.losses()[c.losses().length - 1];
                    cells[withSchedule ? 2 : 0] = Format.number(last);
                    cells[withSchedule ? 3 : 1] = String.format(Locale.ROOT, "%.1f%%", 100 * c.accuracy());
                    report.headline("final loss " + e.key() + (withSchedule ? " (scheduled)" : ""), last);
                }
                rows.add(List.of(e.key(), Format.number(lr), cells[0], cells[1], cells[2], cells[3]));
            }
        }
        files.add(out.resolve("curves.csv"));
        files.addAll(Figures.save(constant, out, "curves-constant"));
        files.addAll(Figures.save(scheduled, out, "curves-scheduled"));
        report.paragraph("Data: " + data.description() + ". ReLU MLP " + hidden + "×" + width + ", batches "
                + "of " + batch + ", " + epochs + " epochs, the same initial weights and batch order for every run; the loss "
                + "is the mean cross-entropy over the training set, the accuracy is on the test set. "
                + "Learning rates are the options' (rough per-method choices, not tuned to rank the methods).");
        report.table(List.of("optimizer", "lr", "final training loss", "test accuracy",
                "final training loss (warm-up + cosine)", "test accuracy (warm-up + cosine)"), rows);
        report.figure("curves-constant.png", "constant lr").figure("curves-scheduled.png", "scheduled");
        files.add(report.write(out));
        return new LabResult(name(), report.headline(), files);
    }
}
