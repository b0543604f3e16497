package dev.descent.nn;

import dev.descent.autograd.Variable;

/**
 * Frees an intermediate value of a forward computation once it is known that nothing will read
 * it again, for modules that compose several ops.
 *
 * <p>A value recorded in the graph ({@code gradFn() != null}) belongs to the graph, which frees
 * it after {@code backward()}. A value not recorded (a constant, made when nothing required
 * grad) belongs to the code that made it; it may be freed once the result computed from it
 * records nothing either, since then no node refers to it.
 */
public final class Temporaries {
    private Temporaries() {
    }

    /**
     * Closes {@code temp} when it is a constant and {@code result}, computed from it, does not
     * require grad; otherwise leaves it to the graph. Never closes {@code result} itself.
     */
    public static void release(Variable temp, Variable result) {
        if (temp != result && temp.gradFn() == null && !result.requiresGrad()) {
            temp.close();
        }
    }
}
