package dev.descent.lab.experiments;

import dev.descent.lab.support.Symmetric2;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Finds the critical points of a 2-D function inside a rectangle: Newton's method on ∇L = 0
 * (Hessian by central differences of the closed-form gradient) from every node of a coarse grid,
 * keeping the distinct points it converges to, classified by the Hessian's eigenvalues. This is a
 * host-side analysis tool for drawing the landscape (autograd cannot give second derivatives
 * through {@code HostSin}); the optimisation runs themselves use Descent.
 */
public final class CriticalPoints {
    /** A critical point, its loss, the Hessian's eigenvalues and its kind. */
    public record Point(double x, double y, double loss, double[] eigenvalues, Symmetric2.Kind kind) {
    }

    private CriticalPoints() {
    }

    public static List<Point> find(Function<double[], double[]> gradient, Function<double[], Double> loss,
            double x0, double x1, double y0, double y1, int seeds) {
        List<Point> found = new ArrayList<>();
        double merge = 1e-4 * Math.max(x1 - x0, y1 - y0);
        for (int i = 0; i < seeds; i++) {
            for (int j = 0; j < seeds; j++) {
                double[] p = {x0 + (x1 - x0) * (i + 0.5) / seeds, y0 + (y1 - y0) * (j + 0.5) / seeds};
                double[] q = newton(gradient, p, 60);
                if (q == null || q[0] < x0 || q[0] > x1 || q[1] < y0 || q[1] > y1) {
                    continue;
                }
                boolean known = found.stream().anyMatch(f -> Math.hypot(f.x() - q[0], f.y() - q[1]) < merge);
                if (!known) {
                    double[] ev = Symmetric2.eigenvalues(hessian(gradient, q));
                    found.add(new Point(q[0], q[1], loss.apply(q), ev,
                            Symmetric2.classify(ev, 1e-8 * Math.max(1, Math.abs(ev[0])))));
                }
            }
        }
        found.sort((a, b) -> Double.compare(a.loss(), b.loss()));
        return found;
    }

    static double[] hessian(Function<double[], double[]> gradient, double[] p) {
        double h = 1e-5;
        double[] gxp = gradient.apply(new double[] {p[0] + h, p[1]});
        double[] gxm = gradient.apply(new double[] {p[0] - h, p[1]});
        double[] gyp = gradient.apply(new double[] {p[0], p[1] + h});
        double[] gym = gradient.apply(new double[] {p[0], p[1] - h});
        return new double[] {(gxp[0] - gxm[0]) / (2 * h), (gyp[0] - gym[0]) / (2 * h),
            (gxp[1] - gxm[1]) / (2 * h), (gyp[1] - gym[1]) / (2 * h)};
    }

    /** Newton on ∇L = 0; null when it does not converge. */
    static double[] newton(Function<double[], double[]> gradient, double[] start, int iterations) {
        double[] p = start.clone();
        for (int k = 0; k < iterations; k++) {
            double[] g = gradient.apply(p);
            if (Math.hypot(g[0], g[1]) < 1e-10) {
                return p;
            }
            double[] h = hessian(gradient, p);
            double det = h[0] * h[3] - h[1] * h[2];
            if (Math.abs(det) < 1e-14) {
                return null;
            }
            double dx = (h[3] * g[0] - h[1] * g[1]) / det;
            double dy = (-h[2] * g[0] + h[0] * g[1]) / det;
            double len = Math.hypot(dx, dy);
            if (len > 2) {
                dx *= 2 / len;
                dy *= 2 / len;
            }
            p[0] -= dx;
            p[1] -= dy;
            if (!Double.isFinite(p[0]) || !Double.isFinite(p[1])) {
                return null;
            }
        }
        double[] g = gradient.apply(p);
        return Math.hypot(g[0], g[1]) < 1e-8 ? p : null;
    }
}
