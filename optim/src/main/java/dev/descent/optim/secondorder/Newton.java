package dev.descent.optim.secondorder;

import dev.descent.autograd.Autograd;
import dev.descent.autograd.NoGrad;
import dev.descent.autograd.Variable;
import dev.descent.core.Scope;
import dev.descent.core.Tensor;
import dev.descent.optim.Optimizer;
import dev.descent.optim.ParamGroup;
import java.util.List;
import java.util.function.Function;

/**
 * Newton's method (seed 004 eq. 2.3; seed 003 §6 notes), for small problems: the Hessian H
 * and gradient come from autograd ({@link Autograd#hessian}, one backward pass per parameter
 * element), and the step solves H·δ = ∇L by Gaussian elimination with partial pivoting:
 *
 * <pre>
 * θ ← θ − α·H(θ)⁻¹·∇L(θ)        (α = lr; 1 is the pure Newton step)
 * </pre>
 *
 * It reaches the minimum of a quadratic with positive-definite H in one step; like the texts
 * warn, it moves toward the nearest stationary point, which may be a maximum or a saddle.
 * The step does not depend on the loss's sign, so {@code maximize}
 * changes nothing. It optimises one parameter tensor; the loss is given as a function of it, because the
 * Hessian needs the function, not just its gradient. Defaults: lr 1.
 */
public final class Newton extends Optimizer {
    private final Variable param;

    public Newton(Variable param) {
        super("Newton", List.of(param), hyper("lr", 1.0));
        this.param = param;
    }

    @Override
    public void step() {
        throw new UnsupportedOperationException(name() + ".step: Newton's method needs the Hessian; call step(loss)"
                + " with the loss as a function of the parameter");
    }

    /**
     * One Newton step; {@code loss} maps the parameter's value to the scalar loss. Returns the
     * loss before the step.
     *
     * @throws ArithmeticException when the Hessian is singular
     */
    public double step(Function<Variable, Variable> loss) {
        checkOpen("step");
        ParamGroup g = paramGroups().get(0);
        try (Scope ignored = Scope.open()) {
            Tensor x = param.data();
            int n = (int) x.numel();
            Tensor grad = Autograd.grad(loss, x);
            Tensor hess = Autograd.hessian(loss, x);
            double value;
            try (NoGrad ng = NoGrad.open()) {
                Variable v = loss.apply(Variable.of(x.copy()));
                value = v.item();
            }
            double[] h = hess.toDoubleArray();
            double[] b = grad.toDoubleArray();
            double[] delta = solve(h, b, n);
            Tensor step = Tensor.of(x.device(), x.dtype(), delta, x.shape().dims());
            x.addScaledInPlace(step, -g.lr());
            state(param).nextStep();
            return value;
        }
    }

    /** Solves A·x = b for an n×n row-major A (copied), by Gaussian elimination with partial pivoting. */
    static double[] solve(double[] a, double[] b, int n) {
        double[][] m = new double[n][n + 1];
        double scale = 0;
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                m[i][j] = a[i * n + j];
                scale = Math.max(scale, Math.abs(m[i][j]));
            }
            m[i][n] = b[i];
        }
        for (int col = 0; col < n; col++) {
            int pivot = col;
            for (int r = col + 1; r < n; r++) {
                if (Math.abs(m[r][col]) > Math.abs(m[pivot][col])) {
                    pivot = r;
                }
            }
            if (Math.abs(m[pivot][col]) <= 1e-14 * Math.max(scale, Double.MIN_NORMAL)) {
                throw new ArithmeticException("Newton: the Hessian is singular (pivot " + m[pivot][col] + " in column "
                        + col + " of " + n + "); add damping or use a first-order method");
            }
            double[] t = m[col];
            m[col] = m[pivot];
            m[pivot] = t;
            for (int r = col + 1; r < n; r++) {
                double f = m[r][col] / m[col][col];
                for (int c = col; c <= n; c++) {
                    m[r][c] -= f * m[col][c];
                }
            }
        }
        double[] x = new double[n];
        for (int i = n - 1; i >= 0; i--) {
            double s = m[i][n];
            for (int j = i + 1; j < n; j++) {
                s -= m[i][j] * x[j];
            }
            x[i] = s / m[i][i];
        }
        return x;
    }

    @Override
    protected void updateGroup(ParamGroup group, List<Variable> params, List<Tensor> grads) {
        throw new UnsupportedOperationException(name() + ": call step(loss)");
    }
}
