package dev.descent.autograd;

/**
 * Whether ops on {@link Variable}s record the graph, per thread. On by default; a
 * {@link NoGrad} block turns it off, and backward passes turn it off while they run
 * (on again with {@code createGraph}, so that the backward pass is itself recorded).
 */
public final class GradMode {
    private static final ThreadLocal<boolean[]> ENABLED = ThreadLocal.withInitial(() -> new boolean[] {true});

    private GradMode() {
    }

    /** Whether ops on this thread record the graph now. */
    public static boolean isEnabled() {
        return ENABLED.get()[0];
    }

    /** Sets the mode on this thread and returns the previous one, for a finally block to restore. */
    static boolean set(boolean enabled) {
        boolean[] state = ENABLED.get();
        boolean previous = state[0];
        state[0] = enabled;
        return previous;
    }
}
