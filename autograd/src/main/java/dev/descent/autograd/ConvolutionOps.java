package dev.descent.autograd;

import dev.descent.core.Conv2dOptions;
import dev.descent.core.Shape;
import dev.descent.core.Tensor;

/**
 * 2-d convolution and the two ops of its gradient, each beside its rule. The three are closed
 * under differentiation: the input's gradient is a transposed convolution, linear in the output
 * gradient {@code g} and the weight; the weight's gradient is bilinear in the input and {@code g};
 * and each one's rule is written with the other two (PyTorch's {@code convolution_backward} and
 * its double backward). So gradients of any order are recorded ops.
 */
final class ConvolutionOps {
    private ConvolutionOps() {
    }

    /**
     * {@code y = conv2d(x, w) + b}: {@code dx = conv2dInputGrad(g, w)}, {@code dw = conv2dWeightGrad(x, g)},
     * {@code db = Σ_{n, i, j} g}.
     */
    static Variable conv2d(Variable x, Variable w, Variable b, Conv2dOptions options) {
        String op = "conv2d";
        Tensor out = x.use(op).conv2d(w.use(op), b == null ? null : b.use(op), options);
        Shape inputShape = x.shape();
        Shape weightShape = w.shape();
        Node.Rule rule = (n, g, i) -> switch (i) {
            case 0 -> inputGrad(g, n.saved(w), inputShape, options);
            case 1 -> weightGrad(n.saved(x), g, weightShape, options);
            default -> g.sum(new int[] {0, 2, 3}, false);
        };
        return b == null ? Node.record(op, out, rule, x, w) : Node.record(op, out, rule, x, w, b);
    }

    /**
     * The transposed convolution {@code dx = conv2dInputGrad(g, w)}, linear in both: for an upstream
     * gradient u (shaped like x), {@code dg = conv2d(u, w)} and {@code dw = conv2dWeightGrad(u, g)}.
     */
    static Variable inputGrad(Variable g, Variable w, Shape inputShape, Conv2dOptions options) {
        String op = "conv2dInputGrad";
        Tensor out = Tensor.conv2dInputGrad(g.use(op), w.use(op), inputShape, options);
        Shape weightShape = w.shape();
        return Node.record(op, out, (n, u, i) -> i == 0
                ? conv2d(u, n.saved(w), null, options)
                : weightGrad(u, n.saved(g), weightShape, options), g, w);
    }

    /**
     * {@code dw = conv2dWeightGrad(x, g)}, bilinear: for an upstream gradient u (shaped like w),
     * {@code dx = conv2dInputGrad(g, u)} and {@code dg = conv2d(x, u)}.
     */
    static Variable weightGrad(Variable x, Variable g, Shape weightShape, Conv2dOptions options) {
        String op = "conv2dWeightGrad";
        Tensor out = Tensor.conv2dWeightGrad(x.use(op), g.use(op), weightShape, options);
        Shape inputShape = x.shape();
        return Node.record(op, out, (n, u, i) -> i == 0
                ? inputGrad(n.saved(g), u, inputShape, options)
                : conv2d(n.saved(x), u, null, options), x, g);
    }
}
