package dev.descent.lab.support;

import dev.descent.autograd.Variable;
import dev.descent.core.Tensor;

/**
 * sin for autograd values. Descent's autograd has no sin op yet (core's unary ops stop at
 * tanh), so this builds, from constants computed on the host at the current value z₀,
 *
 * <pre>
 * s(z) = cos(z₀)·z + (sin(z₀) − cos(z₀)·z₀)
 * </pre>
 *
 * whose value at z₀ is exactly sin(z₀) and whose derivative is exactly cos(z₀): what a
 * first-order optimiser needs. Second derivatives through it are wrong (zero), so Hessians of
 * losses that use it are not computed by autograd in the lab.
 */
public final class HostSin {
    private HostSin() {
    }

    public static Variable sin(Variable z) {
        double[] z0 = z.data().toDoubleArray();
        double[] slope = new double[z0.length];
        double[] offset = new double[z0.length];
        for (int i = 0; i < z0.length; i++) {
            slope[i] = Math.cos(z0[i]);
            offset[i] = Math.sin(z0[i]) - slope[i] * z0[i];
        }
        int[] dims = z.shape().dims();
        Variable a = Variable.of(Tensor.of(slope, dims));
        Variable b = Variable.of(Tensor.of(offset, dims));
        return z.mul(a).add(b);
    }
}
