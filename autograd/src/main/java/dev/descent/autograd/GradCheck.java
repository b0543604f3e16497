package dev.descent.autograd;

import dev.descent.core.DType;
import dev.descent.core.Generator;
import dev.descent.core.Scope;
import dev.descent.core.Shape;
import dev.descent.core.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Checks a function's derivatives against central finite differences (seed 001 part 2: the
 * numerical derivative that back-propagation replaces, kept as the referee), as PyTorch's
 * {@code gradcheck} and {@code gradgradcheck} do.
 *
 * <p>For every output element k and input element j, the analytic derivative (one backward
 * pass per output element, seeded with the k-th unit vector) is compared with
 * {@code (f(x + eps e_j)_k - f(x - eps e_j)_k) / (2 eps)}. An element passes when
 * {@code |analytic - numeric| <= atol + rtol * |numeric|}. The defaults are PyTorch's:
 * {@code eps = 1e-6}, {@code atol = 1e-5}, {@code rtol = 1e-3}. The central difference has
 * truncation error O(eps²) (about 1e-12 for smooth functions) and rounding error about
 * {@code 1e-16 |f| / eps} (about 1e-10), both far inside the tolerance; inputs must therefore be
 * float64, where float32 rounding alone (1e-7 / 1e-6) would swamp it. Keep inputs away from
 * kinks (relu at 0, ties of max) by more than eps.
 *
 * <p>Inputs may be non-contiguous views; each is perturbed in place through a view of one
 * element and restored exactly. A broadcast view (stride 0) is refused, since one write would
 * move several elements. The function must be deterministic and is called
 * {@code 2 * (number of input elements) + 1} times.
 */
public final class GradCheck {

    /**
     * Step and tolerances of a check.
     *
     * @param eps the finite-difference step
     * @param atol the absolute tolerance
     * @param rtol the tolerance relative to the numeric derivative
     */
    public record Tolerance(double eps, double atol, double rtol) {
        /** PyTorch's defaults: eps 1e-6, atol 1e-5, rtol 1e-3. */
        public static final Tolerance DEFAULT = new Tolerance(1e-6, 1e-5, 1e-3);

        public Tolerance {
            if (!(eps > 0) || !(atol >= 0) || !(rtol >= 0)) {
                throw new IllegalArgumentException("GradCheck.Tolerance: expected eps > 0, atol >= 0 and rtol >= 0,"
                        + " got eps " + eps + ", atol " + atol + ", rtol " + rtol);
            }
        }
    }

    private GradCheck() {
    }

    /** {@link #gradcheck(Function, List, Tolerance)} with {@link Tolerance#DEFAULT}. */
    public static GradCheckResult gradcheck(Function<List<Variable>, Variable> f, List<Tensor> inputs) {
        return gradcheck(f, inputs, Tolerance.DEFAULT);
    }

    /**
     * Compares the first derivatives of {@code f} with respect to every input with finite
     * differences. {@code f} receives leaves that require grad, holding {@code inputs}.
     */
    public static GradCheckResult gradcheck(Function<List<Variable>, Variable> f, List<Tensor> inputs, Tolerance tol) {
        return compare("gradcheck", f, inputs, tol);
    }

    /** {@link #gradgradcheck(Function, List, Tolerance, long)} with the default tolerance and seed 0. */
    public static GradCheckResult gradgradcheck(Function<List<Variable>, Variable> f, List<Tensor> inputs) {
        return gradgradcheck(f, inputs, Tolerance.DEFAULT, 0);
    }

    /**
     * Checks second derivatives: {@code x -> vᵀ J_f(x)}, the first derivative computed by a
     * backward pass with {@code createGraph} for a fixed random {@code v} (drawn from
     * {@code seed}), is itself checked with {@link #gradcheck}.
     */
    public static GradCheckResult gradgradcheck(Function<List<Variable>, Variable> f, List<Tensor> inputs,
            Tolerance tol, long seed) {
        validate("gradgradcheck", inputs);
        Shape outShape = outputShape(f, inputs);
        double[] values = new Generator(seed).normal((int) outShape.numel(), 0, 1);
        Tensor v;
        try (Tensor flat = Tensor.of(inputs.get(0).device(), DType.FLOAT64, values)) {
            v = flat.reshape(outShape.dims());
        }
        try {
            Function<List<Variable>, Variable> firstDerivative = xs -> {
                Variable y = f.apply(xs);
                List<Variable> parts = new ArrayList<>();
                if (y.requiresGrad()) {
                    for (Variable g : Autograd.grad(List.of(y), xs, List.of(Variable.constant(v)), true, true)) {
                        parts.add(g.flatten());
                    }
                } else {
                    for (Variable x : xs) {
                        parts.add(Variable.zerosLike(x).flatten());
                    }
                }
                return Variable.concat(parts, 0);
            };
            return compare("gradgradcheck", firstDerivative, inputs, tol);
        } finally {
            v.close();
        }
    }

    // ---------------------------------------------------------------- the comparison

    private static GradCheckResult compare(String check, Function<List<Variable>, Variable> f, List<Tensor> inputs,
            Tolerance tol) {
        validate(check, inputs);
        List<Variable> leaves = leaves(inputs);
        try {
            double[][][] analytic = analyticJacobian(f, leaves);
            Worst worst = new Worst(check, tol);
            for (int i = 0; i < inputs.size(); i++) {
                for (int j = 0; j < inputs.get(i).numel(); j++) {
                    double[] numeric = numericColumn(f, leaves, inputs.get(i), j, tol.eps());
                    for (int k = 0; k < numeric.length; k++) {
                        worst.offer(i, j, k, analytic[i][k][j], numeric[k]);
                    }
                }
            }
            return worst.result();
        } finally {
            for (Variable l : leaves) {
                l.close();
            }
        }
    }

    /** [input][output element][input element], one backward pass per output element. */
    private static double[][][] analyticJacobian(Function<List<Variable>, Variable> f, List<Variable> leaves) {
        try (Scope scope = Scope.open()) {
            Variable y = f.apply(leaves);
            int m = (int) y.numel();
            double[][][] jac = new double[leaves.size()][m][];
            for (int k = 0; k < m; k++) {
                for (int i = 0; i < leaves.size(); i++) {
                    jac[i][k] = new double[(int) leaves.get(i).numel()];
                }
                if (!y.requiresGrad()) {
                    continue;
                }
                Tensor seed = Tensor.zeros(y.device(), y.dtype(), y.shape().dims());
                try (Tensor flat = seed.reshape(-1); Tensor one = flat.narrow(0, k, 1)) {
                    one.fill(1);
                }
                List<Variable> grads = Autograd.grad(List.of(y), leaves, List.of(Variable.constant(seed)), true, false);
                for (int i = 0; i < grads.size(); i++) {
                    jac[i][k] = grads.get(i).toDoubleArray();
                    grads.get(i).close();
                }
                seed.close();
            }
            return jac;
        }
    }

    /** d f / d input_j by central differences, for every output element. */
    private static double[] numericColumn(Function<List<Variable>, Variable> f, List<Variable> leaves, Tensor input,
            int j, double eps) {
        try (Tensor element = element(input, j)) {
            double original = element.item();
            element.fill(original + eps);
            double[] plus = evaluate(f, leaves);
            element.fill(original - eps);
            double[] minus = evaluate(f, leaves);
            element.fill(original);
            double[] column = new double[plus.length];
            for (int k = 0; k < column.length; k++) {
                column[k] = (plus[k] - minus[k]) / (2 * eps);
            }
            return column;
        }
    }

    private static double[] evaluate(Function<List<Variable>, Variable> f, List<Variable> leaves) {
        try (Scope scope = Scope.open()) {
            return f.apply(leaves).toDoubleArray();
        }
    }

    /** A rank-0 view of element {@code j} (row-major) of {@code t}, sharing its memory. */
    private static Tensor element(Tensor t, long j) {
        int[] dims = t.shape().dims();
        int[] coords = new int[dims.length];
        long rest = j;
        for (int d = dims.length - 1; d >= 0; d--) {
            coords[d] = (int) (rest % dims[d]);
            rest /= dims[d];
        }
        Tensor v = t.to(t.dtype());
        for (int c : coords) {
            Tensor next = v.select(0, c);
            v.close();
            v = next;
        }
        return v;
    }

    private static Shape outputShape(Function<List<Variable>, Variable> f, List<Tensor> inputs) {
        List<Variable> leaves = leaves(inputs);
        try (Scope scope = Scope.open()) {
            return f.apply(leaves).shape();
        } finally {
            for (Variable l : leaves) {
                l.close();
            }
        }
    }

    private static List<Variable> leaves(List<Tensor> inputs) {
        List<Variable> leaves = new ArrayList<>(inputs.size());
        for (Tensor t : inputs) {
            leaves.add(Variable.of(t.to(t.dtype()), true));
        }
        return leaves;
    }

    private static void validate(String check, List<Tensor> inputs) {
        if (inputs.isEmpty()) {
            throw new IllegalArgumentException(check + ": expected at least one input");
        }
        for (int i = 0; i < inputs.size(); i++) {
            Tensor t = inputs.get(i);
            t.checkOpen(check);
            if (t.dtype() != DType.FLOAT64) {
                throw new IllegalArgumentException(check + ": input " + i + " is " + t.dtype() + ", expected float64"
                        + " (finite differences in float32 are too coarse; convert with .to(DType.FLOAT64))");
            }
            long[] strides = t.strides();
            for (int d = 0; d < t.rank(); d++) {
                if (strides[d] == 0 && t.size(d) > 1) {
                    throw new IllegalArgumentException(check + ": input " + i + " " + t.shape() + " is a broadcast"
                            + " view (stride 0 at axis " + d + "), where one perturbation would move several"
                            + " elements; pass a copy");
                }
            }
        }
    }

    /** The element whose error uses the largest share of its tolerance. */
    private static final class Worst {
        private final String check;
        private final Tolerance tol;
        private double ratio = -1;
        private int input = -1;
        private long inputIndex;
        private long outputIndex;
        private double analytic;
        private double numeric;
        private long compared;

        Worst(String check, Tolerance tol) {
            this.check = check;
            this.tol = tol;
        }

        void offer(int i, long j, long k, double a, double n) {
            compared++;
            double allowed = tol.atol() + tol.rtol() * Math.abs(n);
            double err = Math.abs(a - n);
            double r = Double.isNaN(err) ? Double.POSITIVE_INFINITY
                    : allowed == 0 ? (err == 0 ? 0 : Double.POSITIVE_INFINITY) : err / allowed;
            if (r > ratio) {
                ratio = r;
                input = i;
                inputIndex = j;
                outputIndex = k;
                analytic = a;
                numeric = n;
            }
        }

        GradCheckResult result() {
            double allowed = tol.atol() + tol.rtol() * Math.abs(numeric);
            return new GradCheckResult(check, ratio <= 1, input, inputIndex, outputIndex, analytic, numeric, allowed,
                    compared);
        }
    }
}
