package dev.descent.lab.support;

import java.util.function.DoubleBinaryOperator;

/** A function of two variables sampled on a regular grid: z[j][i] = f(x_i, y_j). */
public record Grid(double x0, double x1, double y0, double y1, double[][] z) {

    public static Grid sample(DoubleBinaryOperator f, double x0, double x1, double y0, double y1, int nx, int ny) {
        double[][] z = new double[ny][nx];
        for (int j = 0; j < ny; j++) {
            for (int i = 0; i < nx; i++) {
                z[j][i] = f.applyAsDouble(x(x0, x1, nx, i), x(y0, y1, ny, j));
            }
        }
        return new Grid(x0, x1, y0, y1, z);
    }

    private static double x(double lo, double hi, int n, int i) {
        return lo + (hi - lo) * i / (n - 1);
    }

    public int nx() {
        return z[0].length;
    }

    public int ny() {
        return z.length;
    }

    public double xAt(int i) {
        return x(x0, x1, nx(), i);
    }

    public double yAt(int j) {
        return x(y0, y1, ny(), j);
    }

    /** {x, y, z} of the lowest sample. */
    public double[] argmin() {
        double[] best = {Double.NaN, Double.NaN, Double.POSITIVE_INFINITY};
        for (int j = 0; j < ny(); j++) {
            for (int i = 0; i < nx(); i++) {
                if (z[j][i] < best[2]) {
                    best = new double[] {xAt(i), yAt(j), z[j][i]};
                }
            }
        }
        return best;
    }

    public PlanePlot plot(String title, String xLabel, String yLabel, boolean log) {
        return new PlanePlot(title, xLabel, yLabel, x0, x1, y0, y1).heat(z, log);
    }
}
