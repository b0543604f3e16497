package dev.descent.nn;

import dev.descent.autograd.Variable;
import dev.descent.core.Pool2dOptions;

/**
 * Max pooling over windows of an {@code [N, C, H, W]} input, as PyTorch's {@code nn.MaxPool2d}
 * (stride defaults to the kernel size): each output is its window's largest element, and the
 * gradient goes to that element.
 */
public final class MaxPool2d extends Module {
    private final Pool2dOptions options;

    /** Windows of {@code kernel × kernel} with stride {@code kernel}. */
    public MaxPool2d(int kernel) {
        this(Pool2dOptions.of(kernel));
    }

    public MaxPool2d(Pool2dOptions options) {
        this.options = java.util.Objects.requireNonNull(options, "MaxPool2d: options");
    }

    public Pool2dOptions options() {
        return options;
    }

    @Override
    public Variable forward(Variable input) {
        return input.maxPool2d(options);
    }

    @Override
    protected String describeSettings() {
        return options.toString();
    }
}
