package dev.descent.core.spi;

/**
 * The hyper-parameters of one fused SGD step, as {@link Backend#fusedSgd} applies them to
 * every element {@code p} of a parameter with gradient {@code g} and momentum buffer {@code b}
 * (PyTorch's {@code torch.optim.SGD}, single-tensor form):
 *
 * <pre>
 * g ← (maximize ? −g : g) + weightDecay · p
 * if momentum ≠ 0:
 *     b ← firstStep ? g : momentum · b + (1 − dampening) · g
 *     g ← nesterov ? (1 − dampening) · g + momentum · b : b
 * p ← p − lr · g
 * </pre>
 *
 * Classic momentum (seed 004 eq. 2.7) is {@code dampening = 0}, where the Nesterov step is
 * PyTorch's {@code g + μ·b}; the exponential moving average of seeds 001/003 (eq. 6.11) is
 * {@code dampening = momentum}, where it is {@code (1 − β)·g + β·m}, the look-ahead form of
 * seed 003 eq. 6.12 (PyTorch forbids Nesterov with dampening, so both agree with it where it
 * is defined).
 *
 * @param firstStep the buffer is uninitialised and is set to {@code g} (as PyTorch clones it)
 */
public record SgdUpdate(double lr, double weightDecay, double momentum, double dampening, boolean nesterov,
        boolean maximize, boolean firstStep) {
}
