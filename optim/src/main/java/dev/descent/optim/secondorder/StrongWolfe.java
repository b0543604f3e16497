package dev.descent.optim.secondorder;

/**
 * A line search that finds a step satisfying the strong Wolfe conditions
 * (Nocedal and Wright, Algorithms 3.5–3.6; a port of PyTorch's {@code _strong_wolfe}):
 *
 * <pre>
 * φ(t) ≤ φ(0) + c₁·t·φ'(0)        (sufficient decrease, c₁ = 1e-4)
 * |φ'(t)| ≤ −c₂·φ'(0)              (curvature, c₂ = 0.9)
 * </pre>
 *
 * by bracketing and then zooming with safeguarded cubic interpolation.
 */
final class StrongWolfe {
    private static final double C1 = 1e-4;
    private static final double C2 = 0.9;

    private StrongWolfe() {
    }

    record Eval(double value, double[] grad) {
    }

    record Result(double value, double[] grad, double step, int evaluations) {
    }

    interface Objective {
        Eval at(double[] x, double t, double[] d);
    }

    static Result search(Objective obj, double[] x, double t, double[] d, double f, double[] g, double gtd,
            double tolChange, int maxLs) {
        double dNorm = LBFGS.maxAbs(d);
        Eval e = obj.at(x, t, d);
        double fNew = e.value();
        double[] gNew = e.grad();
        int evals = 1;
        double gtdNew = LBFGS.dot(gNew, d);
        double tPrev = 0;
        double fPrev = f;
        double[] gPrev = g;
        double gtdPrev = gtd;
        boolean done = false;
        int lsIter = 0;
        double[] bt = null;
        double[] bf = null;
        double[][] bg = null;
        double[] bgtd = null;
        while (lsIter < maxLs) {
            if (fNew > f + C1 * t * gtd || (lsIter > 1 && fNew >= fPrev)) {
                bt = new double[] {tPrev, t};
                bf = new double[] {fPrev, fNew};
                bg = new double[][] {gPrev, gNew};
                bgtd = new double[] {gtdPrev, gtdNew};
                break;
            }
            if (Math.abs(gtdNew) <= -C2 * gtd) {
                bt = new double[] {t};
                bf = new double[] {fNew};
                bg = new double[][] {gNew};
                done = true;
                break;
            }
            if (gtdNew >= 0) {
                bt = new double[] {tPrev, t};
                bf = new double[] {fPrev, fNew};
                bg = new double[][] {gPrev, gNew};
                bgtd = new double[] {gtdPrev, gtdNew};
                break;
            }
            double minStep = t + 0.01 * (t - tPrev);
            double maxStep = t * 10;
            double tmp = t;
            t = cubicInterpolate(tPrev, fPrev, gtdPrev, t, fNew, gtdNew, minStep, maxStep);
            tPrev = tmp;
            fPrev = fNew;
            gPrev = gNew;
            gtdPrev = gtdNew;
            e = obj.at(x, t, d);
            fNew = e.value();
            gNew = e.grad();
            evals++;
            gtdNew = LBFGS.dot(gNew, d);
            lsIter++;
        }
        if (lsIter == maxLs) {
            bt = new double[] {0, t};
            bf = new double[] {f, fNew};
            bg = new double[][] {g, gNew};
            bgtd = new double[] {gtd, gtdNew};
        }
        boolean insufficientProgress = false;
        int low = bf.length == 1 || bf[0] <= bf[bf.length - 1] ? 0 : 1;
        int high = 1 - low;
        while (!done && lsIter < maxLs) {
            if (Math.abs(bt[1] - bt[0]) * dNorm < tolChange) {
                break;
            }
            t = cubicInterpolate(bt[0], bf[0], bgtd[0], bt[1], bf[1], bgtd[1], Math.min(bt[0], bt[1]),
                    Math.max(bt[0], bt[1]));
            double hi = Math.max(bt[0], bt[1]);
            double lo = Math.min(bt[0], bt[1]);
            double eps = 0.1 * (hi - lo);
            if (Math.min(hi - t, t - lo) < eps) {
                if (insufficientProgress || t >= hi || t <= lo) {
                    t = Math.abs(t - hi) < Math.abs(t - lo) ? hi - eps : lo + eps;
                    insufficientProgress = false;
                } else {
                    insufficientProgress = true;
                }
            } else {
                insufficientProgress = false;
            }
            e = obj.at(x, t, d);
            fNew = e.value();
            gNew = e.grad();
            evals++;
            gtdNew = LBFGS.dot(gNew, d);
            lsIter++;
            if (fNew > f + C1 * t * gtd || fNew >= bf[low]) {
                bt[high] = t;
                bf[high] = fNew;
                bg[high] = gNew;
                bgtd[high] = gtdNew;
                low = bf[0] <= bf[1] ? 0 : 1;
                high = 1 - low;
            } else {
                if (Math.abs(gtdNew) <= -C2 * gtd) {
                    done = true;
                } else if (gtdNew * (bt[high] - bt[low]) >= 0) {
                    bt[high] = bt[low];
                    bf[high] = bf[low];
                    bg[high] = bg[low];
                    bgtd[high] = bgtd[low];
                }
                bt[low] = t;
                bf[low] = fNew;
                bg[low] = gNew;
                bgtd[low] = gtdNew;
            }
        }
        return new Result(bf[low], bg[low], bt[low], evals);
    }

    /** The minimiser of the cubic through (x1, f1, g1) and (x2, f2, g2), clamped to [lo, hi]. */
    static double cubicInterpolate(double x1, double f1, double g1, double x2, double f2, double g2, double lo,
            double hi) {
        double d1 = g1 + g2 - 3 * (f1 - f2) / (x1 - x2);
        double d2sq = d1 * d1 - g1 * g2;
        if (d2sq >= 0) {
            double d2 = Math.sqrt(d2sq);
            double minPos = x1 <= x2
                    ? x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + 2 * d2))
                    : x1 - (x1 - x2) * ((g1 + d2 - d1) / (g1 - g2 + 2 * d2));
            return Math.min(Math.max(minPos, lo), hi);
        }
        return (lo + hi) / 2;
    }
}
