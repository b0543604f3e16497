package dev.descent.train;

import dev.descent.autograd.NoGrad;
import dev.descent.autograd.Variable;
import dev.descent.core.Check;
import dev.descent.core.DType;
import dev.descent.core.Scope;
import dev.descent.core.Tensor;
import dev.descent.distributed.ProcessGroup;
import dev.descent.distributed.ReduceOp;
import dev.descent.nn.Module;
import dev.descent.nn.loss.Loss;
import dev.descent.train.data.Dataset;

/**
 * The loss and accuracy of a model on a dataset, in evaluation mode and without recording a
 * graph, in chunks so that memory stays bounded.
 *
 * @param loss the mean loss per example (the loss is taken to be a mean over its batch, and
 *     chunks are weighted by their sizes)
 * @param accuracy the fraction of examples whose largest output is their label; NaN for a
 *     regression set
 */
public record Evaluation(double loss, double accuracy) {

    /**
     * Evaluates {@code model} on {@code data} in chunks of {@code chunk} examples; restores the
     * model's mode. The loss and the count of right answers are summed on the device and read
     * once, at the end.
     */
    public static Evaluation of(Module model, Loss loss, Dataset data, int chunk) {
        return of(model, loss, data, chunk, null);
    }

    /**
     * {@link #of(Module, Loss, Dataset, int)} shared by the ranks of {@code group} (null: this
     * process alone): rank r of n evaluates the examples from ⌊r·N/n⌋ to ⌊(r+1)·N/n⌋, and the
     * sums are added over the ranks (two all-reduces) before the one read. Every rank gets the
     * whole set's result; only the order of the sums differs from one process's.
     */
    public static Evaluation of(Module model, Loss loss, Dataset data, int chunk, ProcessGroup group) {
        Check.argument(chunk >= 1, "Evaluation", "expected a chunk size >= 1, got %d", chunk);
        int from = group == null ? 0 : (int) ((long) group.rank() * data.size() / group.worldSize());
        int to = group == null ? data.size() : (int) ((long) (group.rank() + 1) * data.size() / group.worldSize());
        boolean wasTraining = model.isTraining();
        model.eval();
        try (NoGrad off = NoGrad.open();
             Tensor lossSum = Tensor.zeros(data.features().device(), DType.FLOAT64);
             Tensor correct = Tensor.zeros(data.features().device(), DType.INT64)) {
            for (int start = from; start < to; start += chunk) {
                int len = Math.min(chunk, to - start);
                try (Scope scope = Scope.open()) {
                    Tensor x = data.features().narrow(0, start, len);
                    Tensor y = data.targets().narrow(0, start, len);
                    Variable out = model.forward(Variable.of(x));
                    lossSum.addInPlace(loss.apply(out, y).data().to(DType.FLOAT64).mul(len));
                    if (data.isClassification()) {
                        correct.addInPlace(correct(out.data(), y));
                    }
                }
            }
            if (group != null) {
                group.allReduce(lossSum, ReduceOp.SUM);
                group.allReduce(correct, ReduceOp.SUM);
            }
            double[] sums = Tensor.items(lossSum, correct);
            return new Evaluation(sums[0] / data.size(),
                    data.isClassification() ? sums[1] / data.size() : Double.NaN);
        } finally {
            model.train(wasTraining);
        }
    }

    /**
     * How many rows of {@code logits} ([m, classes]) have their largest value at the row's label:
     * an int64 scalar on their device, in the caller's scope (nothing is read).
     */
    static Tensor correct(Tensor logits, Tensor labels) {
        Check.argument(logits.rank() == 2 && logits.size(0) == labels.size(0), "accuracy",
                "expected outputs of shape [%d, classes] for %d labels, got %s", labels.size(0), labels.size(0),
                logits.shape());
        try (Scope scope = Scope.open()) {
            Tensor predicted = logits.argmax(1, false);
            Tensor truth = labels.dtype() == predicted.dtype() ? labels : labels.to(predicted.dtype());
            return scope.keep(predicted.eq(truth).sum());
        }
    }
}
