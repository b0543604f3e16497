package dev.descent.core;

/**
 * An allocation would take a backend's live memory past its configured bound, even after
 * unreachable tensors were collected: the program holds more tensors than the bound allows (or
 * leaks them faster than the collector returns them). Thrown instead of letting the process grow
 * until the operating system kills it; the message names the bound, the live bytes and the
 * request, and the setting that raises the bound.
 */
public final class MemoryLimitException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public MemoryLimitException(String message) {
        super(message);
    }
}
