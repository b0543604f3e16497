package dev.descent.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.autograd.Variable;
import dev.descent.core.DType;
import dev.descent.core.Generator;
import dev.descent.core.Tensor;
import dev.descent.cpu.CpuBackend;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Saving and restoring state, parameter groups, hyper-parameter changes, memory and errors. */
class StateAndMemoryTest {

    static Stream<Arguments> optimisers() {
        return Stream.of(
                a("SGD momentum", ps -> new SGD(ps, 0.05, 0.9)),
                a("Adam", ps -> new Adam(ps, 0.01)),
                a("AdamW AMSGrad composed", ps -> new AdamW(ps).set("amsgrad", true).set("fused", false)),
                a("NAdam", ps -> new NAdam(ps)),
                a("RMSprop centered momentum", ps -> new RMSprop(ps).set("centered", true).set("momentum", 0.5)),
                a("Adagrad", ps -> new Adagrad(ps)),
                a("Swats", ps -> new Swats(ps, 0.01)));
    }

    private static Arguments a(String name, Function<List<Variable>, Optimizer> make) {
        return Arguments.of(Named.of(name, make));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("optimisers")
    void resumedRunTakesExactlyTheSameSteps(Function<List<Variable>, Optimizer> make) throws IOException {
        Generator gen = new Generator(11);
        Random r = new Random(5);
        double[][] grads = new double[12][];
        for (int i = 0; i < grads.length; i++) {
            grads[i] = TestSupport.random(r, 6, 1);
        }
        try (Tensor init = Tensor.randn(gen, DType.FLOAT32, 2, 3);
             Variable p = Variable.parameter(init.copy());
             Optimizer full = make.apply(List.of(p))) {
            for (int i = 0; i < 6; i++) {
                TestSupport.setGrad(p, grads[i]);
                full.step();
            }
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            full.saveState().write(bytes);
            float[] midway = p.toFloatArray();
            for (int i = 6; i < 12; i++) {
                TestSupport.setGrad(p, grads[i]);
                full.step();
            }
            try (Variable q = Variable.parameter(Tensor.of(midway, 2, 3)); Optimizer resumed = make.apply(List.of(q))) {
                resumed.loadState(OptimizerState.read(new ByteArrayInputStream(bytes.toByteArray())));
                assertEquals(6, resumed.stepCount());
                for (int i = 6; i < 12; i++) {
                    TestSupport.setGrad(q, grads[i]);
                    resumed.step();
                }
                assertArrayEquals(p.toFloatArray(), q.toFloatArray(), "bit-for-bit continuation");
                q.zeroGrad();
            }
            p.zeroGrad();
        }
    }

    @Test
    void nonFiniteHyperParametersAreRefusedAndLeaveTheGroupAsItWas() {
        try (Variable p = TestSupport.param(1, 2); Variable q = TestSupport.param(0);
             SGD sgd = new SGD(List.of(p), 0.1, 0.9); Adam adam = new Adam(List.of(p), 1e-3)) {
            IllegalArgumentException lr = assertThrows(IllegalArgumentException.class,
                    () -> sgd.set("lr", Double.POSITIVE_INFINITY));
            assertEquals("SGD: expected a finite lr, got Infinity", lr.getMessage());
            assertEquals(0.1, sgd.paramGroups().get(0).lr());
            IllegalArgumentException momentum = assertThrows(IllegalArgumentException.class,
                    () -> sgd.set("momentum", Double.POSITIVE_INFINITY));
            assertEquals("SGD: expected a finite momentum, got Infinity", momentum.getMessage());
            assertEquals(0.9, sgd.paramGroups().get(0).get("momentum"));
            assertThrows(IllegalArgumentException.class, () -> sgd.set("momentum", Double.NaN));
            assertThrows(IllegalArgumentException.class, () -> adam.set("eps", Double.POSITIVE_INFINITY));
            assertThrows(IllegalArgumentException.class, () -> new SGD(List.of(p), Double.POSITIVE_INFINITY, 0));
            assertThrows(IllegalArgumentException.class,
                    () -> adam.addParamGroup(List.of(q), Map.of("lr", Double.NaN)));
        }
    }

    @Test
    void loadingStateOfAnotherShapeIsRejected() {
        try (Variable p = TestSupport.param(1, 2, 3); Variable q = TestSupport.param(1, 2);
             Adam a = new Adam(List.of(p)); Adam b = new Adam(List.of(q))) {
            TestSupport.setGrad(p, new double[] {1, 1, 1});
            a.step();
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> b.loadState(a.saveState()));
            assertTrue(e.getMessage().contains("Adam.loadState"), e.getMessage());
            p.zeroGrad();
        }
    }

    @Test
    void truncatedStateFailsWithAClearError() throws IOException {
        try (Variable p = TestSupport.param(1, 2, 3); Adam a = new Adam(List.of(p))) {
            TestSupport.setGrad(p, new double[] {1, 1, 1});
            a.step();
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            a.saveState().write(bytes);
            byte[] cut = java.util.Arrays.copyOf(bytes.toByteArray(), bytes.size() / 2);
            IOException e = assertThrows(IOException.class, () -> OptimizerState.read(new ByteArrayInputStream(cut)));
            assertTrue(e.getMessage().contains("truncated"), e.getMessage());
            assertThrows(IOException.class, () -> OptimizerState.read(new ByteArrayInputStream(new byte[] {1, 2, 3, 4})));
            p.zeroGrad();
        }
    }

    @Test
    void groupsHaveTheirOwnHyperParametersChangeableBetweenSteps() {
        try (Variable a = TestSupport.param(1.0); Variable b = TestSupport.param(1.0); SGD opt = new SGD(List.of(a))) {
            opt.set("lr", 0.1);
            ParamGroup second = opt.addParamGroup(List.of(b), Map.of("lr", 0.5));
            TestSupport.setGrad(a, new double[] {1});
            TestSupport.setGrad(b, new double[] {1});
            opt.step();
            assertEquals(0.9, a.item(), 1e-15);
            assertEquals(0.5, b.item(), 1e-15);
            second.set("lr", 0.25);
            opt.step();
            assertEquals(0.8, a.item(), 1e-15);
            assertEquals(0.25, b.item(), 1e-15);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> second.set("lrr", 1.0));
            assertTrue(e.getMessage().contains("unknown hyper-parameter 'lrr'"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> opt.addParamGroup(List.of(a), Map.of()));
            assertThrows(IllegalArgumentException.class, () -> opt.set("momentum", -1.0));
            a.zeroGrad();
            b.zeroGrad();
        }
    }

    @Test
    void parametersWithoutGradientsAreSkipped() {
        try (Variable a = TestSupport.param(1.0); Variable b = TestSupport.param(1.0);
             Adam opt = new Adam(List.of(a, b), 0.1)) {
            TestSupport.setGrad(a, new double[] {1});
            opt.step();
            assertEquals(1.0, b.item(), 0);
            assertEquals(0.9, a.item(), 1e-8);
            assertTrue(opt.state(b).isEmpty());
            a.zeroGrad();
        }
    }

    @Test
    void longTrainingLoopsRunInConstantMemoryAndCloseReleasesState() {
        for (boolean fused : new boolean[] {true, false}) {
            long before = CpuBackend.liveBytes();
            try (Variable p = Variable.parameter(Tensor.zeros(DType.FLOAT32, 1000))) {
                long withParameter = CpuBackend.liveBytes();
                Adam opt = new Adam(List.of(p));
                opt.set("fused", fused).set("amsgrad", true);
                long afterFirst = 0;
                for (int i = 0; i < 300; i++) {
                    opt.zeroGrad();
                    Variable loss = p.sub(1.0).square().sum();
                    loss.backward();
                    loss.close();
                    opt.step();
                    if (i == 0) {
                        afterFirst = CpuBackend.liveBytes();
                    }
                }
                // at most: the Cleaner may free another test's garbage meanwhile, never add to it
                assertTrue(CpuBackend.liveBytes() <= afterFirst, "live bytes after 300 steps, fused " + fused + ": "
                        + CpuBackend.liveBytes() + ", after the first " + afterFirst);
                opt.close();
                p.zeroGrad();
                assertTrue(CpuBackend.liveBytes() <= withParameter, "only the parameter is left, fused " + fused);
            }
            assertTrue(CpuBackend.liveBytes() <= before, "all freed");
        }
    }

    @Test
    void closedOptimiserRefusesToStep() {
        try (Variable p = TestSupport.param(1.0)) {
            SGD opt = new SGD(List.of(p));
            opt.close();
            IllegalStateException e = assertThrows(IllegalStateException.class, opt::step);
            assertTrue(e.getMessage().contains("SGD.step"), e.getMessage());
        }
    }
}
