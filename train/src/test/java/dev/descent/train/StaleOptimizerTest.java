package dev.descent.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.autograd.Variable;
import dev.descent.core.DType;
import dev.descent.core.Device;
import dev.descent.core.Generator;
import dev.descent.core.Scope;
import dev.descent.core.Tensor;
import dev.descent.nn.Linear;
import dev.descent.nn.Sequential;
import dev.descent.nn.activation.Tanh;
import dev.descent.nn.loss.MseLoss;
import dev.descent.optim.Adam;
import dev.descent.optim.Optimizer;
import dev.descent.optim.SGD;
import dev.descent.optim.secondorder.LBFGS;
import java.util.List;
import java.util.function.BiFunction;
import org.junit.jupiter.api.Test;

/**
 * An optimiser built before {@code model.to(dtype)} or {@code model.to(device)} holds the
 * parameters the move closed: its first step fails, naming the cause, instead of leaving the
 * weights unchanged step after step.
 */
class StaleOptimizerTest {
    private static Sequential model() {
        Generator gen = new Generator(5);
        return new Sequential(new Linear(3, 4, gen), new Tanh(), new Linear(4, 1, gen));
    }

    private static void backward(Sequential model, DType dtype) {
        try (Scope scope = Scope.open()) {
            Tensor x = Tensor.ones(dtype, 2, 3);
            Tensor y = Tensor.zeros(dtype, 2, 1);
            new MseLoss().apply(model.forward(Variable.of(x)), y).backward();
        }
    }

    private static void assertStepFailsNamingTheMove(BiFunction<Sequential, List<Variable>, Optimizer> make,
            java.util.function.Consumer<Sequential> move, DType after) {
        try (Sequential model = model(); Optimizer opt = make.apply(model, model.parameters())) {
            move.accept(model);
            backward(model, after);
            double[] before = model.parameters().get(0).toDoubleArray();
            IllegalStateException e = assertThrows(IllegalStateException.class, opt::step);
            assertTrue(e.getMessage().startsWith(opt.name() + ".step: parameter 0 ("), e.getMessage());
            assertTrue(e.getMessage().contains("Module.to(dtype)"), e.getMessage());
            assertTrue(e.getMessage().contains("build the optimiser after moving the model"), e.getMessage());
            assertEquals(before[0], model.parameters().get(0).toDoubleArray()[0]);
        }
    }

    @Test
    void anAdamBuiltBeforeToDtypeFailsAtItsFirstStep() {
        assertStepFailsNamingTheMove((m, ps) -> new Adam(ps, 1e-2), m -> m.to(DType.FLOAT64), DType.FLOAT64);
    }

    @Test
    void anSgdBuiltBeforeToDeviceFailsAtItsFirstStep() {
        assertStepFailsNamingTheMove((m, ps) -> new SGD(ps, 1e-2, 0), m -> m.to(Device.cpu()), DType.FLOAT32);
    }

    @Test
    void anLbfgsStepWithAClosureFailsTheSameWay() {
        try (Sequential model = model(); LBFGS opt = new LBFGS(model.parameters())) {
            model.to(DType.FLOAT64);
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> opt.step(() -> {
                backward(model, DType.FLOAT64);
                return 0.0;
            }));
            assertTrue(e.getMessage().contains("is closed"), e.getMessage());
        }
    }

    @Test
    void anOptimiserBuiltAfterTheMoveTrains() {
        try (Sequential model = model()) {
            model.to(DType.FLOAT64);
            try (Adam opt = new Adam(model.parameters(), 1e-2)) {
                double before = model.parameters().get(0).toDoubleArray()[0];
                backward(model, DType.FLOAT64);
                opt.step();
                assertTrue(model.parameters().get(0).toDoubleArray()[0] != before, "the step changed the weights");
            }
        }
    }
}
