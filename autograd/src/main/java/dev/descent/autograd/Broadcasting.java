package dev.descent.autograd;

import dev.descent.core.Check;
import dev.descent.core.Shape;
import dev.descent.core.Tensor;
import java.util.Arrays;

/** The one place that undoes NumPy broadcasting: a gradient summed back to an input's shape. */
final class Broadcasting {
    private Broadcasting() {
    }

    /**
     * {@code t} summed over the leading axes that broadcasting added and over the axes where
     * {@code target} has size 1 but {@code t} does not, then shaped as {@code target}.
     */
    static Tensor sumTo(String op, Tensor t, Shape target) {
        Shape s = t.shape();
        Check.argument(target.broadcastsTo(s), op, "shape %s cannot be summed to %s: %s does not broadcast to %s",
                s, target, target, s);
        int lead = s.rank() - target.rank();
        int[] axes = new int[s.rank()];
        int count = 0;
        for (int i = 0; i < s.rank(); i++) {
            if (i < lead || (target.dim(i - lead) == 1 && s.dim(i) != 1)) {
                axes[count++] = i;
            }
        }
        int[] reduce = Arrays.copyOf(axes, count);
        if (count == 0) {
            return t.reshape(target.dims());
        }
        try (Tensor summed = t.sum(reduce, true)) {
            return summed.reshape(target.dims());
        }
    }
}
