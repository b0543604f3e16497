package dev.descent.optim.secondorder;

import dev.descent.autograd.NoGrad;
import dev.descent.autograd.Variable;
import dev.descent.core.Scope;
import dev.descent.core.Tensor;
import dev.descent.optim.LossClosure;
import dev.descent.optim.Optimizer;
import dev.descent.optim.OptimizerState;
import dev.descent.optim.ParamGroup;
import dev.descent.optim.ParamState;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;

/**
 * Limited-memory BFGS (Nocedal and Wright, Algorithms 7.4–7.5), a port of PyTorch's
 * {@code torch.optim.LBFGS}, for small full-batch problems. The inverse Hessian is applied
 * implicitly from the last {@code historySize} pairs s_k = θ_{k+1} − θ_k, y_k = g_{k+1} − g_k by
 * the two-loop recursion, with the initial scaling H₀ = sᵀy / yᵀy:
 *
 * <pre>
 * q ← −g;  for k newest→oldest: a_k = ρ_k·s_kᵀq,  q ← q − a_k·y_k       (ρ_k = 1 / y_kᵀs_k)
 * r ← H₀·q; for k oldest→newest: b = ρ_k·y_kᵀr,   r ← r + s_k·(a_k − b)
 * d = r;   θ ← θ + t·d
 * </pre>
 *
 * The step t is {@code lr} (the first iteration: min(1, 1/‖g‖₁)·lr) or, with
 * {@code strongWolfe}, found by a line search satisfying the strong Wolfe conditions
 * (c₁ = 1e-4, c₂ = 0.9, cubic interpolation; PyTorch's {@code _strong_wolfe}). One
 * {@link #step(LossClosure)} runs up to {@code maxIter} iterations.
 *
 * <p>Defaults (PyTorch): lr 1, maxIter 20, maxEval 25 (maxIter·5/4), toleranceGrad 1e-7,
 * toleranceChange 1e-9, historySize 100, strongWolfe false. All parameters form one vector,
 * handled on the host in float64: the method is for small problems. The saved state includes
 * the curvature history, so a resumed run continues exactly.
 */
public final class LBFGS extends Optimizer {
    private final Deque<double[]> dirs = new ArrayDeque<>();
    private final Deque<double[]> steps = new ArrayDeque<>();
    private final Deque<Double> rhos = new ArrayDeque<>();
    private double[] direction;
    private double[] prevGrad;
    private double prevLoss;
    private double t;
    private double hDiag = 1;
    private long iterations;
    private int evaluations;

    public LBFGS(List<Variable> params) {
        super("LBFGS", params, hyper("lr", 1.0, "maxIter", 20.0, "maxEval", 25.0, "toleranceGrad", 1e-7,
                "toleranceChange", 1e-9, "historySize", 100.0, "strongWolfe", false));
    }

    /** Copies the curvature history into the saved state, so a resumed run continues it exactly. */
    @Override
    public OptimizerState saveState() {
        ParamState g = globalState();
        g.close();
        g.setScalar("iterations", iterations);
        g.setScalar("t", t);
        g.setScalar("hDiag", hDiag);
        g.setScalar("prevLoss", prevLoss);
        g.setScalar("history", dirs.size());
        if (direction != null) {
            g.put("direction", Tensor.of(direction));
            g.put("prevGrad", Tensor.of(prevGrad));
        }
        int i = 0;
        Iterator<double[]> s = steps.iterator();
        for (double[] y : dirs) {
            g.put("y" + i, Tensor.of(y));
            g.put("s" + i, Tensor.of(s.next()));
            i++;
        }
        OptimizerState saved = super.saveState();
        g.close();
        return saved;
    }

    @Override
    public void loadState(OptimizerState saved) {
        super.loadState(saved);
        ParamState g = globalState();
        iterations = (long) g.scalar("iterations", 0);
        t = g.scalar("t", 0);
        hDiag = g.scalar("hDiag", 1);
        prevLoss = g.scalar("prevLoss", 0);
        Tensor d = g.tensorOrNull("direction");
        direction = d == null ? null : d.toDoubleArray();
        Tensor pg = g.tensorOrNull("prevGrad");
        prevGrad = pg == null ? null : pg.toDoubleArray();
        dirs.clear();
        steps.clear();
        rhos.clear();
        int n = (int) g.scalar("history", 0);
        for (int i = 0; i < n; i++) {
            double[] y = g.tensorOrNull("y" + i).toDoubleArray();
            double[] s = g.tensorOrNull("s" + i).toDoubleArray();
            dirs.addLast(y);
            steps.addLast(s);
            rhos.addLast(1 / dot(y, s));
        }
        g.close();
    }

    /** Total iterations over every step. */
    public long iterations() {
        return iterations;
    }

    @Override
    public void step() {
        throw new UnsupportedOperationException(name() + ".step: L-BFGS re-evaluates the loss; call step(closure)");
    }

    @Override
    public double step(LossClosure closure) {
        checkOpen("step");
        ParamGroup g = paramGroups().get(0);
        double lr = g.lr();
        int maxIter = (int) g.get("maxIter");
        int maxEval = (int) g.get("maxEval");
        double tolGrad = g.get("toleranceGrad");
        double tolChange = g.get("toleranceChange");
        int history = (int) g.get("historySize");
        double sign = g.flag("maximize") ? -1 : 1;
        LossClosure f = () -> sign * closure.evaluate();

        double origLoss = f.evaluate();
        double loss = origLoss;
        evaluations = 1;
        double[] flatGrad = gatherGrad(sign);
        if (maxAbs(flatGrad) <= tolGrad) {
            return sign * origLoss;
        }
        int nIter = 0;
        while (nIter < maxIter) {
            nIter++;
            iterations++;
            if (iterations == 1) {
                direction = scale(flatGrad, -1);
                dirs.clear();
                steps.clear();
                rhos.clear();
                hDiag = 1;
            } else {
                double[] y = sub(flatGrad, prevGrad);
                double[] s = scale(direction, t);
                double ys = dot(y, s);
                if (ys > 1e-10) {
                    if (dirs.size() == history) {
                        dirs.removeFirst();
                        steps.removeFirst();
                        rhos.removeFirst();
                    }
                    dirs.addLast(y);
                    steps.addLast(s);
                    rhos.addLast(1 / ys);
                    hDiag = ys / dot(y, y);
                }
                direction = twoLoop(flatGrad);
            }
            prevGrad = flatGrad.clone();
            prevLoss = loss;
            t = iterations == 1 ? Math.min(1, 1 / sumAbs(flatGrad)) * lr : lr;
            double gtd = dot(flatGrad, direction);
            if (gtd > -tolChange) {
                break;
            }
            int lsEvals;
            boolean optimal;
            if (g.flag("strongWolfe")) {
                double[] x0 = gatherParams();
                StrongWolfe.Result r = StrongWolfe.search((x, step, d) -> {
                    setParams(x, step, d);
                    double v = f.evaluate();
                    return new StrongWolfe.Eval(v, gatherGrad(sign));
                }, x0, t, direction, loss, flatGrad, gtd, tolChange, 25);
                loss = r.value();
                flatGrad = r.grad();
                t = r.step();
                lsEvals = r.evaluations();
                setParams(x0, t, direction);
                optimal = maxAbs(flatGrad) <= tolGrad;
            } else {
                setParams(gatherParams(), t, direction);
                lsEvals = 0;
                optimal = false;
                if (nIter != maxIter) {
                    loss = f.evaluate();
                    flatGrad = gatherGrad(sign);
                    optimal = maxAbs(flatGrad) <= tolGrad;
                    lsEvals = 1;
                }
            }
            evaluations += lsEvals;
            if (nIter == maxIter || evaluations >= maxEval || optimal) {
                break;
            }
            if (maxAbs(direction) * Math.abs(t) <= tolChange || Math.abs(loss - prevLoss) < tolChange) {
                break;
            }
        }
        return sign * origLoss;
    }

    private double[] twoLoop(double[] grad) {
        int m = dirs.size();
        double[] al = new double[m];
        double[] q = scale(grad, -1);
        Object[] ys = dirs.toArray();
        Object[] ss = steps.toArray();
        Double[] rs = rhos.toArray(new Double[0]);
        for (int i = m - 1; i >= 0; i--) {
            al[i] = dot((double[]) ss[i], q) * rs[i];
            axpy(-al[i], (double[]) ys[i], q);
        }
        double[] r = scale(q, hDiag);
        for (int i = 0; i < m; i++) {
            double be = dot((double[]) ys[i], r) * rs[i];
            axpy(al[i] - be, (double[]) ss[i], r);
        }
        return r;
    }

    private double[] gatherGrad(double sign) {
        List<Variable> ps = params();
        int n = 0;
        for (Variable p : ps) {
            n += (int) p.numel();
        }
        double[] out = new double[n];
        int at = 0;
        for (Variable p : ps) {
            int k = (int) p.numel();
            if (p.grad() != null) {
                double[] gv = p.grad().toDoubleArray();
                for (int i = 0; i < k; i++) {
                    out[at + i] = sign * gv[i];
                }
            }
            at += k;
        }
        return out;
    }

    private double[] gatherParams() {
        List<Variable> ps = params();
        int n = 0;
        for (Variable p : ps) {
            n += (int) p.numel();
        }
        double[] out = new double[n];
        int at = 0;
        for (Variable p : ps) {
            double[] v = p.toDoubleArray();
            System.arraycopy(v, 0, out, at, v.length);
            at += v.length;
        }
        return out;
    }

    private void setParams(double[] x, double step, double[] d) {
        int at = 0;
        try (Scope ignored = Scope.open(); NoGrad ng = NoGrad.open()) {
            for (Variable p : params()) {
                int k = (int) p.numel();
                double[] v = new double[k];
                for (int i = 0; i < k; i++) {
                    v[i] = x[at + i] + step * d[at + i];
                }
                Tensor data = p.data();
                data.copyFrom(Tensor.of(data.device(), data.dtype(), v, data.shape().dims()));
                at += k;
            }
        }
    }

    static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }

    private static void axpy(double alpha, double[] x, double[] y) {
        for (int i = 0; i < x.length; i++) {
            y[i] += alpha * x[i];
        }
    }

    private static double[] scale(double[] a, double s) {
        double[] r = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            r[i] = a[i] * s;
        }
        return r;
    }

    private static double[] sub(double[] a, double[] b) {
        double[] r = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            r[i] = a[i] - b[i];
        }
        return r;
    }

    static double maxAbs(double[] a) {
        double m = 0;
        for (double v : a) {
            m = Math.max(m, Math.abs(v));
        }
        return m;
    }

    private static double sumAbs(double[] a) {
        double m = 0;
        for (double v : a) {
            m += Math.abs(v);
        }
        return m;
    }

    @Override
    protected void updateGroup(ParamGroup group, List<Variable> params, List<Tensor> grads) {
        throw new UnsupportedOperationException(name() + ": call step(closure)");
    }
}
