package dev.descent.nn;

import dev.descent.autograd.Variable;
import dev.descent.core.Check;

/**
 * Modules applied one after another: {@code forward(x) = m_k(...m_2(m_1(x)))}. The children are
 * named {@code 0, 1, ...}, so their parameters are {@code 0.weight}, {@code 1.bias} and so on
 * (as in PyTorch). Like every module it holds maths only: the values between steps belong to
 * the graph (training) or to the caller's {@code Scope} (evaluation).
 */
public final class Sequential extends Module {
    private int size;

    public Sequential(Module... modules) {
        for (Module m : modules) {
            add(m);
        }
    }

    /** Appends a module; returns this. */
    public Sequential add(Module module) {
        Check.argument(module != null, "Sequential.add", "expected a module, got null");
        addModule(Integer.toString(size), module);
        size++;
        return this;
    }

    /** The module at position {@code index}. */
    public Module get(int index) {
        Check.argument(index >= 0 && index < size, "Sequential.get", "index %d is out of range for %d modules", index,
                size);
        return children().get(Integer.toString(index));
    }

    public int size() {
        return size;
    }

    @Override
    public Variable forward(Variable input) {
        Variable h = input;
        for (Module m : children().values()) {
            h = m.forward(h);
        }
        return h;
    }
}
