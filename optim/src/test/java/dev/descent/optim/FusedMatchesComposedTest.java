package dev.descent.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.descent.autograd.Variable;
import dev.descent.core.DType;
import dev.descent.core.Generator;
import dev.descent.core.Tensor;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The fused backend kernels and elementwise programs against the composed reference form
 * (PyTorch's fused/foreach vs single-tensor check), in float32 on tensors large enough to be
 * split over threads, several tensors per step, for eight steps (RAdam rectifies from step 6).
 */
class FusedMatchesComposedTest {

    static Stream<Arguments> optimisers() {
        return Stream.of(
                Arguments.of(Named.<Function<List<Variable>, Optimizer>>of("SGD",
                        ps -> new SGD(ps).set("lr", 0.1).set("weightDecay", 0.01))),
                Arguments.of(Named.<Function<List<Variable>, Optimizer>>of("SGD momentum Nesterov maximize",
                        ps -> new SGD(ps).set("lr", 0.1).set("momentum", 0.9).set("nesterov", true)
                                .set("maximize", true))),
                Arguments.of(Named.<Function<List<Variable>, Optimizer>>of("SGD EMA momentum",
                        ps -> new SGD(ps).set("lr", 0.1).set("momentum", 0.9).set("emaMomentum", true))),
                Arguments.of(Named.<Function<List<Variable>, Optimizer>>of("Adam",
                        ps -> new Adam(ps).set("lr", 0.01))),
                Arguments.of(Named.<Function<List<Variable>, Optimizer>>of("Adam AMSGrad L2 eps inside",
                        ps -> new Adam(ps).set("lr", 0.01).set("amsgrad", true).set("weightDecay", 0.1)
                                .set("epsInsideSqrt", true))),
                Arguments.of(Named.<Function<List<Variable>, Optimizer>>of("AdamW maximize",
                        ps -> new AdamW(ps).set("lr", 0.01).set("maximize", true))),
                // The optimisers run as elementwise programs.
                of("Adagrad lr decay L2 maximize", ps -> new Adagrad(ps).set("lrDecay", 0.01).set("weightDecay", 0.1)
                        .set("maximize", true)),
                of("Adamax L2", ps -> new Adamax(ps).set("weightDecay", 0.01)),
                of("Lion decoupled decay", ps -> new Lion(ps).set("lr", 1e-3).set("weightDecay", 0.1)),
                of("SignDescent normalised", ps -> new SignDescent(ps).set("eps", 1e-3)),
                of("SignDescent pure sign", ps -> new SignDescent(ps).set("eps", 0.0)),
                of("Yogi", ps -> new Yogi(ps)),
                of("Adadelta L2", ps -> new Adadelta(ps).set("weightDecay", 0.01)),
                of("NAdam", ps -> new NAdam(ps)),
                of("NAdam decoupled decay maximize", ps -> new NAdam(ps).set("weightDecay", 0.1)
                        .set("decoupledWeightDecay", true).set("maximize", true)),
                of("RAdam (rectified from step 6)", ps -> new RAdam(ps)),
                of("RAdam decoupled decay", ps -> new RAdam(ps).set("weightDecay", 0.1).set("decoupledWeightDecay", true)),
                of("RMSprop", ps -> new RMSprop(ps)),
                of("RMSprop centered momentum eps inside L2", ps -> new RMSprop(ps).set("centered", true)
                        .set("momentum", 0.9).set("epsInsideSqrt", true).set("weightDecay", 0.01)));
    }

    private static Arguments of(String name, Function<List<Variable>, Optimizer> make) {
        return Arguments.of(Named.of(name, make));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("optimisers")
    void fusedStepEqualsComposedStepInFloat32(Function<List<Variable>, Optimizer> make) {
        Generator gen = new Generator(3);
        int[] sizes = {100_000, 37, 5000};
        Variable[] fused = new Variable[sizes.length];
        Variable[] composed = new Variable[sizes.length];
        for (int i = 0; i < sizes.length; i++) {
            try (Tensor init = Tensor.randn(gen, DType.FLOAT32, sizes[i])) {
                fused[i] = Variable.parameter(init.copy());
                composed[i] = Variable.parameter(init.copy());
            }
        }
        try (Optimizer a = make.apply(List.of(fused)); Optimizer b = make.apply(List.of(composed))) {
            b.set("fused", false);
            for (int step = 0; step < 8; step++) {
                for (int i = 0; i < sizes.length; i++) {
                    try (Tensor g = Tensor.randn(gen, DType.FLOAT32, sizes[i])) {
                        double[] gv = g.toDoubleArray();
                        setGradF32(fused[i], gv);
                        setGradF32(composed[i], gv);
                    }
                }
                a.step();
                b.step();
                for (int i = 0; i < sizes.length; i++) {
                    float[] x = fused[i].toFloatArray();
                    float[] y = composed[i].toFloatArray();
                    for (int k = 0; k < x.length; k++) {
                        assertEquals(y[k], x[k], 2e-5 * Math.max(1, Math.abs(y[k])),
                                "step " + step + " tensor " + i + " element " + k);
                    }
                }
            }
        } finally {
            for (int i = 0; i < sizes.length; i++) {
                fused[i].close();
                composed[i].close();
            }
        }
    }

    private static void setGradF32(Variable p, double[] g) {
        TestSupport.setGrad(p, g);
    }
}
