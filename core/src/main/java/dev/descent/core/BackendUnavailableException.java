package dev.descent.core;

/** A backend was asked for that cannot run here: not installed, no device, no library. */
public class BackendUnavailableException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public BackendUnavailableException(String message) {
        super(message);
    }
}
