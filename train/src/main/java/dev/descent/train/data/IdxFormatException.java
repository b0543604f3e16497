package dev.descent.train.data;

import java.io.IOException;

/** A file that is not a valid IDX file, or not the IDX file expected; the message names the file and the fault. */
public final class IdxFormatException extends IOException {
    private static final long serialVersionUID = 1L;

    public IdxFormatException(String message) {
        super(message);
    }

    public IdxFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
