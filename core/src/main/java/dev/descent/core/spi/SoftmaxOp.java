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
 * <li>{@code LOGSUMEXP}: {@code m + log1p(S')}, one value per row;
 * <li>{@code CAUSAL_SOFTMAX}: {@code SOFTMAX} of a row with a causal mask, along the last axis of
 *     a tensor of rank >= 2: in the row at index i of the axis before it (of size m), with n the
 *     row's length, entry j takes part only when {@code j <= i + n - m} (the mask aligned to the
 *     bottom-right corner, so that m queries of a sequence whose last m of n keys they are see the
 *     keys up to their own position: m = n is the usual lower triangle, m = 1 a key/value cache's
 *     new token that sees every key). Masked entries are 0, and a row with no entry left
 *     ({@code i < m - n}) is all 0, never NaN; the rest is {@code SOFTMAX} over the entries kept.
 * </ul>
 *
 * Where the maximum is not finite: a NaN anywhere gives NaN; a row of -inf gives -inf for
 * {@code LOGSUMEXP} and NaN for the others; a +inf gives +inf for {@code LOGSUMEXP}, NaN for
 * {@code SOFTMAX} and {@code x_i - inf} for {@code LOG_SOFTMAX}; {@code CAUSAL_SOFTMAX} follows
 * {@code SOFTMAX} over the entries it keeps.
 */
public enum SoftmaxOp {
    SOFTMAX, LOG_SOFTMAX, LOGSUMEXP, CAUSAL_SOFTMAX;

    public String label() {
        return switch (this) {
            case SOFTMAX -> "softmax";
            case LOG_SOFTMAX -> "logSoftmax";
            case LOGSUMEXP -> "logsumexp";
            case CAUSAL_SOFTMAX -> "causalSoftmax";
        };
    }
}
