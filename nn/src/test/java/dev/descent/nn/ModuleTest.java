package dev.descent.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.autograd.Variable;
import dev.descent.core.DType;
import dev.descent.core.Device;
import dev.descent.core.Generator;
import dev.descent.core.Scope;
import dev.descent.core.Tensor;
import dev.descent.nn.activation.ReLU;
import dev.descent.nn.activation.Tanh;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ModuleTest {

    /** A module of one's own, in a few lines: what the README shows. */
    static final class TwoLayer extends Module {
        private final Linear hidden;
        private final Linear out;

        TwoLayer(Generator gen) {
            hidden = addModule("hidden", new Linear(2, 8, gen));
            out = addModule("out", new Linear(8, 1, gen));
        }

        @Override
        public Variable forward(Variable x) {
            return out.forward(hidden.forward(x).tanh());
        }
    }

    /** A module with a parameter of its own: y = x * scale. */
    static final class Scale extends Module {
        Scale() {
            addParameter("scale", Tensor.of(new float[] {2f}));
        }

        @Override
        public Variable forward(Variable x) {
            return x.mul(parameter("scale"));
        }
    }

    @Test
    void parametersAndBuffersAreFoundRecursivelyInOrderWithDottedNames() {
        Generator gen = new Generator(1);
        try (Sequential net = new Sequential(new Linear(4, 3, gen), new BatchNorm1d(3), new ReLU(),
                new Sequential(new Linear(3, 2, false, DType.FLOAT32, gen), new Tanh()))) {
            assertEquals(List.of("0.weight", "0.bias", "1.weight", "1.bias", "3.0.weight"),
                    List.copyOf(net.namedParameters().keySet()));
            assertEquals(List.of("1.running_mean", "1.running_var", "1.num_batches_tracked"),
                    List.copyOf(net.namedBuffers().keySet()));
            assertEquals(List.of("0.weight", "0.bias", "1.weight", "1.bias", "1.running_mean", "1.running_var",
                    "1.num_batches_tracked", "3.0.weight"), List.copyOf(net.namedState().keySet()));
            assertEquals(4 * 3 + 3 + 3 + 3 + 3 * 2, net.parameterCount());
            assertEquals(5, net.parameters().size());
            assertTrue(net.parameters().stream().allMatch(Variable::requiresGrad));
        }
    }

    @Test
    void aModuleOfOnesOwnIsAFewLines() {
        try (TwoLayer net = new TwoLayer(new Generator(3)); Scope scope = Scope.open()) {
            assertEquals(List.of("hidden.weight", "hidden.bias", "out.weight", "out.bias"),
                    List.copyOf(net.namedParameters().keySet()));
            Variable y = net.forward(Variable.of(Tensor.of(new float[] {1, 2, 3, 4}, 2, 2)));
            assertArrayEquals(new int[] {2, 1}, y.shape().dims());
            y.sum().backward();
            for (Variable p : net.parameters()) {
                assertNotNull(p.grad());
            }
            net.zeroGrad();
            for (Variable p : net.parameters()) {
                assertNull(p.grad());
            }
            assertTrue(net.toString().contains("(hidden): Linear(in=2, out=8, bias=true)"), net.toString());
        }
    }

    @Test
    void trainAndEvalReachEveryDescendant() {
        Generator gen = new Generator(1);
        try (Sequential net = new Sequential(new Linear(2, 2, gen), new Sequential(new Dropout(0.5, gen)))) {
            assertTrue(net.get(1).isTraining());
            net.eval();
            assertFalse(net.isTraining());
            assertFalse(((Sequential) net.get(1)).get(0).isTraining());
            net.train();
            assertTrue(((Sequential) net.get(1)).get(0).isTraining());
        }
    }

    @Test
    void toDTypeConvertsParametersAndFloatingBuffersKeepingValuesAndNames() {
        try (Sequential net = new Sequential(new Linear(3, 2, new Generator(5)), new BatchNorm1d(2))) {
            float[] before = net.namedParameters().get("0.weight").toFloatArray();
            net.to(DType.FLOAT64);
            Map<String, Tensor> state = net.namedState();
            assertEquals(DType.FLOAT64, state.get("0.weight").dtype());
            assertEquals(DType.FLOAT64, state.get("1.running_var").dtype());
            assertEquals(DType.INT64, state.get("1.num_batches_tracked").dtype());
            assertTrue(net.namedParameters().get("0.weight").requiresGrad());
            double[] after = net.namedParameters().get("0.weight").toDoubleArray();
            for (int i = 0; i < before.length; i++) {
                assertEquals(before[i], after[i], 0.0);
            }
        }
    }

    @Test
    void toDeviceKeepsEverythingOnTheSameDeviceUsable() {
        try (Linear layer = new Linear(2, 2, new Generator(5))) {
            double[] before = layer.weight().toDoubleArray();
            layer.to(Device.cpu());
            assertEquals(Device.cpu(), layer.weight().device());
            assertArrayEquals(before, layer.weight().toDoubleArray());
            assertTrue(layer.weight().requiresGrad());
        }
    }

    @Test
    void parametersSurviveTheScopeTheModuleWasBuiltIn() {
        Linear layer;
        try (Scope scope = Scope.open()) {
            layer = new Linear(2, 2, new Generator(5));
        }
        try (layer) {
            assertFalse(layer.weight().isReleased());
            layer.close();
            assertTrue(layer.weight().isReleased());
        }
    }

    @Test
    void forwardWithReplacesParametersForOneCallOnly() {
        try (Scale m = new Scale(); Scope scope = Scope.open()) {
            Variable original = m.parameter("scale");
            Variable other = Variable.parameter(Tensor.of(new float[] {5f}));
            Variable y = m.forwardWith(Map.of("scale", other), Variable.of(Tensor.of(new float[] {1f, 2f})));
            assertArrayEquals(new float[] {5f, 10f}, y.toFloatArray());
            assertSame(original, m.parameter("scale"));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> m.forwardWith(Map.of("nope", other), Variable.of(Tensor.of(new float[] {1f}))));
            assertTrue(e.getMessage().contains("'nope'"), e.getMessage());
        }
    }

    @Test
    void namesMustBeUniqueAndWithoutDots() {
        class Bad extends Module {
            Bad(String first, String second) {
                addParameter(first, Tensor.zeros(1));
                addBuffer(second, Tensor.zeros(1));
            }

            @Override
            public Variable forward(Variable x) {
                return x;
            }
        }
        IllegalArgumentException dup = assertThrows(IllegalArgumentException.class, () -> new Bad("w", "w"));
        assertTrue(dup.getMessage().contains("'w' is already used"), dup.getMessage());
        IllegalArgumentException dot = assertThrows(IllegalArgumentException.class, () -> new Bad("a.b", "c"));
        assertTrue(dot.getMessage().contains("without dots"), dot.getMessage());
    }

    @Test
    void loadStateNamesTheFirstMismatchAndChangesNothing() {
        Generator gen = new Generator(2);
        try (Sequential a = new Sequential(new Linear(3, 2, gen), new Linear(2, 2, gen));
             Sequential b = new Sequential(new Linear(3, 2, gen), new Linear(2, 2, gen));
             Scope scope = Scope.open()) {
            Map<String, Tensor> state = new java.util.LinkedHashMap<>(b.namedState());
            double[] before = a.namedParameters().get("0.weight").toDoubleArray();
            state.put("1.weight", Tensor.zeros(3, 3));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> a.loadState(state));
            assertTrue(e.getMessage().contains("'1.weight': expected float32[2, 2], given float32[3, 3]"),
                    e.getMessage());
            assertArrayEquals(before, a.namedParameters().get("0.weight").toDoubleArray());
            a.loadState(b.namedState());
            assertArrayEquals(b.namedParameters().get("1.bias").toDoubleArray(),
                    a.namedParameters().get("1.bias").toDoubleArray());
        }
    }

    /** The helper every layer test uses must fail on a wrong gradient: here w's gradient is cut. */
    @Test
    void theModuleGradientCheckCatchesAWrongGradient() {
        class CutGradient extends Module {
            CutGradient() {
                addParameter("w", Tensor.of(new double[] {0.5, -2}));
            }

            @Override
            public Variable forward(Variable x) {
                return x.mul(parameter("w").detach());
            }
        }
        try (CutGradient m = new CutGradient(); Tensor x = Tensor.of(new double[] {1, 3})) {
            assertThrows(org.opentest4j.AssertionFailedError.class, () -> Checks.gradcheckModule(m, x));
        }
    }
}
