package dev.descent.nn;

import dev.descent.autograd.Variable;
import dev.descent.core.Check;

/**
 * Joins dimensions {@code start..end} (inclusive; negative counts from the end) into one, as
 * PyTorch's {@code nn.Flatten}: by default {@code [N, d1, d2, ...] -> [N, d1·d2·...]}, keeping
 * the batch dimension. A view of the input when its layout allows.
 */
public final class Flatten extends Module {
    private final int start;
    private final int end;

    /** Flattens every dimension after the first. */
    public Flatten() {
        this(1, -1);
    }

    public Flatten(int start, int end) {
        this.start = start;
        this.end = end;
    }

    /** The first axis joined (negative counts from the end). */
    public int startAxis() {
        return start;
    }

    /** The last axis joined, inclusive (negative counts from the end). */
    public int endAxis() {
        return end;
    }

    @Override
    public Variable forward(Variable input) {
        int rank = input.rank();
        int s = Check.axis("Flatten", start, rank);
        int e = Check.axis("Flatten", end, rank);
        Check.argument(s <= e, "Flatten", "start axis %d comes after end axis %d for shape %s", start, end,
                input.shape());
        int[] dims = input.shape().dims();
        int[] out = new int[rank - (e - s)];
        int k = 0;
        for (int d = 0; d < s; d++) {
            out[k++] = dims[d];
        }
        long joined = 1;
        for (int d = s; d <= e; d++) {
            joined *= dims[d];
        }
        Check.argument(joined <= Integer.MAX_VALUE, "Flatten", "%d elements in one dimension are too many", joined);
        out[k++] = (int) joined;
        for (int d = e + 1; d < rank; d++) {
            out[k++] = dims[d];
        }
        return input.reshape(out);
    }

    @Override
    protected String describeSettings() {
        return "start=" + start + ", end=" + end;
    }
}
