package dev.descent.autograd;

import dev.descent.core.Shape;
import dev.descent.core.Tensor;
import java.util.Arrays;

/**
 * The matrix product in all of NumPy's forms. The rule promotes vectors to matrices as the
 * forward pass does ([k] to [1, k] on the left, [k, 1] on the right), so that every form is the
 * batched matrix rule: for C = A B, dA = dC Bᵀ and dB = Aᵀ dC. The backward pass sums each over
 * the batch dimensions its operand was broadcast along, back to the operand's shape.
 */
final class MatmulOp {
    private MatmulOp() {
    }

    static Variable matmul(Variable a, Variable b) {
        Tensor out = a.use("matmul").matmul(b.use("matmul"));
        int[] left = a.rank() == 1 ? new int[] {1, a.size(0)} : a.shape().dims();
        int[] right = b.rank() == 1 ? new int[] {b.size(0), 1} : b.shape().dims();
        int[] product = productDims(left, right);
        return Node.record("matmul", out, (n, g, i) -> {
            Variable g2 = g.reshape(product);
            if (i == 0) {
                Variable bt = n.saved(b).reshape(right).transpose(-1, -2);
                return g2.matmul(bt);
            }
            Variable at = n.saved(a).reshape(left).transpose(-1, -2);
            Variable gb = at.matmul(g2);
            // A vector b was [k, 1]: drop that axis, so that [k] broadcasts to the gradient's shape.
            return b.rank() == 1 ? gb.squeeze(-1) : gb;
        }, a, b);
    }

    /** The batch dimensions broadcast, then [m, n]. */
    private static int[] productDims(int[] left, int[] right) {
        Shape batch = Shape.broadcast("matmul", Shape.of(Arrays.copyOf(left, left.length - 2)),
                Shape.of(Arrays.copyOf(right, right.length - 2)));
        int[] dims = Arrays.copyOf(batch.dims(), batch.rank() + 2);
        dims[batch.rank()] = left[left.length - 2];
        dims[batch.rank() + 1] = right[right.length - 1];
        return dims;
    }
}
