package dev.descent.cli;

/** The exit statuses of {@code descent}. */
public final class ExitCodes {
    /** Done. */
    public static final int OK = 0;
    /** Something outside the command line failed: a missing file, a backend that cannot run, an I/O error. */
    public static final int FAILED = 1;
    /** A wrong option or value. */
    public static final int USAGE = 2;
    /** Training diverged (a non-finite loss); the last good checkpoint is kept. */
    public static final int DIVERGED = 3;

    private ExitCodes() {
    }
}
