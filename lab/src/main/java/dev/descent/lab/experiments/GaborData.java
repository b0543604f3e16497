package dev.descent.lab.experiments;

import dev.descent.autograd.Variable;
import dev.descent.core.DType;
import dev.descent.core.Generator;
import dev.descent.core.Tensor;
import dev.descent.lab.support.HostSin;
import dev.descent.train.data.Dataset;
import dev.descent.train.data.GeneratedData;
import java.util.function.Function;

/**
 * The Gabor model of seed 003 eq. 6.8, f[x, φ] = sin(z)·exp(−z²/32) with z = φ0 + 0.06·φ1·x
 * ({@link GeneratedData#gabor}), on a training set made by {@link GeneratedData#gaborData} as
 * fig. 6.3 describes (x uniform in [−15, 15], y = f[x, (0, 16.6)] plus normal noise), held here on
 * the host with the loss L[φ] = Σ (f[x_i, φ] − y_i)² (eq. 6.9), its closed-form gradient and its
 * autograd form.
 */
public record GaborData(double[] x, double[] y) {

    /** {@link GeneratedData#gaborData} (float64) drawn from a generator seeded with {@code seed}. */
    public static GaborData generate(long seed, int n, double phi0, double phi1, double noise) {
        try (Dataset d = GeneratedData.gaborData(n, phi0, phi1, noise, new Generator(seed), DType.FLOAT64)) {
            return new GaborData(d.features().toDoubleArray(), d.targets().toDoubleArray());
        }
    }

    public static double model(double x, double phi0, double phi1) {
        return GeneratedData.gabor(x, phi0, phi1);
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
