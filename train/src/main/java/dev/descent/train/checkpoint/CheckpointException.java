package dev.descent.train.checkpoint;

import java.io.IOException;

/** A checkpoint file that cannot be read or does not fit the run it is restored into; nothing was changed. */
public final class CheckpointException extends IOException {
    private static final long serialVersionUID = 1L;

    public CheckpointException(String message) {
        super(message);
    }

    public CheckpointException(String message, Throwable cause) {
        super(message, cause);
    }
}
