package dev.descent.nn;

import dev.descent.autograd.Variable;
import dev.descent.core.Check;
import dev.descent.core.Conv2dOptions;
import dev.descent.core.DType;
import dev.descent.core.Generator;
import dev.descent.core.Tensor;
import dev.descent.nn.init.Init;

/**
 * A 2-d convolution layer, as PyTorch's {@code nn.Conv2d}: {@code y = conv2d(x, W) + b} for an
 * input {@code [N, in, H, W]}, with {@code W} of shape {@code [out, in/groups, kH, kW]} and
 * {@code b} of shape {@code [out]} (PyTorch's names and layouts, so weights files load in
 * either). Stride, padding (numbers or "same"), dilation and groups are {@link Conv2dOptions}.
 *
 * <p>Default initialisation, as PyTorch's: {@code W ~ U(-1/√fan_in, 1/√fan_in)} (Kaiming uniform
 * with {@code a = √5}) and {@code b ~ U(-1/√fan_in, 1/√fan_in)}, with
 * {@code fan_in = in/groups·kH·kW}. {@link #initHe} re-initialises as He et al. (2015) for ReLU
 * networks: {@code W ~ N(0, 2/fan_in)} and a zero bias.
 */
public final class Conv2d extends Module {
    private final int in;
    private final int out;
    private final int kh;
    private final int kw;
    private final Conv2dOptions options;

    /** A float32 layer with a square kernel, stride 1, no padding, and a bias. */
    public Conv2d(int in, int out, int kernel, Generator gen) {
        this(in, out, kernel, kernel, Conv2dOptions.DEFAULT, true, DType.FLOAT32, gen);
    }

    /** A float32 layer with a square kernel, the given options, and a bias. */
    public Conv2d(int in, int out, int kernel, Conv2dOptions options, Generator gen) {
        this(in, out, kernel, kernel, options, true, DType.FLOAT32, gen);
    }

    /**
     * @param in input channels
     * @param out output channels
     * @param kh kernel rows
     * @param kw kernel columns
     * @param options stride, padding, dilation and groups (groups must divide {@code in} and {@code out})
     * @param bias whether the layer adds a learnt bias
     * @param dtype a floating dtype for the parameters
     * @param gen the generator of the initial weights
     */
    public Conv2d(int in, int out, int kh, int kw, Conv2dOptions options, boolean bias, DType dtype, Generator gen) {
        String op = "Conv2d";
        Check.argument(in > 0 && out > 0 && kh > 0 && kw > 0, op,
                "expected positive channels and kernel sizes, got in %d, out %d, kernel %dx%d", in, out, kh, kw);
        Check.argument(options != null, op, "expected options, got null (use Conv2dOptions.DEFAULT)");
        Check.argument(in % options.groups() == 0 && out % options.groups() == 0, op,
                "groups %d must divide both the input channels %d and the output channels %d", options.groups(), in,
                out);
        Check.argument(dtype != null && dtype.isFloating(), op, "expected a floating dtype, got %s", dtype);
        this.in = in;
        this.out = out;
        this.kh = kh;
        this.kw = kw;
        this.options = options;
        Tensor w = Tensor.empty(dtype, out, in / options.groups(), kh, kw);
        Init.kaimingUniform(w, gen, Init.leakyReluGain(Math.sqrt(5)), Init.FanMode.FAN_IN);
        addParameter("weight", w);
        if (bias) {
            double bound = 1 / Math.sqrt(Init.fanIn(w));
            addParameter("bias", Tensor.uniform(gen, -bound, bound, dtype, out));
        }
    }

    /**
     * Re-initialises the layer with He et al.'s scheme for ReLU layers: {@code W ~ N(0, 2/fan_in)}
     * ({@link Init#kaimingNormal} with the ReLU gain) and a zero bias. Returns this.
     */
    public Conv2d initHe(Generator gen) {
        Init.kaimingNormal(weight().data(), gen, Init.reluGain(), Init.FanMode.FAN_IN);
        Variable b = bias();
        if (b != null) {
            Init.zeros(b.data());
        }
        return this;
    }

    /** The kernels {@code W}, {@code [out, in/groups, kH, kW]}. */
    public Variable weight() {
        return parameter("weight");
    }

    /** The bias {@code b}, {@code [out]}, or null for a layer without one. */
    public Variable bias() {
        return hasParameter("bias") ? parameter("bias") : null;
    }

    public int inChannels() {
        return in;
    }

    public int outChannels() {
        return out;
    }

    public Conv2dOptions options() {
        return options;
    }

    @Override
    public Variable forward(Variable input) {
        Check.argument(input.rank() == 4 && input.size(1) == in, "Conv2d.forward",
                "expected input of shape [N, %d, H, W], got %s", in, input.shape());
        return input.conv2d(weight(), bias(), options);
    }

    @Override
    protected String describeSettings() {
        return in + ", " + out + ", kernel=" + kh + "x" + kw + ", " + options + ", bias=" + hasParameter("bias");
    }
}
