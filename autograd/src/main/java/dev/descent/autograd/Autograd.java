package dev.descent.autograd;

import dev.descent.core.Check;
import dev.descent.core.Scope;
import dev.descent.core.Tensor;
import java.util.List;
import java.util.function.Function;

/**
 * Derivatives as functions: gradients of chosen outputs with respect to chosen inputs (without
 * touching any {@link Variable#grad()}), and, for a function {@code f} of one tensor, its
 * gradient, vector-Jacobian product, Jacobian, Hessian and Hessian-vector product.
 *
 * <p>The helpers that take a function run it on a fresh leaf holding {@code x} inside a
 * {@link Scope}, so every tensor they make is released; they return a new contiguous tensor
 * that the caller owns. Second derivatives come from differentiating the recorded backward pass
 * ({@code createGraph}): an HVP costs about two backward passes (reverse over reverse), a
 * Hessian one backward pass per element of {@code x}, so keep it for small problems (Newton's
 * method, the largest Hessian eigenvalue of seed 004's step-size bound η < 2/λ₁).
 */
public final class Autograd {
    private Autograd() {
    }

    /** The gradient of the one-element {@code output} with respect to each input; the graph is freed. */
    public static List<Variable> grad(Variable output, List<Variable> inputs) {
        return grad(List.of(output), inputs, null, false, false);
    }

    /**
     * The sum over the outputs of {@code seed_k · d output_k / d input}, for each input (zeros for
     * an input that no output depends on). Leaves' {@code grad()} are left alone.
     *
     * @param seeds one per output, of its shape; null for 1 on one-element outputs
     * @param retainGraph keep the graph for another pass
     * @param createGraph record this pass too, so the results can be differentiated again
     *     (implies {@code retainGraph}); the results are then {@linkplain Variable#keep() kept}
     * @return one gradient per input, owned by the caller
     */
    public static List<Variable> grad(List<Variable> outputs, List<Variable> inputs, List<Variable> seeds,
            boolean retainGraph, boolean createGraph) {
        return BackwardPass.grad(outputs, seeds, inputs, retainGraph, createGraph);
    }

    /** ∇f(x) for a scalar-valued {@code f}. */
    public static Tensor grad(Function<Variable, Variable> f, Tensor x) {
        try (Scope scope = Scope.open()) {
            Variable xv = leaf("grad", x);
            Variable y = scalar("grad", f.apply(xv));
            if (!y.requiresGrad()) {
                return scope.keep(zeros(x));
            }
            return scope.keep(grad(y, List.of(xv)).get(0).data().contiguous());
        }
    }

    /** {@code vᵀ J}: the gradient of {@code sum(v * f(x))}; {@code v} has the shape of {@code f(x)}. */
    public static Tensor vjp(Function<Variable, Variable> f, Tensor x, Tensor v) {
        try (Scope scope = Scope.open()) {
            Variable xv = leaf("vjp", x);
            Variable y = f.apply(xv);
            Check.argument(v.shape().equals(y.shape()), "vjp", "v has shape %s, expected the output's shape %s",
                    v.shape(), y.shape());
            if (!y.requiresGrad()) {
                return scope.keep(zeros(x));
            }
            Variable g = grad(List.of(y), List.of(xv), List.of(Variable.constant(v)), false, false).get(0);
            return scope.keep(g.data().contiguous());
        }
    }

    /** {@code H v}, the Hessian of a scalar-valued {@code f} at {@code x} times {@code v} (shape of x). */
    public static Tensor hvp(Function<Variable, Variable> f, Tensor x, Tensor v) {
        Check.argument(v.shape().equals(x.shape()), "hvp", "v has shape %s, expected the shape of x %s", v.shape(),
                x.shape());
        try (Scope scope = Scope.open()) {
            Variable xv = leaf("hvp", x);
            Variable g = firstDerivative("hvp", f, xv);
            if (!g.requiresGrad()) {
                return scope.keep(zeros(x));
            }
            Variable hv = grad(List.of(g), List.of(xv), List.of(Variable.constant(v)), false, false).get(0);
            return scope.keep(hv.data().contiguous());
        }
    }

    /**
     * The Hessian of a scalar-valued {@code f} at {@code x}, of shape {@code x.shape ++ x.shape}:
     * entry (i, j) is d²f / dx_i dx_j. One backward pass per element of {@code x}.
     */
    public static Tensor hessian(Function<Variable, Variable> f, Tensor x) {
        try (Scope scope = Scope.open()) {
            Variable xv = leaf("hessian", x);
            Variable g = firstDerivative("hessian", f, xv);
            int n = (int) x.numel();
            Tensor h = Tensor.zeros(x.device(), x.dtype(), n, n);
            if (g.requiresGrad()) {
                fillRows(h, g, xv);
            }
            return scope.keep(h.reshape(concat(x.shape().dims(), x.shape().dims())));
        }
    }

    /**
     * The Jacobian of {@code f} at {@code x}, of shape {@code f(x).shape ++ x.shape}: entry
     * (i, j) is d f_i / d x_j. One backward pass per element of {@code f(x)}.
     */
    public static Tensor jacobian(Function<Variable, Variable> f, Tensor x) {
        try (Scope scope = Scope.open()) {
            Variable xv = leaf("jacobian", x);
            Variable y = f.apply(xv);
            Tensor j = Tensor.zeros(x.device(), x.dtype(), (int) y.numel(), (int) x.numel());
            if (y.requiresGrad()) {
                fillRows(j, y, xv);
            }
            return scope.keep(j.reshape(concat(y.shape().dims(), x.shape().dims())));
        }
    }

    /** Row k of {@code out} = the gradient of element k of {@code y} with respect to {@code x}, flattened. */
    private static void fillRows(Tensor out, Variable y, Variable x) {
        for (int k = 0; k < y.numel(); k++) {
            try (Tensor seed = oneHot(y, k);
                 Variable row = grad(List.of(y), List.of(x), List.of(Variable.constant(seed)), true, false).get(0);
                 Tensor flat = row.data().reshape(-1);
                 Tensor target = out.select(0, k)) {
                target.copyFrom(flat);
            }
        }
    }

    private static Variable firstDerivative(String op, Function<Variable, Variable> f, Variable x) {
        Variable y = scalar(op, f.apply(x));
        if (!y.requiresGrad()) {
            return Variable.zerosLike(x);
        }
        return grad(List.of(y), List.of(x), null, true, true).get(0);
    }

    private static Variable leaf(String op, Tensor x) {
        x.checkOpen(op);
        Check.floating(op, x);
        return Variable.of(x.to(x.dtype()), true);
    }

    private static Variable scalar(String op, Variable y) {
        Check.argument(y.numel() == 1, op, "expected f to return one element, got shape %s", y.shape());
        return y;
    }

    private static Tensor zeros(Tensor like) {
        return Tensor.zeros(like.device(), like.dtype(), like.shape().dims());
    }

    private static Tensor oneHot(Variable like, int k) {
        Tensor t = Tensor.zeros(like.device(), like.dtype(), like.shape().dims());
        try (Tensor flat = t.reshape(-1); Tensor one = flat.narrow(0, k, 1)) {
            one.fill(1);
        }
        return t;
    }

    private static int[] concat(int[] a, int[] b) {
        int[] r = new int[a.length + b.length];
        System.arraycopy(a, 0, r, 0, a.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }
}
