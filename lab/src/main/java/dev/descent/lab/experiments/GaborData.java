package dev.descent.lab.experiments;

import dev.descent.autograd.Variable;
import dev.descent.core.Generator;
import dev.descent.core.Tensor;
import dev.descent.lab.support.HostSin;
import java.util.function.Function;

/**
 * The Gabor model of seed 003 eq. 6.8, f[x, φ] = sin(z)·exp(−z²/32) with z = φ0 + 0.06·φ1·x, and
 * a training set made as fig. 6.3 describes: x uniform in [−15, 15], y = f[x, (0, 16.6)] plus
 * normal noise. The loss is L[φ] = Σ (f[x_i, φ] − y_i)² (eq. 6.9).
 */
public record GaborData(double[] x, double[] y) {

    public static GaborData generate(long seed, int n, double phi0, double phi1, double noise) {
        Generator g = new Generator(seed);
        double[] x = g.uniform(n, -15, 15);
        double[] y = new double[n];
        for (int i = 0; i < n; i++) {
            y[i] = model(x[i], phi0, phi1) + noise * g.nextGaussian();
        }
        return new GaborData(x, y);
    }

    public static double model(double x, double phi0, double phi1) {
        double z = phi0 + 0.06 * phi1 * x;
        return Math.sin(z) * Math.exp(-z * z / 32);
    }

    /** L[φ] on the host (heat map, grid search). */
    public double loss(double phi0, double phi1) {
        double s = 0;
        for (int i = 0; i < x.length; i++) {
            double r = model(x[i], phi0, phi1) - y[i];
            s += r * r;
        }
        return s;
    }

    /** ∇L on the host, in closed form: Σ 2r_i·e^{−z²/32}(cos z − z sin z/16)·(1, 0.06x_i). */
    public double[] gradient(double phi0, double phi1) {
        double g0 = 0;
        double g1 = 0;
        for (int i = 0; i < x.length; i++) {
            double z = phi0 + 0.06 * phi1 * x[i];
            double e = Math.exp(-z * z / 32);
            double r = Math.sin(z) * e - y[i];
            double dz = 2 * r * e * (Math.cos(z) - z * Math.sin(z) / 16);
            g0 += dz;
            g1 += dz * 0.06 * x[i];
        }
        return new double[] {g0, g1};
    }

    /** L over the examples {@code idx} (all when null) as a function of φ, through Descent's autograd. */
    public Function<Variable, Variable> lossFunction(int[] idx) {
        double[] bx = idx == null ? x : pick(x, idx);
        double[] by = idx == null ? y : pick(y, idx);
        return phi -> {
            Variable xs = Variable.of(Tensor.of(bx, bx.length));
            Variable ys = Variable.of(Tensor.of(by, by.length));
            Variable z = xs.mul(phi.select(0, 1)).mul(0.06).add(phi.select(0, 0));
            Variable f = HostSin.sin(z).mul(z.square().mul(-1.0 / 32).exp());
            return f.sub(ys).square().sum();
        };
    }

    private static double[] pick(double[] v, int[] idx) {
        double[] out = new double[idx.length];
        for (int i = 0; i < idx.length; i++) {
            out[i] = v[idx[i]];
        }
        return out;
    }
}
