package dev.descent.optim;

import dev.descent.core.Check;
import dev.descent.core.Scope;
import dev.descent.core.Tensor;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * What an optimiser remembers about one parameter between steps: named tensors (moments,
 * momentum buffers) and named numbers (the step count, products of decays). The optimiser
 * owns the tensors and closes them; saving and restoring the state copies both kinds exactly.
 */
public final class ParamState implements AutoCloseable {
    private final Map<String, Tensor> tensors = new LinkedHashMap<>();
    private final Map<String, Double> scalars = new LinkedHashMap<>();

    /** The tensor named {@code name}, made by {@code init} the first time it is asked for. */
    public Tensor tensor(String name, Supplier<Tensor> init) {
        Tensor t = tensors.get(name);
        if (t == null) {
            t = init.get();
            put(name, t);
        }
        return t;
    }

    /** The tensor named {@code name}, or null. */
    public Tensor tensorOrNull(String name) {
        return tensors.get(name);
    }

    /** Stores {@code t} under {@code name}, closing the tensor it replaces; the state now owns it. */
    public void put(String name, Tensor t) {
        Scope.escape(t);
        Tensor old = tensors.put(name, t);
        if (old != null && old != t) {
            old.close();
        }
    }

    /** Drops and closes the tensor named {@code name}, if any. */
    public void remove(String name) {
        Tensor old = tensors.remove(name);
        if (old != null) {
            old.close();
        }
    }

    /** A stored number, or {@code otherwise} when absent. */
    public double scalar(String name, double otherwise) {
        return scalars.getOrDefault(name, otherwise);
    }

    public void setScalar(String name, double value) {
        scalars.put(name, value);
    }

    /** How many updates this parameter has had (PyTorch's per-parameter {@code step}). */
    public long step() {
        return (long) scalar("step", 0);
    }

    /** Adds one to {@link #step()} and returns the new count. */
    public long nextStep() {
        long t = step() + 1;
        setScalar("step", t);
        return t;
    }

    public Map<String, Tensor> tensors() {
        return Collections.unmodifiableMap(tensors);
    }

    public Map<String, Double> scalars() {
        return Collections.unmodifiableMap(scalars);
    }

    public boolean isEmpty() {
        return tensors.isEmpty() && scalars.isEmpty();
    }

    static void checkOpen(Tensor t, String name) {
        Check.argument(!t.isClosed(), "ParamState", "state tensor '%s' was closed by someone else", name);
    }

    /** Closes every tensor and forgets every number. */
    @Override
    public void close() {
        for (Tensor t : tensors.values()) {
            t.close();
        }
        tensors.clear();
        scalars.clear();
    }
}
