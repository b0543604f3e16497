package dev.descent.autograd;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.core.DType;
import dev.descent.core.Generator;
import dev.descent.core.Shape;
import dev.descent.core.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A sample of backward rules, first and second order, on this module's reference backend. The
 * full catalogue (every op, several shapes, views, float32) is the gradient conformance suite,
 * which every backend runs; this sample keeps the module's own build honest.
 */
class RuleSampleTest {

    static Stream<Arguments> samples() {
        return Stream.of(
                sample("batched matmul with broadcast batch", xs -> xs.get(0).matmul(xs.get(1)), 2, 1, 2, 3, -1, 3, 3, 2),
                sample("softmax of a product", xs -> xs.get(0).mul(xs.get(1)).softmax(1), 3, 4, -1, 4),
                sample("pow with tensor exponent", xs -> xs.get(0).square().add(0.5).pow(xs.get(1)), 2, 3, -1, 3),
                sample("var over an axis", xs -> xs.get(0).var(new int[] {1}, 1, true), 3, 4),
                sample("logsumexp over two axes", xs -> xs.get(0).logsumexp(0, 2), 2, 3, 2),
                sample("gelu and softplus", xs -> xs.get(0).gelu().add(xs.get(0).softplus()), 5),
                sample("gather along axis 1", xs -> xs.get(0).gather(1, Tensor.of(new long[] {0, 2, 2, 1}, 2, 2)), 2, 3),
                sample("indexSelect with repeats", xs -> xs.get(0).indexSelect(0, Tensor.of(new long[] {1, 1, 0})), 2, 3),
                sample("strided slice and select", xs -> xs.get(0).slice(1, 1, 5, 2).select(0, 1).exp(), 3, 5),
                sample("concat and stack", xs -> Variable.stack(List.of(Variable.concat(List.of(xs.get(0), xs.get(1)), 0),
                        Variable.concat(List.of(xs.get(1), xs.get(0)), 0)), 1).tanh(), 2, -1, 2),
                sample("where and maximum", xs -> Variable.where(Tensor.of(new double[] {1, 0, 1}), xs.get(0),
                        xs.get(1).maximum(xs.get(0).mul(0.5))), 3, -1, 2, 3),
                sample("expand and sumTo", xs -> xs.get(0).expand(2, 3, 4).mul(xs.get(1)).sumTo(Shape.of(3, 1)), 3, 1,
                        -1, 4));
    }

    /** dims lists the inputs' shapes separated by -1. */
    private static Arguments sample(String name, Function<List<Variable>, Variable> f, int... dims) {
        return Arguments.of(name, f, dims);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("samples")
    void firstAndSecondDerivativesMatchFiniteDifferences(String name, Function<List<Variable>, Variable> f,
            int[] dims) {
        List<Tensor> inputs = inputs(dims, new Generator(name.hashCode()));
        GradCheckResult first = GradCheck.gradcheck(f, inputs);
        assertTrue(first.passed(), first::toString);
        GradCheckResult second = GradCheck.gradgradcheck(xs -> f.apply(xs).square(), inputs);
        assertTrue(second.passed(), second::toString);
    }

    private static List<Tensor> inputs(int[] dims, Generator gen) {
        List<Tensor> out = new ArrayList<>();
        List<Integer> shape = new ArrayList<>();
        for (int i = 0; i <= dims.length; i++) {
            if (i == dims.length || dims[i] == -1) {
                out.add(Tensor.uniform(gen, -2, 2, DType.FLOAT64, shape.stream().mapToInt(Integer::intValue).toArray()));
                shape.clear();
            } else {
                shape.add(dims[i]);
            }
        }
        return out;
    }
}
