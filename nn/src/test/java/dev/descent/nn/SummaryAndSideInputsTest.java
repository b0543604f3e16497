package dev.descent.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.autograd.Variable;
import dev.descent.core.DType;
import dev.descent.core.Generator;
import dev.descent.core.Scope;
import dev.descent.core.Tensor;
import dev.descent.nn.activation.ReLU;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Module.summary's table, and side inputs (an attention mask) through Module and Sequential. */
class SummaryAndSideInputsTest {
    @Test
    void theSummaryListsLayersOutputShapesAndParameterCounts() {
        Generator gen = new Generator(1);
        try (Sequential mlp = new Sequential(new Flatten(), new Linear(784, 256, gen), new ReLU(),
                new Sequential(new Linear(256, 128, gen), new BatchNorm1d(128)), new Linear(128, 10, gen))) {
            String s = mlp.summary(1, 28, 28);
            List<String> lines = s.lines().toList();
            assertTrue(lines.get(0).startsWith("Layer (type)"), s);
            assertTrue(row(lines, "Sequential").contains("[1, 10]") && row(lines, "Sequential").endsWith("235,402"), s);
            assertTrue(row(lines, "0: Flatten").contains("[1, 784]") && row(lines, "0: Flatten").endsWith(" 0"), s);
            assertTrue(row(lines, "1: Linear").contains("[1, 256]") && row(lines, "1: Linear").endsWith("200,960"), s);
            assertTrue(row(lines, "3: Sequential").contains("[1, 128]"), s);
            assertTrue(row(lines, "    0: Linear").contains("[1, 128]") && row(lines, "    0: Linear").endsWith("32,896"),
                    s);
            assertTrue(row(lines, "    1: BatchNorm1d").endsWith("256"), s);
            assertTrue(s.contains("Total params: 235,402 (trainable 235,402)"), s);
            assertTrue(s.contains("Buffers: 257 elements"), s);
            assertTrue(mlp.isTraining(), "the summary leaves the mode as it was");
            assertEquals(235_402, mlp.parameterCount());
        }
    }

    private static String row(List<String> lines, String start) {
        return lines.stream().filter(l -> l.startsWith(start + " ") || l.startsWith("  " + start + " ")
                || l.startsWith(start)).findFirst().orElseThrow(() -> new AssertionError("no row " + start)).strip();
    }

    /** A layer that reads a mask: adds it to its input (as an attention score mask would). */
    static final class Masked extends Module {
        @Override
        public Variable forward(Variable input) {
            return input;
        }

        @Override
        public Variable forward(Variable input, Variable... sideInputs) {
            return sideInputs.length == 0 ? forward(input) : input.add(sideInputs[0]);
        }

        @Override
        public boolean takesSideInputs() {
            return true;
        }
    }

    @Test
    void sideInputsReachTheModulesThatTakeThemThroughSequential() {
        Generator gen = new Generator(2);
        try (Linear lin = new Linear(3, 3, gen);
             Sequential s = new Sequential(new Masked(), lin, new Masked());
             Scope scope = Scope.open()) {
            Variable x = Variable.of(Tensor.randn(gen, DType.FLOAT32, 2, 3));
            Variable mask = Variable.of(Tensor.full(DType.FLOAT32, -1, 2, 3));
            Variable got = s.forward(x, mask);
            Variable want = lin.forward(x.add(mask)).add(mask);
            assertArrayEquals(want.toDoubleArray(), got.toDoubleArray(), 0);
            assertArrayEquals(lin.forward(x).toDoubleArray(), s.forward(x).toDoubleArray(), 0,
                    "without side inputs every module runs its one-input form");
            assertTrue(s.takesSideInputs());
        }
    }

    @Test
    void aModuleWithoutSideInputsRefusesThem() {
        Generator gen = new Generator(3);
        try (Linear lin = new Linear(3, 3, gen); Sequential s = new Sequential(new Linear(3, 3, gen));
             Scope scope = Scope.open()) {
            Variable x = Variable.of(Tensor.zeros(DType.FLOAT32, 2, 3));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> lin.forward(x, x));
            assertTrue(e.getMessage().startsWith("Linear.forward: takes one input, got 1 side input(s)"), e.getMessage());
            IllegalArgumentException f = assertThrows(IllegalArgumentException.class, () -> s.forward(x, x));
            assertTrue(f.getMessage().contains("none of its 1 modules takes side inputs"), f.getMessage());
        }
    }
}
