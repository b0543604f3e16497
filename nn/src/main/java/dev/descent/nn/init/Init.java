package dev.descent.nn.init;

import dev.descent.core.Check;
import dev.descent.core.Generator;
import dev.descent.core.Tensor;

/**
 * Weight initialisers, each filling a tensor in place with values drawn from a
 * {@link Generator} (the same seed gives the same weights), as {@code torch.nn.init}.
 *
 * <p>Fans, as PyTorch computes them for a weight of shape {@code [out, in, k...]}:
 * {@code fan_in = in·∏k}, {@code fan_out = out·∏k}; a vector has {@code fan_in = fan_out = n}.
 *
 * <table>
 * <caption>The schemes and their distributions</caption>
 * <tr><th>method</th><th>distribution</th><th>source</th></tr>
 * <tr><td>{@link #xavierFanInNormal}</td><td>N(0, 1/fan_in)</td><td>seed 001 §8 ("Xavier"; also
 *     called LeCun normal)</td></tr>
 * <tr><td>{@link #glorotNormal}</td><td>N(0, gain²·2/(fan_in + fan_out))</td><td>Glorot &amp; Bengio 2010</td></tr>
 * <tr><td>{@link #glorotUniform}</td><td>U(±gain·√(6/(fan_in + fan_out)))</td><td>Glorot &amp; Bengio 2010</td></tr>
 * <tr><td>{@link #kaimingNormal}</td><td>N(0, gain²/fan)</td><td>He et al. 2015; seed 001 §8</td></tr>
 * <tr><td>{@link #kaimingUniform}</td><td>U(±gain·√(3/fan))</td><td>He et al. 2015</td></tr>
 * </table>
 *
 * <p>Both uniform bounds give the variance of the normal form: U(±b) has variance b²/3. Seed
 * 001 sets biases to zero ({@link #zeros}).
 */
public final class Init {

    /** Which fan the Kaiming schemes divide by: fan-in preserves the forward variance, fan-out the backward one. */
    public enum FanMode {
        FAN_IN,
        FAN_OUT
    }

    private Init() {
    }

    // ---------------------------------------------------------------- gains

    /** Gain 1: linear layers, sigmoid (PyTorch's {@code calculate_gain('linear'/'sigmoid')}). */
    public static double linearGain() {
        return 1;
    }

    /** Gain √2 for ReLU: half the inputs are zeroed, so the variance is doubled back (He et al.). */
    public static double reluGain() {
        return Math.sqrt(2);
    }

    /** Gain √(2 / (1 + slope²)) for leaky ReLU with that negative slope. */
    public static double leakyReluGain(double slope) {
        Check.argument(Double.isFinite(slope), "leakyReluGain", "expected a finite slope, got %s", slope);
        return Math.sqrt(2 / (1 + slope * slope));
    }

    /** Gain 5/3 for tanh (PyTorch's value). */
    public static double tanhGain() {
        return 5.0 / 3;
    }

    // ---------------------------------------------------------------- fans

    /** {@code in·∏k} for a weight {@code [out, in, k...]}; n for a vector. */
    public static long fanIn(Tensor weight) {
        return fans("fanIn", weight)[0];
    }

    /** {@code out·∏k} for a weight {@code [out, in, k...]}; n for a vector. */
    public static long fanOut(Tensor weight) {
        return fans("fanOut", weight)[1];
    }

    private static long[] fans(String op, Tensor w) {
        w.checkOpen(op);
        Check.argument(w.rank() >= 1, op, "expected a tensor of rank >= 1, got shape %s", w.shape());
        if (w.rank() == 1) {
            return new long[] {w.size(0), w.size(0)};
        }
        long receptive = 1;
        for (int d = 2; d < w.rank(); d++) {
            receptive *= w.size(d);
        }
        return new long[] {w.size(1) * receptive, w.size(0) * receptive};
    }

    // ---------------------------------------------------------------- schemes

    /** Seed 001's Xavier initialisation: {@code W ~ N(0, 1/fan_in)}, so the variance of the activations is kept. */
    public static Tensor xavierFanInNormal(Tensor weight, Generator gen) {
        return normal(weight, gen, 0, 1 / Math.sqrt(positive("xavierFanInNormal", fanIn(weight))));
    }

    /** {@code W ~ N(0, σ²)} with {@code σ = gain·√(2 / (fan_in + fan_out))}. */
    public static Tensor glorotNormal(Tensor weight, Generator gen, double gain) {
        long[] f = fans("glorotNormal", weight);
        return normal(weight, gen, 0, gain * Math.sqrt(2.0 / positive("glorotNormal", f[0] + f[1])));
    }

    /** {@code W ~ U(−b, b)} with {@code b = gain·√(6 / (fan_in + fan_out))}. */
    public static Tensor glorotUniform(Tensor weight, Generator gen, double gain) {
        long[] f = fans("glorotUniform", weight);
        double b = gain * Math.sqrt(6.0 / positive("glorotUniform", f[0] + f[1]));
        return uniform(weight, gen, -b, b);
    }

    /** {@code W ~ N(0, σ²)} with {@code σ = gain / √fan} (He et al. 2015; use {@link #reluGain()} for ReLU). */
    public static Tensor kaimingNormal(Tensor weight, Generator gen, double gain, FanMode mode) {
        long fan = positive("kaimingNormal", mode == FanMode.FAN_IN ? fanIn(weight) : fanOut(weight));
        return normal(weight, gen, 0, gain / Math.sqrt(fan));
    }

    /** {@code W ~ U(−b, b)} with {@code b = gain·√(3 / fan)}. */
    public static Tensor kaimingUniform(Tensor weight, Generator gen, double gain, FanMode mode) {
        long fan = positive("kaimingUniform", mode == FanMode.FAN_IN ? fanIn(weight) : fanOut(weight));
        double b = gain * Math.sqrt(3.0 / fan);
        return uniform(weight, gen, -b, b);
    }

    /** Every element 0 (seed 001's biases). */
    public static Tensor zeros(Tensor t) {
        return constant(t, 0);
    }

    /** Every element {@code value}. */
    public static Tensor constant(Tensor t, double value) {
        t.checkOpen("Init.constant");
        return t.fill(value);
    }

    /** {@code t ~ U(lo, hi)}. */
    public static Tensor uniform(Tensor t, Generator gen, double lo, double hi) {
        t.checkOpen("Init.uniform");
        try (Tensor draw = Tensor.uniform(gen, lo, hi, t.dtype(), t.shape().dims())) {
            return copyInto(t, draw);
        }
    }

    /** {@code t ~ N(mean, std²)}. */
    public static Tensor normal(Tensor t, Generator gen, double mean, double std) {
        t.checkOpen("Init.normal");
        try (Tensor draw = Tensor.normal(gen, mean, std, t.dtype(), t.shape().dims())) {
            return copyInto(t, draw);
        }
    }

    private static Tensor copyInto(Tensor t, Tensor draw) {
        try (Tensor here = draw.to(t.device())) {
            return t.copyFrom(here);
        }
    }

    private static long positive(String op, long fan) {
        Check.argument(fan > 0, op, "expected a tensor with a positive fan, got fan %d", fan);
        return fan;
    }
}
