package dev.descent.autograd;

/**
 * A block in which ops on {@link Variable}s record nothing: results do not require grad and
 * no memory is held for a backward pass. For evaluation, and for parameter updates.
 *
 * <pre>{@code
 * try (NoGrad off = NoGrad.open()) {
 *     w.addScaledInPlace(w.grad(), -lr);
 * }
 * }</pre>
 *
 * Blocks nest; closing one restores the mode that was in force when it was opened.
 */
public final class NoGrad implements AutoCloseable {
    private final boolean previous;
    private boolean closed;

    private NoGrad(boolean previous) {
        this.previous = previous;
    }

    /** Turns recording off on this thread until {@link #close()}. */
    public static NoGrad open() {
        return new NoGrad(GradMode.set(false));
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            GradMode.set(previous);
        }
    }
}
