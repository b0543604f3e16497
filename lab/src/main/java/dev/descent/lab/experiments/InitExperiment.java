package dev.descent.lab.experiments;

import dev.descent.autograd.NoGrad;
import dev.descent.autograd.Variable;
import dev.descent.core.DType;
import dev.descent.core.Generator;
import dev.descent.core.Scope;
import dev.descent.core.Tensor;
import dev.descent.lab.Experiment;
import dev.descent.lab.Format;
import dev.descent.lab.LabResult;
import dev.descent.lab.Option;
import dev.descent.lab.Options;
import dev.descent.lab.support.Csv;
import dev.descent.lab.support.Classifier;
import dev.descent.lab.support.Figures;
import dev.descent.lab.support.LabData;
import dev.descent.lab.support.Report;
import dev.descent.nn.Linear;
import dev.descent.nn.Module;
import dev.descent.nn.Sequential;
import dev.descent.nn.activation.ReLU;
import dev.descent.nn.activation.Tanh;
import dev.descent.nn.loss.CrossEntropyLoss;
import dev.descent.optim.DivergenceDetector;
import dev.descent.optim.SGD;
import dev.descent.train.TrainingStep;
import dev.descent.train.data.DataSplit;
import dev.descent.train.data.Dataset;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.knowm.xchart.XYChart;

/**
 * Initialisation (seed 001): the variance of the pre-activations layer by layer through a deep
 * MLP under zero, too-small, too-large, Xavier N(0, 1/n) and He N(0, 2/n) weights (zero biases),
 * for tanh and ReLU; and what each does to training a ReLU MLP with Descent's SGD (momentum 0.9)
 * on a subset of Fashion-MNIST when present, else on the built-in two spirals ({@link LabData}).
 */
public final class InitExperiment implements Experiment {

    /** The result of one training run: the loss after each step, the final accuracy, and where it diverged. */
    public record Training(double[] losses, double accuracy, int divergedAt) {
    }

    @Override
    public String name() {
        return "init";
    }

    @Override
    public String description() {
        return "activation variance through a deep MLP under zero, small, large, Xavier, He init, and training (seed 001)";
    }

    @Override
    public List<Option> options() {
        return List.of(new Option("seed", "1", "seed of weights, inputs and data"),
                new Option("depth", "10", "layers of the variance probe"),
                new Option("width", "256", "width of the variance probe"),
                new Option("batch", "512", "inputs ~ N(0, 1) pushed through the probe"),
                new Option("small", "0.01", "σ of the too-small initialisation"),
                new Option("large", "1", "σ of the too-large initialisation"),
                new Option("train-depth", "6", "hidden layers of the trained MLP"),
                new Option("train-width", "64", "width of the trained MLP"),
                LabData.option(),
                new Option("examples", "2000", "training examples (a random subset of Fashion-MNIST's 60000)"),
                new Option("test-examples", "2000", "test examples for the accuracy"),
                new Option("lr", "0.01", "SGD learning rate (momentum 0.9, full batch)"),
                new Option("steps", "300", "training steps"));
    }

    static Module activation(String name) {
        return switch (name) {
            case "tanh" -> new Tanh();
            case "relu" -> new ReLU();
            default -> throw new IllegalArgumentException("activation '" + name + "': expected tanh or relu");
        };
    }

    /** Var(z_l) of the pre-activations of layers 1..depth (float64) for inputs ~ N(0, 1). */
    public static double[] variances(InitScheme scheme, String act, int depth, int width, int batch, long seed,
            double small, double large) {
        Generator gen = new Generator(seed);
        double[] out = new double[depth];
        try (Scope ignored = Scope.open(); NoGrad off = NoGrad.open()) {
            Variable h = Variable.of(Tensor.randn(gen, DType.FLOAT64, batch, width));
            Module f = activation(act);
            for (int l = 0; l < depth; l++) {
                try (Linear layer = new Linear(width, width, true, DType.FLOAT64, gen)) {
                    scheme.apply(layer, gen, small, large);
                    Variable z = layer.forward(h);
                    double mean = z.data().mean().item();
                    out[l] = z.data().square().mean().item() - mean * mean;
                    h = f.forward(z);
                }
            }
        }
        return out;
    }

    /**
     * Trains a ReLU MLP (features → width^depth → classes) on {@code data}'s training set from
     * {@code scheme}; full batch, float32. The accuracy is on the test set.
     */
    public static Training train(InitScheme scheme, DataSplit data, int depth, int width, double lr, int steps,
            long seed, double small, double large) {
        Dataset trainSet = data.train();
        Generator gen = new Generator(seed);
        List<Module> layers = new ArrayList<>();
        List<Linear> linears = new ArrayList<>();
        int in = trainSet.featureCount();
        for (int l = 0; l < depth; l++) {
            Linear lin = new Linear(in, width, gen);
            linears.add(lin);
            layers.add(lin);
            layers.add(new ReLU());
            in = width;
        }
        Linear head = new Linear(in, trainSet.classes(), gen);
        linears.add(head);
        layers.add(head);
        for (Linear lin : linears) {
            scheme.apply(lin, gen, small, large);
        }
        CrossEntropyLoss ce = new CrossEntropyLoss();
        DivergenceDetector detector = new DivergenceDetector();
        List<Double> losses = new ArrayList<>();
        int diverged = -1;
        double accuracy;
        Tensor x = trainSet.features();
        Tensor y = trainSet.targets();
        try (Sequential model = new Sequential(layers.toArray(Module[]::new));
             SGD opt = new SGD(model.parameters(), lr, 0.9)) {
            TrainingStep step = TrainingStep.of(model, ce, opt).divergesWhen(detector::observe);
            for (int k = 0; k < steps; k++) {
                TrainingStep.Result r = step.run(x, y);
                losses.add(r.loss());
                if (!r.updated()) {   // the diverged step is not taken
                    diverged = k;
                    break;
                }
            }
            accuracy = Classifier.accuracy(model, data.test());
        }
        return new Training(losses.stream().mapToDouble(Double::doubleValue).toArray(), accuracy, diverged);
    }

    @Override
    public LabResult run(Options o, Path out) throws IOException {
        long seed = o.longInteger("seed", 0);
        int depth = o.integer("depth", 1);
        int width = o.integer("width", 1);
        int batch = o.integer("batch", 2);
        double small = o.positive("small");
        double large = o.positive("large");
        Report report = new Report("Initialisation (seed 001)", o.values());
        List<Path> files = new ArrayList<>();
        List<List<String>> varRows = new ArrayList<>();
        try (Csv csv = new Csv(out.resolve("variances.csv"), "activation", "init", "layer", "variance")) {
            for (String act : List.of("tanh", "relu")) {
                XYChart chart = Figures.chart("Var(z_l) through " + depth + " " + act + " layers of width " + width
                        + " (0 drawn at 1e-30)", "layer l", "log10 Var(z_l)");
                for (InitScheme s : InitScheme.values()) {
                    double[] v = variances(s, act, depth, width, batch, seed, small, large);
                    for (int l = 0; l < depth; l++) {
                        csv.row(act, s.label(), l + 1, v[l]);
                    }
                    double[] layersAxis = new double[depth];
                    for (int l = 0; l < depth; l++) {
                        layersAxis[l] = l + 1;
                    }
                    Figures.line(chart, s.label(), layersAxis, Figures.log10(v, 1e-30));
                    varRows.add(List.of(act, s.label(), Format.number(v[0]), Format.number(v[depth - 1])));
                    report.headline("Var(z_" + depth + ") " + act + " " + s.label(), v[depth - 1]);
                }
                files.addAll(Figures.save(chart, out, "variance-" + act));
            }
        }
        files.add(out.resolve("variances.csv"));
        report.paragraph("Inputs ~ N(0, 1) of width " + width + " through " + depth + " float64 layers, zero biases; "
                + "small σ = " + Format.number(small) + ", large σ = " + Format.number(large) + ". With weights of "
                + "variance v, Var(z_{l+1}) ≈ n·v·E[f(z_l)²]: Xavier (v = 1/n) keeps it through a linear layer, "
                + "while tanh (|tanh z| < |z|) still loses some at every layer; He (v = 2/n) keeps it for ReLU "
                + "(which halves E[f(z)²]); the others shrink or grow it geometrically, and zero weights give "
                + "exactly zero.");
        report.table(List.of("activation", "init", "Var(z_1)", "Var(z_" + depth + ")"), varRows);
        report.figure("variance-tanh.png", "tanh").figure("variance-relu.png", "relu");

        try (LabData.Loaded data = LabData.load(o, o.integer("examples", 2), o.integer("test-examples", 1), seed)) {
            train(o, out, seed, data, report, files, small, large);
        }
        files.add(report.write(out));
        return new LabResult(name(), report.headline(), files);
    }

    private void train(Options o, Path out, long seed, LabData.Loaded data, Report report, List<Path> files,
            double small, double large) throws IOException {
        int tDepth = o.integer("train-depth", 1);
        int tWidth = o.integer("train-width", 1);
        double lr = o.positive("lr");
        int steps = o.integer("steps", 1);
        XYChart curves = Figures.chart("training loss, ReLU MLP " + tDepth + "×" + tWidth + (data.fashionMnist() ? " on Fashion-MNIST"
                : " on the spirals"),
                "step", "log10 cross-entropy (capped at 1e30)");
        List<List<String>> trainRows = new ArrayList<>();
        try (Csv csv = new Csv(out.resolve("training.csv"), "init", "step", "loss")) {
            for (InitScheme s : InitScheme.values()) {
                Training t = train(s, data.split(), tDepth, tWidth, lr, steps, seed, small, large);
                for (int k = 0; k < t.losses().length; k++) {
                    csv.row(s.label(), k, t.losses()[k]);
                }
                double[] shown = Figures.log10(java.util.Arrays.stream(t.losses())
                        .map(v -> Double.isFinite(v) ? Math.min(v, 1e30) : 1e30).toArray(), 1e-6);
                Figures.curve(curves, s.label(), Figures.steps(shown.length), shown);
                double last = t.losses()[t.losses().length - 1];
                trainRows.add(List.of(s.label(), Format.number(last), String.format(Locale.ROOT, "%.1f%%",
                        100 * t.accuracy()), t.divergedAt() >= 0 ? "at step " + t.divergedAt() : "no"));
                report.headline("final loss " + s.label(), last).headline("accuracy " + s.label(), t.accuracy());
            }
        }
        files.add(out.resolve("training.csv"));
        files.addAll(Figures.save(curves, out, "training"));
        int classes = data.train().classes();
        report.paragraph("Data: " + data.description() + ". A ReLU MLP with " + tDepth + " hidden layers of " + tWidth + ", Descent's SGD (lr "
                + Format.number(lr) + ", momentum 0.9, full batch, float32), " + steps + " steps, the same data and "
                + "seed for every initialisation; chance accuracy is " + String.format(Locale.ROOT, "%.1f%%",
                100.0 / classes) + " and the loss at chance ln " + classes + " = "
                + Format.number(Math.log(classes)) + ". The loss is the training set's, the accuracy the test "
                + "set's. DivergenceDetector stops a run whose loss runs away.");
        report.table(List.of("init", "final training loss", "test accuracy", "diverged"), trainRows);
        report.figure("training.png", "training");
    }
}
