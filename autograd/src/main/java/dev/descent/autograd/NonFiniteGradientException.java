package dev.descent.autograd;

/**
 * Thrown in {@link AnomalyMode} when a backward rule produces a NaN or an infinity from a
 * finite incoming gradient. {@link #op()} names the op; the cause, when the op was recorded
 * with anomaly mode on, is a trace of where the forward pass called it.
 */
public final class NonFiniteGradientException extends ArithmeticException {
    private static final long serialVersionUID = 1L;
    private final String op;

    NonFiniteGradientException(String op, String message, Throwable createdAt) {
        super(message);
        this.op = op;
        if (createdAt != null) {
            initCause(createdAt);
        }
    }

    /** The op whose backward rule made the non-finite gradient ({@code "seed"} for the seed itself). */
    public String op() {
        return op;
    }
}
