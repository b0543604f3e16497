package dev.descent.nn;

import dev.descent.autograd.Variable;
import dev.descent.core.Check;

/**
 * Average pooling of an {@code [N, C, H, W]} input to a fixed {@code [N, C, oh, ow]} whatever H
 * and W, as PyTorch's {@code nn.AdaptiveAvgPool2d} ({@code (1, 1)}: global average pooling).
 */
public final class AdaptiveAvgPool2d extends Module {
    private final int oh;
    private final int ow;

    public AdaptiveAvgPool2d(int size) {
        this(size, size);
    }

    public AdaptiveAvgPool2d(int oh, int ow) {
        Check.argument(oh >= 1 && ow >= 1, "AdaptiveAvgPool2d", "expected an output size of at least 1x1, got %dx%d",
                oh, ow);
        this.oh = oh;
        this.ow = ow;
    }

    /** The output's rows. */
    public int outputHeight() {
        return oh;
    }

    /** The output's columns. */
    public int outputWidth() {
        return ow;
    }

    @Override
    public Variable forward(Variable input) {
        return input.adaptiveAvgPool2d(oh, ow);
    }

    @Override
    protected String describeSettings() {
        return "output=" + oh + "x" + ow;
    }
}
