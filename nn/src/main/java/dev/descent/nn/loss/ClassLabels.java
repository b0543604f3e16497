package dev.descent.nn.loss;

import dev.descent.autograd.Variable;
import dev.descent.core.Check;
import dev.descent.core.DType;
import dev.descent.core.IndexOutOfRangeException;
import dev.descent.core.Tensor;
import java.util.OptionalInt;

/** Integer class labels: the checks on them, and picking each row's entry at its label (checked there, on the device). */
final class ClassLabels {
    private ClassLabels() {
    }

    static boolean isLabels(Variable target) {
        return target.dtype() == DType.INT32 || target.dtype() == DType.INT64;
    }

    /** The input must be {@code [N, C]}. */
    static void checkInput(String op, Variable input) {
        Check.argument(input.dtype().isFloating(), op, "expected a floating input, got %s", input.dtype());
        Check.argument(input.rank() == 2, op, "expected an input of shape [N, C] (batch, classes), got %s",
                input.shape());
    }

    /**
     * Labels must be int32/int64 of shape [N]. Their range (each in 0..C−1, or the ignore index)
     * is checked on the device by the gather that picks them ({@link #pick}), not here: reading
     * the labels back to check them would cost a training step a device read.
     */
    static void check(String op, Variable labels, int n) {
        Check.argument(isLabels(labels), op, "expected int32 or int64 class indices, got %s", labels.dtype());
        Check.argument(labels.rank() == 1 && labels.size(0) == n, op,
                "expected class indices of shape [%d] (one per row of the input), got %s", n, labels.shape());
    }

    /**
     * {@code out_i = values[i, labels_i]}, shape [N]. A label outside 0..C−1 is reported by the
     * gather: as this loss's error when the backend finds it in the call (the CPU); a GPU raises
     * it, naming the index, its row and the class count, at its next read.
     *
     * @param ignoreIndex only for the message: ignored rows must already hold a safe label
     */
    static Variable pick(String op, Variable values, Tensor labels, OptionalInt ignoreIndex) {
        int n = values.size(0);
        int c = values.size(1);
        Variable picked;
        try (Tensor column = labels.reshape(n, 1)) {
            picked = values.gather(1, column);
        } catch (IndexOutOfRangeException e) {
            throw Check.fail(op, "class index %d at position %d is out of range for %d classes (expected 0..%d%s)",
                    e.index(), e.position(), c, c - 1,
                    ignoreIndex.isPresent() ? " or the ignore index " + ignoreIndex.getAsInt() : "");
        }
        Variable flat = picked.reshape(n);
        return flat;
    }
}
