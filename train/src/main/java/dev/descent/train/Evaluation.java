package dev.descent.train;

import dev.descent.autograd.NoGrad;
import dev.descent.autograd.Variable;
import dev.descent.core.Check;
import dev.descent.core.DType;
import dev.descent.core.Scope;
import dev.descent.core.Tensor;
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

    /** Evaluates {@code model} on {@code data} in chunks of {@code chunk} examples; restores the model's mode. */
    public static Evaluation of(Module model, Loss loss, Dataset data, int chunk) {
        Check.argument(chunk >= 1, "Evaluation", "expected a chunk size >= 1, got %d", chunk);
        boolean wasTraining = model.isTraining();
        model.eval();
        double lossSum = 0;
        long correct = 0;
        try (NoGrad off = NoGrad.open()) {
            for (int start = 0; start < data.size(); start += chunk) {
                int len = Math.min(chunk, data.size() - start);
                try (Scope scope = Scope.open()) {
                    Tensor x = data.features().narrow(0, start, len);
                    Tensor y = data.targets().narrow(0, start, len);
                    Variable out = model.forward(Variable.of(x));
                    lossSum += loss.apply(out, y).item() * len;
                    if (data.isClassification()) {
                        correct += correct(out.data(), y);
                    }
                }
            }
        } finally {
            model.train(wasTraining);
        }
        return new Evaluation(lossSum / data.size(), data.isClassification() ? (double) correct / data.size() : Double.NaN);
    }

    /** How many rows of {@code logits} ([m, classes]) have their largest value at the row's label. */
    static long correct(Tensor logits, Tensor labels) {
        Check.argument(logits.rank() == 2 && logits.size(0) == labels.size(0), "accuracy",
                "expected outputs of shape [%d, classes] for %d labels, got %s", labels.size(0), labels.size(0),
                logits.shape());
        try (Scope scope = Scope.open()) {
            Tensor predicted = logits.argmax(1, false);
            Tensor truth = labels.dtype() == predicted.dtype() ? labels : labels.to(predicted.dtype());
            return (long) predicted.eq(truth).to(DType.INT64).sum().item();
        }
    }
}
