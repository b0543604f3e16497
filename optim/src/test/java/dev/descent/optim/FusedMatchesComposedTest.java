package dev.descent.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.descent.autograd.Variable;
import dev.descent.core.DType;
import dev.descent.core.Generator;
import dev.descent.core.Tensor;
import dev.descent.cpu.CpuBackend;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Each optimiser's rule run fused (one backend call for the group) against the same rule
 * composed of tensor ops (PyTorch's fused/foreach vs single-tensor check), in float32 on
 * tensors large enough to be split over threads, several tensors per step, for eight steps
 * (RAdam rectifies from step 6); and the number of backend calls a step takes.
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
    void fusedStepGivesTheComposedStepsBitsInFloat32(Function<List<Variable>, Optimizer> make) {
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
                    // On the CPU both forms round every op to float: the same bits (UpdateRule's contract).
                    for (int k = 0; k < x.length; k++) {
                        assertEquals(Float.floatToIntBits(y[k]), Float.floatToIntBits(x[k]),
                                "step " + step + " tensor " + i + " element " + k + ": fused " + x[k] + ", composed " + y[k]);
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

    @Test
    void aGroupTakesOneBackendCallPerStepAndParametersThatMissedStepsTheirOwn() {
        Generator gen = new Generator(4);
        int[] sizes = {100_000, 37, 5000};
        Variable[] ps = new Variable[sizes.length];
        for (int i = 0; i < sizes.length; i++) {
            ps[i] = Variable.parameter(Tensor.randn(gen, DType.FLOAT32, sizes[i]));
        }
        try (Adam adam = new Adam(List.of(ps))) {
            assertEquals(1, callsOfOneStep(adam, ps, sizes, -1), "every parameter at step 1");
            assertEquals(1, callsOfOneStep(adam, ps, sizes, 1), "parameter 1 without a gradient");
            assertEquals(2, callsOfOneStep(adam, ps, sizes, -1), "parameter 1 one step behind: its own call");
            adam.set("fused", false);
            assertEquals(0, callsOfOneStep(adam, ps, sizes, -1), "the composed form runs tensor ops");
        }
        try (SGD sgd = new SGD(List.of(ps), 0.1, 0.9)) {
            assertEquals(1, callsOfOneStep(sgd, ps, sizes, -1), "every buffer's first step");
            assertEquals(1, callsOfOneStep(sgd, ps, sizes, -1), "the steps after");
        }
        Variable[] mixed = {ps[0], Variable.parameter(Tensor.randn(gen, DType.FLOAT64, 40)), ps[2]};
        int[] mixedSizes = {sizes[0], 40, sizes[2]};
        try (Adam adam = new Adam(List.of(mixed))) {
            assertEquals(2, callsOfOneStep(adam, mixed, mixedSizes, -1), "one call per dtype");
        } finally {
            mixed[1].close();
            for (Variable p : ps) {
                p.close();
            }
        }
    }

    /** {@code CpuBackend.runProgram} calls made by one step, with every parameter but {@code skip} given a gradient. */
    private static long callsOfOneStep(Optimizer opt, Variable[] ps, int[] sizes, int skip) {
        for (int i = 0; i < ps.length; i++) {
            if (i == skip) {
                ps[i].zeroGrad();
            } else {
                setGradF32(ps[i], new double[sizes[i]]);
            }
        }
        long before = CpuBackend.programRuns();
        opt.step();
        return CpuBackend.programRuns() - before;
    }

    private static void setGradF32(Variable p, double[] g) {
        TestSupport.setGrad(p, g);
    }
}
