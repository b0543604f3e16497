package dev.descent.autograd;

import dev.descent.core.LayerNormGradients;
import dev.descent.core.LayerNormOutput;
import dev.descent.core.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * Layer normalisation, forward beside its gradients. The forward pass is one backend row op
 * that also saves each slice's mean and reciprocal deviation; the backward pass is one more
 * ({@link Tensor#layerNormBackward}), which gives the input's, weight's and bias's gradients
 * together. With {@code createGraph} the same gradients are written with {@link Variable} ops
 * instead (from x itself, so that they can be differentiated again):
 *
 * <pre>
 * x̂ = (x − μ)ρ,  ĝ = g·w
 * dx = ρ·(ĝ − mean(ĝ) − x̂·mean(ĝ·x̂))     means over the normalised axes
 * dw = Σ g·x̂,  db = Σ g                  sums over the other axes
 * </pre>
 */
final class NormalizationOps {
    private NormalizationOps() {
    }

    static Variable layerNorm(Variable x, int[] normalizedShape, Variable weight, Variable bias, double eps) {
        String op = "layerNorm";
        Tensor xt = x.use(op);
        LayerNormOutput o = xt.layerNormWithStatistics(normalizedShape, weight == null ? null : weight.use(op),
                bias == null ? null : bias.use(op), eps);
        int[] shape = normalizedShape.clone();
        int[] normalized = trailingAxes(xt.rank(), shape.length);
        int[] leading = leadingAxes(xt.rank(), shape.length);
        List<Variable> inputs = new ArrayList<>(List.of(x));
        if (weight != null) {
            inputs.add(weight);
        }
        if (bias != null) {
            inputs.add(bias);
        }
        int weightAt = weight == null ? -1 : 1;
        int biasAt = bias == null ? -1 : inputs.size() - 1;
        Tensor mean = o.mean();
        Tensor rstd = o.rstd();
        // The fused backward gives every gradient at once: kept for the rule's calls for the other inputs.
        Variable[] lastSeed = new Variable[1];
        Tensor[] fused = new Tensor[3];
        return Node.recordOwning(op, o.out(), new Tensor[] {mean, rstd}, (n, g, i) -> {
            Variable xs = n.saved(x);
            Variable w = weight == null ? null : n.saved(weight);
            if (GradMode.isEnabled()) {
                return composed(xs, w, g, i, weightAt, biasAt, normalized, leading, eps);
            }
            if (lastSeed[0] != g) {
                lastSeed[0] = g;
                boolean[] want = new boolean[inputs.size()];
                for (int k = 0; k < want.length; k++) {
                    want[k] = inputs.get(k).requiresGrad();
                }
                LayerNormGradients grads = Tensor.layerNormBackward(g.use(op), xs.use(op), shape,
                        w == null ? null : w.use(op), mean, rstd, want[0], weightAt > 0 && want[weightAt],
                        biasAt > 0 && want[biasAt]);
                fused[0] = grads.input();
                fused[1] = grads.weight();
                fused[2] = grads.bias();
            }
            Tensor t = i == 0 ? fused[0] : i == weightAt ? fused[1] : fused[2];
            return Variable.constant(t);
        }, inputs.toArray(new Variable[0]));
    }

    /** The gradients written with recorded ops (for higher derivatives). */
    private static Variable composed(Variable x, Variable w, Variable g, int input, int weightAt, int biasAt,
            int[] normalized, int[] leading, double eps) {
        Variable mu = x.mean(normalized, true);
        Variable centred = x.sub(mu);
        Variable rho = centred.square().mean(normalized, true).add(eps).rsqrt();
        Variable xh = centred.mul(rho);
        if (input == weightAt) {
            return overLeading(g.mul(xh), leading);
        }
        if (input == biasAt) {
            return overLeading(g, leading);
        }
        Variable gh = w == null ? g : g.mul(w);
        Variable meanG = gh.mean(normalized, true);
        Variable meanGx = gh.mul(xh).mean(normalized, true);
        return gh.sub(meanG).sub(xh.mul(meanGx)).mul(rho);
    }

    /** The sum over the leading axes (none: the value itself; an empty list would mean every axis). */
    private static Variable overLeading(Variable v, int[] leading) {
        return leading.length == 0 ? v : v.sum(leading, false);
    }

    private static int[] trailingAxes(int rank, int count) {
        int[] axes = new int[count];
        for (int k = 0; k < count; k++) {
            axes[k] = rank - count + k;
        }
        return axes;
    }

    private static int[] leadingAxes(int rank, int count) {
        int[] axes = new int[rank - count];
        for (int k = 0; k < axes.length; k++) {
            axes[k] = k;
        }
        return axes;
    }
}
