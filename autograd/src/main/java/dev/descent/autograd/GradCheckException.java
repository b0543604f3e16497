package dev.descent.autograd;

/** Thrown by {@link GradCheckResult#orThrow()} when analytic and numeric derivatives disagree. */
public final class GradCheckException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    GradCheckException(String message) {
        super(message);
    }
}
