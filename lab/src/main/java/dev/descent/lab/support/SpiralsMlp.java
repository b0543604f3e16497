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
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * A ReLU MLP on the built-in {@link Spirals} set (float32), trained with mini-batches drawn
 * without repetition each epoch (seed 000: a fresh permutation, the last batch smaller).
 */
public final class SpiralsMlp implements AutoCloseable {
    private final Sequential model;
    private final Tensor x;
    private final Tensor y;
    private final Spirals data;
    private final CrossEntropyLoss ce = new CrossEntropyLoss();

    /** The trained curve: full-data loss before training and after each epoch, and the final accuracy. */
    public record Curve(double[] losses, double accuracy) {
    }

    public SpiralsMlp(Spirals data, int hiddenLayers, int width, long seed) {
        this.data = data;
        Generator gen = new Generator(seed);
        List<Module> layers = new ArrayList<>();
        int in = 2;
        for (int l = 0; l < hiddenLayers; l++) {
            layers.add(new Linear(in, width, gen));
            layers.add(new ReLU());
            in = width;
        }
        layers.add(new Linear(in, data.classes(), gen));
        model = new Sequential(layers.toArray(Module[]::new));
        float[] f = new float[data.features().length];
        for (int i = 0; i < f.length; i++) {
            f[i] = (float) data.features()[i];
        }
        x = Tensor.of(f, data.size(), 2);
        y = Tensor.of(data.labels(), data.size());
    }

    public Sequential model() {
        return model;
    }

    /** The mean cross-entropy over the whole set. */
    public double loss() {
        try (Scope ignored = Scope.open(); NoGrad off = NoGrad.open()) {
            return ce.apply(model.forward(Variable.of(x)), y).item();
        }
    }

    /** The loss over the whole set with some parameters replaced (for loss-landscape slices). */
    public double lossWith(java.util.Map<String, Variable> params) {
        try (Scope ignored = Scope.open(); NoGrad off = NoGrad.open()) {
            return ce.apply(model.forwardWith(params, Variable.of(x)), y).item();
        }
    }

    public double accuracy() {
        try (Scope ignored = Scope.open(); NoGrad off = NoGrad.open()) {
            int[] pred = model.forward(Variable.of(x)).data().argmax(1, false).toIntArray();
            int right = 0;
            for (int i = 0; i < pred.length; i++) {
                right += pred[i] == data.labels()[i] ? 1 : 0;
            }
            return (double) right / pred.length;
        }
    }

    /**
     * Trains for {@code epochs} with batches of {@code batch}; {@code scheduler} (may be null) is
     * stepped after every optimiser step. Stops early when the loss is not finite.
     */
    public Curve train(Function<List<Variable>, Optimizer> optimizer, Function<Optimizer, LrScheduler> scheduler,
            int batch, int epochs, long seed) {
        Generator gen = new Generator(seed);
        List<Double> losses = new ArrayList<>();
        losses.add(loss());
        try (Optimizer opt = optimizer.apply(model.parameters())) {
            LrScheduler sched = scheduler == null ? null : scheduler.apply(opt);
            int n = data.size();
            for (int e = 0; e < epochs; e++) {
                int[] perm = gen.permutation(n);
                for (int s = 0; s < n; s += batch) {
                    int m = Math.min(batch, n - s);
                    try (Scope ignored = Scope.open()) {
                        Tensor idx = Tensor.of(java.util.Arrays.copyOfRange(perm, s, s + m), m);
                        opt.zeroGrad();
                        Variable loss = ce.apply(model.forward(Variable.of(x.indexSelect(0, idx))), y.indexSelect(0, idx));
                        loss.backward();
                        opt.step();
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
        x.close();
        y.close();
    }
}
