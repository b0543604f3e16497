package dev.descent.core;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * Releases, when closed, every tensor created inside it on this thread, except those kept.
 * Scopes nest; a kept tensor moves to the enclosing scope (or to no scope at all).
 *
 * <pre>{@code
 * try (Scope scope = Scope.open()) {
 *     Tensor h = x.matmul(w).relu();
 *     return scope.keep(h.sum());   // everything else made here is released
 * }
 * }</pre>
 */
public final class Scope implements AutoCloseable {
    private static final ThreadLocal<Deque<Scope>> STACK = ThreadLocal.withInitial(ArrayDeque::new);
    private static final int PRUNE_MIN = 1024;
    private final List<Tensor> owned = new ArrayList<>();
    private int pruneAt = PRUNE_MIN;
    private final Thread thread = Thread.currentThread();
    private boolean closed;

    private Scope() {
    }

    /** Opens a scope on this thread; close it with try-with-resources. */
    public static Scope open() {
        Scope s = new Scope();
        STACK.get().push(s);
        return s;
    }

    /** Called by every new tensor: the innermost open scope takes ownership. */
    static void register(Tensor t) {
        Scope s = STACK.get().peek();
        if (s != null) {
            if (s.owned.size() >= s.pruneAt) {
                // Tensors closed early need no release: drop them so a long scope stays small.
                s.owned.removeIf(Tensor::isClosed);
                s.pruneAt = Math.max(PRUNE_MIN, 2 * s.owned.size());
            }
            s.owned.add(t);
        }
    }

    /** Takes {@code t} out of this scope into the enclosing one, so it outlives this scope. */
    public Tensor keep(Tensor t) {
        checkUsable();
        for (int i = owned.size() - 1; i >= 0; i--) {
            if (owned.get(i) == t) {
                owned.remove(i);
                Scope parent = parentOf(this);
                if (parent != null) {
                    parent.owned.add(t);
                }
                return t;
            }
        }
        throw new IllegalArgumentException("Scope.keep: the tensor " + t.describe()
                + " was not created in this scope (or was already kept)");
    }

    /**
     * Takes {@code t} out of whichever open scope on this thread owns it, so that no scope
     * releases it: its owner closes it. For tensors that must outlive the scope they happen to
     * be made in, such as a parameter's accumulated gradient or an optimiser's state.
     * Does nothing when no open scope owns {@code t}.
     */
    public static Tensor escape(Tensor t) {
        for (Scope s : STACK.get()) {
            for (int i = s.owned.size() - 1; i >= 0; i--) {
                if (s.owned.get(i) == t) {
                    s.owned.remove(i);
                    return t;
                }
            }
        }
        return t;
    }

    private static Scope parentOf(Scope s) {
        boolean next = false;
        for (Scope candidate : STACK.get()) {
            if (next) {
                return candidate;
            }
            next = candidate == s;
        }
        return null;
    }

    private void checkUsable() {
        if (closed) {
            throw new IllegalStateException("Scope: already closed");
        }
        if (Thread.currentThread() != thread) {
            throw new IllegalStateException("Scope: used from thread " + Thread.currentThread().getName()
                    + " but opened on " + thread.getName());
        }
    }

    /** How many tensors this scope holds (closed ones are dropped from time to time). */
    public int size() {
        return owned.size();
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        checkUsable();
        Deque<Scope> stack = STACK.get();
        if (stack.peek() != this) {
            throw new IllegalStateException("Scope: closed out of order; close inner scopes first");
        }
        stack.pop();
        closed = true;
        for (Tensor t : owned) {
            t.close();
        }
        owned.clear();
    }
}
