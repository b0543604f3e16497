package dev.descent.nn;

import static dev.descent.nn.Checks.gradcheckModule;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.descent.autograd.Variable;
import dev.descent.core.DType;
import dev.descent.core.Generator;
import dev.descent.core.Scope;
import dev.descent.core.Tensor;
import org.junit.jupiter.api.Test;

class FlattenTest {

    @Test
    void keepsTheBatchDimensionByDefault() {
        try (Flatten f = new Flatten(); Scope scope = Scope.open()) {
            Variable y = f.forward(Variable.of(Tensor.arange(24, DType.FLOAT32).reshape(2, 3, 4)));
            assertArrayEquals(new int[] {2, 12}, y.shape().dims());
            try (Tensor expected = Tensor.arange(24, DType.FLOAT32)) {
                assertArrayEquals(expected.toFloatArray(), y.toFloatArray());
            }
        }
    }

    @Test
    void joinsAChosenRange() {
        try (Flatten f = new Flatten(0, 1); Scope scope = Scope.open()) {
            assertArrayEquals(new int[] {6, 4}, f.forward(Variable.of(Tensor.zeros(2, 3, 4))).shape().dims());
            assertThrows(IllegalArgumentException.class, () -> new Flatten(2, 1).forward(Variable.of(Tensor.zeros(2, 3, 4))));
        }
    }

    @Test
    void gradientsPassGradcheckInTrainAndEvalModeInsideASequential() {
        Generator gen = new Generator(5);
        try (Sequential net = new Sequential(new Flatten(), new Linear(6, 2, true, DType.FLOAT64, gen));
             Tensor x = Tensor.normal(gen, 0, 1, DType.FLOAT64, 3, 2, 3)) {
            gradcheckModule(net.train(), x);
            gradcheckModule(net.eval(), x);
        }
    }
}
