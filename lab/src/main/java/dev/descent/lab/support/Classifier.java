package dev.descent.lab.support;

import dev.descent.autograd.NoGrad;
import dev.descent.autograd.Variable;
import dev.descent.core.Generator;
import dev.descent.core.Scope;
import dev.descent.core.Tensor;
import dev.descent.nn.Linear;
import dev.descent.nn.Module;
import dev.descent.nn.Sequential;
import dev.descent.nn.activation.ReLU;
import dev.descent.nn.loss.CrossEntropyLoss;
import dev.descent.optim.Optimizer;
import dev.descent.optim.schedule.LrScheduler;
import dev.descent.train.TrainingStep;
import dev.descent.train.data.Batch;
import dev.descent.train.data.DataLoader;
import dev.descent.train.data.Dataset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * A ReLU MLP classifier (float32) on a training set from train's data package, trained with
 * train's {@link DataLoader} (a fresh permutation each epoch, the last batch smaller; seed 000).
 * The loss is the mean cross-entropy over the whole training set; the accuracy is measured on
 * the held-out test set. The data sets belong to the caller.
 */
public final class Classifier implements AutoCloseable {
    private final Sequential model;
    private final Dataset train;
    private final Dataset test;
    private final CrossEntropyLoss ce = new CrossEntropyLoss();

    /** The trained curve: training loss before training and after each epoch, and the final test accuracy. */
    public record Curve(double[] losses, double accuracy) {
    }

    public Classifier(Dataset train, Dataset test, int hiddenLayers, int width, long seed) {
        this.train = train;
        this.test = test;
        Generator gen = new Generator(seed);
        List<Module> layers = new ArrayList<>();
        int in = train.featureCount();
        for (int l = 0; l < hiddenLayers; l++) {
            layers.add(new Linear(in, width, gen));
            layers.add(new ReLU());
            in = width;
        }
        layers.add(new Linear(in, train.classes(), gen));
        model = new Sequential(layers.toArray(Module[]::new));
    }

    public Sequential model() {
        return model;
    }

    /** The mean cross-entropy over the whole training set. */
    public double loss() {
        try (Scope ignored = Scope.open(); NoGrad off = NoGrad.open()) {
            return ce.apply(model.forward(Variable.of(train.features())), train.targets()).item();
        }
    }

    /** The training loss with some parameters replaced (for loss-landscape slices). */
    public double lossWith(Map<String, Variable> params) {
        try (Scope ignored = Scope.open(); NoGrad off = NoGrad.open()) {
            return ce.apply(model.forwardWith(params, Variable.of(train.features())), train.targets()).item();
        }
    }

    /** The fraction of the test set classified right. */
    public double accuracy() {
        return accuracy(model, test);
    }

    /** The fraction of {@code data} that {@code model} classifies right. */
    public static double accuracy(Module model, Dataset data) {
        try (Scope ignored = Scope.open(); NoGrad off = NoGrad.open()) {
            int[] pred = model.forward(Variable.of(data.features())).data().argmax(1, false).toIntArray();
            int[] labels = data.targets().toIntArray();
            int right = 0;
            for (int i = 0; i < pred.length; i++) {
                right += pred[i] == labels[i] ? 1 : 0;
            }
            return (double) right / pred.length;
        }
    }

    /** {@link #train(Function, Function, int, int, long, int)} from epoch 0. */
    public Curve train(Function<List<Variable>, Optimizer> optimizer, Function<Optimizer, LrScheduler> scheduler,
            int batch, int epochs, long seed) {
        return train(optimizer, scheduler, batch, epochs, seed, 0);
    }

    /**
     * Trains for {@code epochs} with batches of {@code batch} (the batch order of epoch e is the
     * loader's for {@code seed} and {@code firstEpoch + e}); {@code scheduler} (may be null) is
     * stepped after every optimiser step ({@link TrainingStep}: a batch whose loss is not finite
     * updates nothing). Stops early when the loss is not finite.
     */
    public Curve train(Function<List<Variable>, Optimizer> optimizer, Function<Optimizer, LrScheduler> scheduler,
            int batch, int epochs, long seed, int firstEpoch) {
        DataLoader loader = new DataLoader(train, Math.min(batch, train.size()), seed);
        List<Double> losses = new ArrayList<>();
        losses.add(loss());
        try (Optimizer opt = optimizer.apply(model.parameters())) {
            LrScheduler sched = scheduler == null ? null : scheduler.apply(opt);
            TrainingStep step = TrainingStep.of(model, ce, opt);
            for (int e = 0; e < epochs; e++) {
                for (Batch b : loader.epoch(firstEpoch + e)) {
                    try (b) {
                        step.run(b.features(), b.targets());
                    }
                    if (sched != null) {
                        sched.step();
                    }
                }
                double l = loss();
                losses.add(l);
                if (!Double.isFinite(l)) {
                    break;
                }
            }
            opt.zeroGrad();
        }
        return new Curve(losses.stream().mapToDouble(Double::doubleValue).toArray(), accuracy());
    }

    @Override
    public void close() {
        model.close();
    }
}
