package dev.descent.train;

import dev.descent.autograd.Variable;
import dev.descent.core.Check;
import dev.descent.core.Scope;
import dev.descent.core.Tensor;
import dev.descent.distributed.DataParallel;
import dev.descent.nn.Module;
import dev.descent.nn.loss.Loss;
import dev.descent.optim.Optimizer;
import dev.descent.optim.clip.GradientClipping;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.DoublePredicate;

/**
 * One training step, the whole of it; the {@link Trainer} and the lab's experiments run this,
 * and keep checkpoints, metrics and progress outside it (DJL's {@code trainBatch}):
 *
 * <pre>
 * loss = L(model(x), y)                  the batch's loss (the model in its current mode)
 * loss.backward()                        data-parallel: gradients and loss averaged over the ranks
 * ‖g‖ = ‖(g₁, …, g_n)‖₂                   on the device, when measured or clipped
 * g ← g · min(1, clipNorm/(‖g‖ + 1e-6))   on the device, when clipNorm > 0 (PyTorch's clip_grad_norm_)
 * read (loss, ‖g‖)                       the step's one read from the device
 * optimizer.step()                       only when both are finite: nothing is trained on a NaN
 * optimizer.zeroGrad()
 * </pre>
 *
 * <p><b>One read.</b> The loss and the norm reach the host together ({@link Tensor#items}), so
 * on a GPU a step synchronises once; the labels are checked on the device by the loss, and a
 * listener given to {@link #run(Tensor, Tensor, BiConsumer)} sees the outputs on the device (an
 * accuracy count stays there until its epoch ends).
 *
 * <p>The step runs inside its own {@link Scope}: what the forward and backward passes make is
 * freed when it returns; the batch's tensors belong to the caller.
 *
 * <p><b>Data-parallel</b> ({@link #dataParallel}): each rank runs the step on its part of the
 * batch; {@link DataParallel#backward} averages the gradients across the ranks while the pass
 * runs, and the loss with them, so every rank reads the whole batch's loss and the same norm,
 * takes the same decision, and makes the same update.
 */
public final class TrainingStep {
    private final Module model;
    private final Loss loss;
    private final Optimizer optimizer;
    private final double clipNorm;
    private final boolean measureNorm;
    private final DoublePredicate diverges;
    private final DataParallel dataParallel;

    /**
     * What a step measured, from its one read.
     *
     * @param loss the batch's loss
     * @param gradNorm the global gradient 2-norm before clipping; NaN when not measured
     * @param updated whether the parameters were updated: the loss, and the norm when measured,
     *     finite, and no {@link #divergesWhen} test held
     */
    public record Result(double loss, double gradNorm, boolean updated) {
    }

    private TrainingStep(Module model, Loss loss, Optimizer optimizer, double clipNorm, boolean measureNorm,
            DoublePredicate diverges, DataParallel dataParallel) {
        Check.argument(model != null && loss != null && optimizer != null, "TrainingStep",
                "expected a model, a loss and an optimiser, got %s, %s, %s", model, loss, optimizer);
        Check.argument(clipNorm >= 0 && Double.isFinite(clipNorm), "TrainingStep",
                "expected a finite clip norm >= 0 (0: off), got %s", clipNorm);
        this.model = model;
        this.loss = loss;
        this.optimizer = optimizer;
        this.clipNorm = clipNorm;
        this.measureNorm = measureNorm;
        this.diverges = diverges;
        this.dataParallel = dataParallel;
    }

    /** The step of {@code model} under {@code loss} by {@code optimizer}: no clipping, the norm not measured. */
    public static TrainingStep of(Module model, Loss loss, Optimizer optimizer) {
        return new TrainingStep(model, loss, optimizer, 0, false, null, null);
    }

    /** This step, clipping the global gradient norm to {@code maxNorm} (0: off); a clipped norm is measured. */
    public TrainingStep clipNorm(double maxNorm) {
        return new TrainingStep(model, loss, optimizer, maxNorm, measureNorm || maxNorm > 0, diverges, dataParallel);
    }

    /** This step, measuring the global gradient norm (read with the loss) even without clipping. */
    public TrainingStep measureGradNorm() {
        return new TrainingStep(model, loss, optimizer, clipNorm, true, diverges, dataParallel);
    }

    /**
     * This step, treating a loss for which {@code test} holds as a divergence too (a
     * {@code DivergenceDetector}'s {@code observe}, say): the parameters are then not updated.
     * The test sees every step's loss once, in order.
     */
    public TrainingStep divergesWhen(DoublePredicate test) {
        return new TrainingStep(model, loss, optimizer, clipNorm, measureNorm, test, dataParallel);
    }

    /**
     * This step as one rank of data-parallel training: the gradients (of {@code dp}'s parameters,
     * the optimiser's) and the loss are averaged over the ranks of {@code dp}'s group.
     */
    public TrainingStep dataParallel(DataParallel dp) {
        return new TrainingStep(model, loss, optimizer, clipNorm, measureNorm, diverges, dp);
    }

    /** {@link #run(Tensor, Tensor, BiConsumer)} with no listener. */
    public Result run(Tensor features, Tensor targets) {
        return run(features, targets, null);
    }

    /**
     * Takes one step on a batch.
     *
     * @param onOutput when not null, called with the model's output and the targets after the
     *     forward pass (inside the step's scope; for metrics kept on the device)
     */
    public Result run(Tensor features, Tensor targets, BiConsumer<Tensor, Tensor> onOutput) {
        return run(features, targets, onOutput, 1);
    }

    /**
     * Takes one step on this rank's part of a batch.
     *
     * @param share this rank's weight w_r = n_r · n / B ({@link DataParallel#backward}): its
     *     examples over the ranks' mean share of the batch; 1 without data parallelism
     */
    public Result run(Tensor features, Tensor targets, BiConsumer<Tensor, Tensor> onOutput, double share) {
        Check.argument(dataParallel != null || share == 1, "TrainingStep",
                "a share of the batch (%s) needs data parallelism", share);
        List<Variable> params = optimizer.params();
        try (Scope scope = Scope.open()) {
            Variable out = model.forward(Variable.of(features));
            Variable value = loss.apply(out, targets);
            if (onOutput != null) {
                onOutput.accept(out.data(), targets);
            }
            Tensor batchLoss;
            if (dataParallel != null) {
                batchLoss = dataParallel.backward(value, share);
            } else {
                value.backward();
                batchLoss = value.data();
            }
            Tensor norm = measureNorm ? GradientClipping.norm(params, 2) : null;
            if (clipNorm > 0) {
                GradientClipping.clipToNorm(params, norm, clipNorm);
            }
            double[] read = norm == null ? new double[] {batchLoss.item(), Double.NaN} : Tensor.items(batchLoss, norm);
            boolean diverged = diverges != null && diverges.test(read[0]);
            boolean update = !diverged && Double.isFinite(read[0]) && (norm == null || Double.isFinite(read[1]));
            if (update) {
                optimizer.step();
            }
            optimizer.zeroGrad();
            return new Result(read[0], read[1], update);
        }
    }
}
