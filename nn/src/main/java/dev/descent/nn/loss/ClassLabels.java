package dev.descent.nn.loss;

import dev.descent.autograd.Variable;
import dev.descent.core.Check;
import dev.descent.core.DType;
import dev.descent.core.Tensor;
import java.util.OptionalInt;

/** Integer class labels: the checks on them (an ignore index allowed), and picking each row's entry at its label. */
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

    /** Labels must be int32/int64 of shape [N], each in 0..C-1. */
    static void check(String op, Variable labels, int n, int c) {
        check(op, labels, n, c, OptionalInt.empty());
    }

    /** As {@link #check(String, Variable, int, int)}, where a label may also be the ignore index; returns them. */
    static long[] check(String op, Variable labels, int n, int c, OptionalInt ignoreIndex) {
        Check.argument(isLabels(labels), op, "expected int32 or int64 class indices, got %s", labels.dtype());
        Check.argument(labels.rank() == 1 && labels.size(0) == n, op,
                "expected class indices of shape [%d] (one per row of the input), got %s", n, labels.shape());
        long[] values = labels.data().toLongArray();
        for (int i = 0; i < values.length; i++) {
            if ((values[i] < 0 || values[i] >= c) && !isIgnored(values[i], ignoreIndex)) {
                throw Check.fail(op, "class index %d at position %d is out of range for %d classes (expected 0..%d%s)",
                        values[i], i, c, c - 1,
                        ignoreIndex.isPresent() ? " or the ignore index " + ignoreIndex.getAsInt() : "");
            }
        }
        return values;
    }

    static boolean isIgnored(long label, OptionalInt ignoreIndex) {
        return ignoreIndex.isPresent() && label == ignoreIndex.getAsInt();
    }

    /** {@code out_i = values[i, labels_i]}, shape [N]. */
    static Variable pick(Variable values, Tensor labels) {
        int n = values.size(0);
        Variable picked;
        try (Tensor column = labels.reshape(n, 1)) {
            picked = values.gather(1, column);
        }
        Variable flat = picked.reshape(n);
        return flat;
    }
}
