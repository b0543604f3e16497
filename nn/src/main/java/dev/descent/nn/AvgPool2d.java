package dev.descent.nn;

import dev.descent.autograd.Variable;
import dev.descent.core.Pool2dOptions;

/**
 * Average pooling over windows of an {@code [N, C, H, W]} input, as PyTorch's
 * {@code nn.AvgPool2d}: stride defaults to the kernel size, and the padding counts in the
 * divisor unless {@code options.countIncludePad(false)}.
 */
public final class AvgPool2d extends Module {
    private final Pool2dOptions options;

    /** Windows of {@code kernel × kernel} with stride {@code kernel}. */
    public AvgPool2d(int kernel) {
        this(Pool2dOptions.of(kernel));
    }

    public AvgPool2d(Pool2dOptions options) {
        this.options = java.util.Objects.requireNonNull(options, "AvgPool2d: options");
    }

    public Pool2dOptions options() {
        return options;
    }

    @Override
    public Variable forward(Variable input) {
        return input.avgPool2d(options);
    }

    @Override
    protected String describeSettings() {
        return options + ", countIncludePad=" + options.countIncludePad();
    }
}
