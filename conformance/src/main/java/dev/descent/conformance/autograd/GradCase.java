package dev.descent.conformance.autograd;

import dev.descent.autograd.Variable;
import java.util.List;
import java.util.function.Function;

/**
 * One differentiable op applied to inputs of given shapes: what every gradient check runs.
 *
 * @param op the op's name, for grouping and the report
 * @param name what distinguishes this case (shapes, arguments)
 * @param inputs the inputs' shapes and value domains
 * @param f the op applied to leaves holding the inputs
 */
record GradCase(String op, String name, List<GradInput> inputs, Function<List<Variable>, Variable> f) {

    static GradCase unary(String op, String name, GradInput x, Function<Variable, Variable> f) {
        return new GradCase(op, name, List.of(x), xs -> f.apply(xs.get(0)));
    }

    static GradCase binary(String op, String name, GradInput a, GradInput b,
            java.util.function.BiFunction<Variable, Variable, Variable> f) {
        return new GradCase(op, name, List.of(a, b), xs -> f.apply(xs.get(0), xs.get(1)));
    }

    @Override
    public String toString() {
        return op + " " + name;
    }
}
