package dev.descent.cli;

/** A mistake in what the user asked for: reported as one line with exit status {@link ExitCodes#USAGE}. */
public final class UserError extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public UserError(String message) {
        super(message);
    }
}
