package dev.descent.core.spi;

/**
 * The row ops of {@link Backend#softmax}: along one axis, with {@code m} the row's maximum and
 * {@code S' = Σ_{j ≠ k} e^(x_j - m)} the sum without one term at the maximum (index k, whose term
 * is 1), so that {@code log Σ e^(x_j - m) = log1p(S')} keeps its relative precision when one
 * entry dominates:
 *
 * <ul>
 * <li>{@code SOFTMAX}: {@code e^(x_i - m) / (1 + S')};
 * <li>{@code LOG_SOFTMAX}: {@code (x_i - m) - log1p(S')} (Descent's form: a confident row's
 *     log-probabilities near 0 keep full relative precision, where {@code x - logsumexp(x)}
 *     loses it to the rounding of the larger logsumexp);
 * <li>{@code LOGSUMEXP}: {@code m + log1p(S')}, one value per row.
 * </ul>
 *
 * Where the maximum is not finite: a NaN anywhere gives NaN; a row of -inf gives -inf for
 * {@code LOGSUMEXP} and NaN for the others; a +inf gives +inf for {@code LOGSUMEXP}, NaN for
 * {@code SOFTMAX} and {@code x_i - inf} for {@code LOG_SOFTMAX}.
 */
public enum SoftmaxOp {
    SOFTMAX, LOG_SOFTMAX, LOGSUMEXP;

    public String label() {
        return switch (this) {
            case SOFTMAX -> "softmax";
            case LOG_SOFTMAX -> "logSoftmax";
            case LOGSUMEXP -> "logsumexp";
        };
    }
}
