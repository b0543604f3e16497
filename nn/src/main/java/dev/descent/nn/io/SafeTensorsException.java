package dev.descent.nn.io;

import java.io.IOException;

/** A file that is not valid safetensors (truncated, inconsistent header, unsupported dtype); the message says what and where. */
public final class SafeTensorsException extends IOException {
    private static final long serialVersionUID = 1L;

    public SafeTensorsException(String message) {
        super(message);
    }

    public SafeTensorsException(String message, Throwable cause) {
        super(message, cause);
    }
}
