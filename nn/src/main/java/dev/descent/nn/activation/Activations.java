package dev.descent.nn.activation;

import dev.descent.autograd.Variable;

/**
 * The activation functions, as functions (the modules of this package wrap them). Each is
 * autograd's op of the same name, whose derivative sits beside its forward in autograd; seed
 * 000 uses sigmoid, ReLU and softmax as built-in constraints on a network's outputs, seed 004
 * §2.A writes the two-layer network {@code σ₂(W₂ σ₁(W₁ x))} with a softmax σ₂.
 */
public final class Activations {
    /** PyTorch's default negative slope of leaky ReLU. */
    public static final double DEFAULT_LEAKY_SLOPE = 0.01;

    private Activations() {
    }

    /** {@code σ(x) = 1 / (1 + e^{-x})}; {@code σ' = σ(1 − σ)}. */
    public static Variable sigmoid(Variable x) {
        return x.sigmoid();
    }

    /** {@code tanh x}; {@code tanh' = 1 − tanh²}. */
    public static Variable tanh(Variable x) {
        return x.tanh();
    }

    /** {@code max(x, 0)}; derivative 0 at 0 (as PyTorch). */
    public static Variable relu(Variable x) {
        return x.relu();
    }

    /** {@code x > 0 ? x : slope·x}. */
    public static Variable leakyRelu(Variable x, double slope) {
        return x.leakyRelu(slope);
    }

    /** {@code x·Φ(x) = x/2·(1 + erf(x/√2))}, the exact GELU (Hendrycks &amp; Gimpel 2016; PyTorch's default). */
    public static Variable gelu(Variable x) {
        return x.gelu();
    }

    /** {@code log(1 + e^x)}, computed as {@code max(x, 0) + log1p(e^{-|x|})}; derivative σ(x). */
    public static Variable softplus(Variable x) {
        return x.softplus();
    }

    /** {@code e^{x_i} / Σ_j e^{x_j}} along {@code axis}. */
    public static Variable softmax(Variable x, int axis) {
        return x.softmax(axis);
    }

    /** {@code x_i − log Σ_j e^{x_j}} along {@code axis}, without forming the softmax (stable). */
    public static Variable logSoftmax(Variable x, int axis) {
        return x.logSoftmax(axis);
    }
}
