package dev.descent.autograd;

/**
 * Anomaly detection, per thread. While it is on, every op records where it was called (a stack
 * trace), and every backward pass checks each gradient it computes: the first op whose backward
 * rule turns a finite gradient into a NaN or an infinity throws a
 * {@link NonFiniteGradientException} naming that op and, as its cause, where the op was called
 * in the forward pass. It costs a host round trip per gradient, so it is for debugging.
 *
 * <pre>{@code
 * try (AnomalyMode on = AnomalyMode.enable()) {
 *     loss(model, batch).backward();
 * }
 * }</pre>
 */
public final class AnomalyMode implements AutoCloseable {
    private static final ThreadLocal<boolean[]> ENABLED = ThreadLocal.withInitial(() -> new boolean[] {false});
    private final boolean previous;
    private boolean closed;

    private AnomalyMode(boolean previous) {
        this.previous = previous;
    }

    /** Turns anomaly detection on for this thread until {@link #close()}. */
    public static AnomalyMode enable() {
        boolean[] state = ENABLED.get();
        AnomalyMode m = new AnomalyMode(state[0]);
        state[0] = true;
        return m;
    }

    public static boolean isEnabled() {
        return ENABLED.get()[0];
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            ENABLED.get()[0] = previous;
        }
    }
}
