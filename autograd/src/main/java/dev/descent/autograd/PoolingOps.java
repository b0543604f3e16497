package dev.descent.autograd;

import dev.descent.core.Pool2dOptions;
import dev.descent.core.Shape;
import dev.descent.core.Tensor;
import dev.descent.core.ValuesAndIndices;

/**
 * Max, average and adaptive average pooling, each beside its rule, and each rule's op beside its
 * own rule: every pooling is linear in its input once the max's choices are fixed, so its
 * gradient is a linear op whose gradient is the pooling again (for max pooling, a gather at the
 * saved indices), as PyTorch's double backward of these ops. The max's gradient goes wholly to
 * the element its index names (the first maximum of the window), not shared among ties.
 */
final class PoolingOps {
    private PoolingOps() {
    }

    /** {@code dx}: each g added at the position of the maximum it came from. */
    static Variable maxPool2d(Variable x, Pool2dOptions options) {
        String op = "maxPool2d";
        Tensor in = x.use(op);
        if (!GradMode.isEnabled() || !x.requiresGrad()) {
            return Node.record(op, in.maxPool2d(options), null, x);
        }
        ValuesAndIndices r = in.maxPool2dWithIndices(options);
        Tensor indices = r.indices();
        Shape inputShape = x.shape();
        return Node.recordOwning(op, r.values(), new Tensor[] {indices},
                (n, g, i) -> maxPoolInputGrad(g, indices, inputShape, options), x);
    }

    /** Linear in g: for an upstream u (shaped like x), {@code dg = u} read at the indices. */
    static Variable maxPoolInputGrad(Variable g, Tensor indices, Shape inputShape, Pool2dOptions options) {
        String op = "maxPool2dInputGrad";
        Tensor out = Tensor.maxPool2dInputGrad(g.use(op), indices, inputShape, options);
        Tensor kept = indices.to(indices.dtype());
        int[] outDims = g.shape().dims();
        return Node.recordOwning(op, out, new Tensor[] {kept}, (n, u, i) -> readAt(u, kept, outDims), g);
    }

    /** {@code u [N, C, H, W]} at the plane positions {@code indices [N, C, OH, OW]}: a gather over each flattened plane. */
    private static Variable readAt(Variable u, Tensor indices, int[] outDims) {
        int[] d = u.shape().dims();
        try (Tensor flatIndices = indices.reshape(d[0], d[1], outDims[2] * outDims[3])) {
            return u.reshape(d[0], d[1], d[2] * d[3]).gather(2, flatIndices).reshape(outDims);
        }
    }

    /** {@code dx = avgPool2dInputGrad(g)}. */
    static Variable avgPool2d(Variable x, Pool2dOptions options) {
        String op = "avgPool2d";
        Tensor out = x.use(op).avgPool2d(options);
        Shape inputShape = x.shape();
        return Node.record(op, out, (n, g, i) -> avgPoolInputGrad(g, inputShape, options), x);
    }

    /** Linear in g: {@code dg = avgPool2d(u)}. */
    static Variable avgPoolInputGrad(Variable g, Shape inputShape, Pool2dOptions options) {
        String op = "avgPool2dInputGrad";
        Tensor out = Tensor.avgPool2dInputGrad(g.use(op), inputShape, options);
        return Node.record(op, out, (n, u, i) -> avgPool2d(u, options), g);
    }

    /** {@code dx = adaptiveAvgPool2dInputGrad(g)}. */
    static Variable adaptiveAvgPool2d(Variable x, int oh, int ow) {
        String op = "adaptiveAvgPool2d";
        Tensor out = x.use(op).adaptiveAvgPool2d(oh, ow);
        Shape inputShape = x.shape();
        return Node.record(op, out, (n, g, i) -> adaptiveInputGrad(g, inputShape), x);
    }

    /** Linear in g: {@code dg = adaptiveAvgPool2d(u)} to g's size. */
    static Variable adaptiveInputGrad(Variable g, Shape inputShape) {
        String op = "adaptiveAvgPool2dInputGrad";
        Tensor out = Tensor.adaptiveAvgPool2dInputGrad(g.use(op), inputShape);
        int oh = g.size(2);
        int ow = g.size(3);
        return Node.record(op, out, (n, u, i) -> adaptiveAvgPool2d(u, oh, ow), g);
    }
}
