package dev.descent.nn;

import dev.descent.autograd.Variable;
import dev.descent.core.Check;
import dev.descent.core.DType;
import dev.descent.core.Generator;
import dev.descent.core.Tensor;
import dev.descent.nn.init.Init;

/**
 * An affine map {@code y = x Wᵀ + b}, with {@code W} of shape {@code [out, in]} and {@code b}
 * of shape {@code [out]} (PyTorch's layout; seed 004 §2.A writes {@code a = W x} with
 * {@code W ∈ R^{M×D}}, the same matrix). The input is {@code [..., in]}; every leading
 * dimension is a batch dimension.
 *
 * <p>Default initialisation, as PyTorch's {@code nn.Linear}: {@code W ~ U(-1/√in, 1/√in)}
 * (Kaiming uniform with negative slope {@code a = √5}: gain {@code √(2/(1+5))}, bound
 * {@code gain·√(3/in) = 1/√in}) and {@code b ~ U(-1/√in, 1/√in)}, so results compare with
 * PyTorch's. Seed 001's schemes, zero biases with {@code W ~ N(0, 1/in)} (Xavier) or
 * {@code W ~ N(0, 2/in)} (He, for ReLU), are {@link #initXavierFanIn} and {@link #initHe}; for
 * others (Glorot) re-initialise with {@link Init}, e.g.
 * {@code Init.kaimingNormal(layer.weight().data(), gen, Init.reluGain(), Init.FanMode.FAN_IN)}.
 */
public final class Linear extends Module {
    private final int in;
    private final int out;

    /** A float32 layer with a bias, initialised from {@code gen}. */
    public Linear(int in, int out, Generator gen) {
        this(in, out, true, DType.FLOAT32, gen);
    }

    /** A layer with or without a bias, of a floating {@code dtype}, initialised from {@code gen}. */
    public Linear(int in, int out, boolean bias, DType dtype, Generator gen) {
        Check.argument(in > 0 && out > 0, "Linear", "expected in > 0 and out > 0, got in %d, out %d", in, out);
        Check.argument(dtype != null && dtype.isFloating(), "Linear", "expected a floating dtype, got %s", dtype);
        this.in = in;
        this.out = out;
        double bound = 1 / Math.sqrt(in);
        Tensor w = Tensor.empty(dtype, out, in);
        Init.kaimingUniform(w, gen, Init.leakyReluGain(Math.sqrt(5)), Init.FanMode.FAN_IN);
        addParameter("weight", w);
        if (bias) {
            addParameter("bias", Tensor.uniform(gen, -bound, bound, dtype, out));
        }
    }

    /**
     * Re-initialises the layer as seed 001 §8 prescribes: {@code W ~ N(0, 1/in)}
     * ({@link Init#xavierFanInNormal}) and a zero bias. Returns this.
     */
    public Linear initXavierFanIn(Generator gen) {
        Init.xavierFanInNormal(weight().data(), gen);
        return zeroBias();
    }

    /**
     * Re-initialises the layer with seed 001's He scheme for ReLU layers: {@code W ~ N(0, 2/in)}
     * ({@link Init#kaimingNormal} with the ReLU gain) and a zero bias. Returns this.
     */
    public Linear initHe(Generator gen) {
        Init.kaimingNormal(weight().data(), gen, Init.reluGain(), Init.FanMode.FAN_IN);
        return zeroBias();
    }

    private Linear zeroBias() {
        Variable b = bias();
        if (b != null) {
            Init.zeros(b.data());
        }
        return this;
    }

    /** The weight matrix {@code W}, {@code [out, in]}. */
    public Variable weight() {
        return parameter("weight");
    }

    /** The bias {@code b}, {@code [out]}, or null for a layer without one. */
    public Variable bias() {
        return hasParameter("bias") ? parameter("bias") : null;
    }

    public int inFeatures() {
        return in;
    }

    public int outFeatures() {
        return out;
    }

    @Override
    public Variable forward(Variable input) {
        Check.argument(input.rank() >= 1 && input.size(-1) == in, "Linear.forward",
                "expected input of shape [..., %d], got %s", in, input.shape());
        Variable y = input.matmul(weight().t());
        Variable b = bias();
        return b == null ? y : y.add(b);
    }

    @Override
    protected String describeSettings() {
        return "in=" + in + ", out=" + out + ", bias=" + hasParameter("bias");
    }
}
