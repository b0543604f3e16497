package dev.descent.lab.experiments;

import dev.descent.autograd.Variable;
import dev.descent.core.DType;
import dev.descent.core.Generator;
import dev.descent.core.Scope;
import dev.descent.core.Tensor;
import dev.descent.optim.SGD;
import dev.descent.train.data.Dataset;
import dev.descent.train.data.GeneratedData;
import java.util.ArrayList;
import java.util.List;

/**
 * Seed 000's three-point problem: L = ½ Σ (w·x_i − y_i)² with X = [[0, 1], [1, ½], [1, −½]] and
 * Y = (0, 4, 0), minimum x* = (2, 4/3). SGD picks one of the three examples at random each step
 * and moves w perpendicular to that example's line w·x_i = y_i; the three lines bound the
 * triangle (0, 0), (4, 0), (2, 4), whose centroid is x*.
 *
 * <p>The data are train's {@link GeneratedData#threePointProblem}; this class holds the SGD
 * iterations on them (through Descent, and the same update written out on the host).
 */
public final class ThreePointProblem {
    /** The inputs x_i (rows), from {@link GeneratedData#threePointProblem}. */
    public static final double[][] X;
    /** The targets y_i. */
    public static final double[] Y;
    public static final double[] MINIMUM = {2, 4.0 / 3};

    static {
        try (Dataset d = GeneratedData.threePointProblem(DType.FLOAT64)) {
            double[] x = d.features().toDoubleArray();
            int n = d.size();
            int dims = d.featureCount();
            X = new double[n][dims];
            for (int i = 0; i < n; i++) {
                System.arraycopy(x, i * dims, X[i], 0, dims);
            }
            Y = d.targets().toDoubleArray();
        }
    }

    private ThreePointProblem() {
    }

    /**
     * {@code steps} SGD steps with Descent's {@link SGD} and autograd (l_i = ½(w·x_i − y_i)²); the
     * example of each step is drawn from {@code seed}. Returns the points after each step.
     */
    public static double[][] descent(double alpha, int steps, long seed, double[] start) {
        Generator g = new Generator(seed);
        double[][] out = new double[2][steps];
        Variable w = Variable.parameter(Tensor.of(start.clone(), 2));
        List<Variable> rows = new ArrayList<>();
        try (SGD opt = new SGD(List.of(w), alpha, 0)) {
            for (double[] x : X) {
                rows.add(Variable.of(Tensor.of(x.clone(), 2)));
            }
            for (int k = 0; k < steps; k++) {
                int i = g.nextInt(3);
                try (Scope ignored = Scope.open()) {
                    opt.zeroGrad();
                    Variable r = w.mul(rows.get(i)).sum().sub(Y[i]);
                    r.square().mul(0.5).backward();
                    opt.step();
                }
                double[] p = w.data().toDoubleArray();
                out[0][k] = p[0];
                out[1][k] = p[1];
            }
        } finally {
            rows.forEach(Variable::close);
            w.close();
        }
        return out;
    }

    /**
     * The same iteration written out on the host, w ← w − α(w·x_i − y_i)x_i, with the same
     * random draws: for the long runs of the panels and the zoom (millions of steps). The tests
     * check it against {@link #descent}.
     */
    public static double[][] host(double alpha, int steps, long seed, double[] start) {
        Generator g = new Generator(seed);
        double[][] out = new double[2][steps];
        double w0 = start[0];
        double w1 = start[1];
        for (int k = 0; k < steps; k++) {
            int i = g.nextInt(3);
            double r = w0 * X[i][0] + w1 * X[i][1] - Y[i];
            w0 -= alpha * r * X[i][0];
            w1 -= alpha * r * X[i][1];
            out[0][k] = w0;
            out[1][k] = w1;
        }
        return out;
    }

    /** Whether (x, y) lies in the triangle bounded by the three lines, within {@code tol}. */
    public static boolean insideTriangle(double x, double y, double tol) {
        return y >= -tol && 2 * x - y >= -tol && 8 - 2 * x - y >= -tol;
    }

    /** The fraction of points (from index {@code from}) inside the triangle. */
    public static double fractionInside(double[][] pts, int from, double tol) {
        int in = 0;
        for (int k = from; k < pts[0].length; k++) {
            in += insideTriangle(pts[0][k], pts[1][k], tol) ? 1 : 0;
        }
        return (double) in / (pts[0].length - from);
    }

    /** The mean point from index {@code from}. */
    public static double[] mean(double[][] pts, int from) {
        double sx = 0;
        double sy = 0;
        for (int k = from; k < pts[0].length; k++) {
            sx += pts[0][k];
            sy += pts[1][k];
        }
        int n = pts[0].length - from;
        return new double[] {sx / n, sy / n};
    }

    /** The largest distance from x* (from index {@code from}): the size of the cloud. */
    public static double radius(double[][] pts, int from) {
        double r = 0;
        for (int k = from; k < pts[0].length; k++) {
            r = Math.max(r, Math.hypot(pts[0][k] - MINIMUM[0], pts[1][k] - MINIMUM[1]));
        }
        return r;
    }
}
