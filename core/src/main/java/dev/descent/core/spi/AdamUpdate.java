package dev.descent.core.spi;

/**
 * The hyper-parameters of one fused Adam step, as {@link Backend#fusedAdam} applies them to
 * every element {@code p} with gradient {@code g}, first moment {@code m}, second moment
 * {@code v} and, with AMSGrad, the running maximum {@code vmax} (seed 003 eqs. 6.15–6.17;
 * PyTorch's {@code torch.optim.Adam}/{@code AdamW}), at step {@code t ≥ 1}:
 *
 * <pre>
 * g ← maximize ? −g : g
 * if weightDecay ≠ 0: decoupled ? p ← p · (1 − lr · weightDecay) : g ← g + weightDecay · p
 * m ← β1 · m + (1 − β1) · g
 * v ← β2 · v + (1 − β2) · g²
 * u ← amsgrad ? (vmax ← max(vmax, v)) : v
 * c1 = 1 − β1^t,  c2 = 1 − β2^t
 * p ← p − lr / c1 · m / (√u / √c2 + ε)          (epsInsideSqrt = false: PyTorch, seed 001)
 * p ← p − lr / c1 · m / √(u / c2 + ε)            (epsInsideSqrt = true: seed 003 eq. 6.17)
 * </pre>
 *
 * @param decoupledWeightDecay AdamW's decay of the weights, instead of L2 added to the gradient
 * @param step t, the number of this step counted from 1 (for the bias corrections, eq. 6.16)
 */
public record AdamUpdate(double lr, double beta1, double beta2, double eps, double weightDecay,
        boolean decoupledWeightDecay, boolean amsgrad, boolean epsInsideSqrt, boolean maximize, long step) {

    /** {@code 1 − β1^t}. */
    public double biasCorrection1() {
        return 1 - Math.pow(beta1, step);
    }

    /** {@code 1 − β2^t}. */
    public double biasCorrection2() {
        return 1 - Math.pow(beta2, step);
    }
}
