package dev.descent.nn;

import dev.descent.autograd.Variable;
import dev.descent.core.Check;
import dev.descent.core.DType;
import dev.descent.core.Tensor;
import java.util.Arrays;

/**
 * Layer normalisation (Ba, Kiros and Hinton 2016), as PyTorch's {@code nn.LayerNorm}: over the
 * trailing axes {@code normalizedShape} of the input,
 *
 * <pre>
 * y = (x − μ)/√(σ² + ε)·γ + β
 * </pre>
 *
 * with μ and σ² the mean and biased variance of each slice, γ ("weight", starting at 1) and β
 * ("bias", starting at 0) learned elementwise when {@code elementwiseAffine}. ε = 1e-5 by default.
 * Unlike batch normalisation it keeps no running statistics: training and evaluation compute
 * the same. Forward and backward are one backend row op each.
 */
public final class LayerNorm extends Module {
    /** PyTorch's default ε. */
    public static final double DEFAULT_EPS = 1e-5;

    private final int[] normalizedShape;
    private final double eps;
    private final boolean affine;

    /** float32 over the last axis of size {@code features}, ε = 1e-5, with γ and β. */
    public LayerNorm(int features) {
        this(new int[] {features}, DEFAULT_EPS, true, DType.FLOAT32);
    }

    /**
     * @param normalizedShape the trailing sizes normalised over
     * @param eps ε, added to the variance
     * @param elementwiseAffine whether to learn γ and β of {@code normalizedShape}
     * @param dtype a floating dtype for the parameters
     */
    public LayerNorm(int[] normalizedShape, double eps, boolean elementwiseAffine, DType dtype) {
        Check.argument(normalizedShape != null && normalizedShape.length > 0
                && Arrays.stream(normalizedShape).allMatch(d -> d > 0), "LayerNorm",
                "expected a normalized shape of positive sizes, got %s",
                normalizedShape == null ? "null" : Arrays.toString(normalizedShape));
        Check.argument(eps >= 0 && Double.isFinite(eps), "LayerNorm", "expected a finite eps >= 0, got %s", eps);
        Check.argument(dtype != null && dtype.isFloating(), "LayerNorm", "expected a floating dtype, got %s", dtype);
        this.normalizedShape = normalizedShape.clone();
        this.eps = eps;
        this.affine = elementwiseAffine;
        if (affine) {
            addParameter("weight", Tensor.ones(dtype, normalizedShape));
            addParameter("bias", Tensor.zeros(dtype, normalizedShape));
        }
    }

    /** γ, or null without the affine terms. */
    public Variable weight() {
        return affine ? parameter("weight") : null;
    }

    /** β, or null without the affine terms. */
    public Variable bias() {
        return affine ? parameter("bias") : null;
    }

    @Override
    public Variable forward(Variable input) {
        return input.layerNorm(normalizedShape, weight(), bias(), eps);
    }

    @Override
    protected String describeSettings() {
        return "shape=" + Arrays.toString(normalizedShape) + ", eps=" + eps + ", affine=" + affine;
    }
}
