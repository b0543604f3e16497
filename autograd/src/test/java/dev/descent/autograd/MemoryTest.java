package dev.descent.autograd;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.descent.core.Scope;
import dev.descent.core.Tensor;
import org.junit.jupiter.api.Test;

/**
 * The graph releases what it holds. The reference backend counts live storages, so each test
 * states exactly how many must remain; a leak of one tensor per iteration fails them.
 */
class MemoryTest {

    private static Variable forward(Variable w, Variable b, Variable x) {
        return x.matmul(w).add(b).tanh().square().mean();
    }

    private static Variable input(int i) {
        return Variable.of(Tensor.of(new double[] {i % 7, 1, -1, 0.5, 0.25 * (i % 3), 2}, 2, 3));
    }

    @Test
    void aHundredThousandForwardAndBackwardPassesRunInConstantMemory() {
        Variable w = Variable.parameter(Tensor.of(new double[] {0.1, -0.2, 0.3, 0.4, 0.5, -0.6, 0.7, 0.8,
            -0.9, 1.0, 0.1, 0.2}, 3, 4));
        Variable b = Variable.parameter(Tensor.of(new double[] {0.1, 0.2, 0.3, 0.4}));
        long afterWarmUp = 0;
        for (int i = 0; i < 100_000; i++) {
            Variable x = input(i);
            Variable loss = forward(w, b, x);
            loss.backward();
            loss.close();
            x.close();
            if (i % 10 == 9) {
                w.zeroGrad();
                b.zeroGrad();
            }
            if (i == 999) {
                afterWarmUp = ReferenceBackend.liveStorages();
            }
        }
        assertEquals(afterWarmUp, ReferenceBackend.liveStorages(), "live storages after 1,000 and 100,000 iterations");
        w.close();
        b.close();
    }

    @Test
    void backwardReleasesEveryIntermediateAndEveryTemporary() {
        long before = ReferenceBackend.liveStorages();
        Variable w = Variable.parameter(Tensor.of(new double[] {1, 2, 3, 4, 5, 6}, 3, 2));
        Variable b = Variable.parameter(Tensor.of(new double[] {1, 2}));
        Variable x = input(3);
        Variable loss = forward(w, b, x);
        loss.backward();
        loss.close();
        x.close();
        // What remains: the two parameters and their two gradients.
        assertEquals(before + 4, ReferenceBackend.liveStorages());
        w.close();
        b.close();
        assertEquals(before, ReferenceBackend.liveStorages());
    }

    @Test
    void aRetainedGraphHoldsItsIntermediatesUntilFreed() {
        long before = ReferenceBackend.liveStorages();
        Variable w = Variable.parameter(Tensor.of(new double[] {1, 2, 3, 4, 5, 6}, 3, 2));
        Variable b = Variable.parameter(Tensor.of(new double[] {1, 2}));
        Variable x = input(5);
        Variable loss = forward(w, b, x);
        loss.backward(null, true, false);
        long retained = ReferenceBackend.liveStorages();
        loss.freeGraph();
        loss.close();
        x.close();
        assertEquals(before + 4, ReferenceBackend.liveStorages());
        // matmul, add, tanh and square outputs were alive while retained, besides loss and x.
        assertEquals(before + 4 + 2 + 4, retained);
        w.close();
        b.close();
    }

    @Test
    void aForwardPassInsideAScopeLeavesOnlyTheGradients() {
        long before = ReferenceBackend.liveStorages();
        Variable w = Variable.parameter(Tensor.of(new double[] {1, 2, 3, 4, 5, 6}, 3, 2));
        Variable b = Variable.parameter(Tensor.of(new double[] {1, 2}));
        for (int i = 0; i < 10; i++) {
            try (Scope scope = Scope.open()) {
                forward(w, b, input(i)).backward();
            }
        }
        assertEquals(before + 4, ReferenceBackend.liveStorages());
        w.close();
        b.close();
    }

    @Test
    void backwardAddsNothingToTheEnclosingScope() {
        try (Scope scope = Scope.open()) {
            Variable w = Variable.parameter(Tensor.of(new double[] {1, 2, 3, 4, 5, 6}, 3, 2));
            Variable b = Variable.parameter(Tensor.of(new double[] {1, 2}));
            Variable loss = forward(w, b, input(1));
            int afterForward = scope.size();
            loss.backward();
            assertEquals(afterForward, scope.size(), "tensors the enclosing scope holds");
        }
    }

    @Test
    void higherOrderHelpersLeaveNothingBehindButTheirResult() {
        long before = ReferenceBackend.liveStorages();
        Tensor x = Tensor.of(new double[] {0.5, -1, 2});
        Tensor v = Tensor.of(new double[] {1, 2, 3});
        for (int i = 0; i < 20; i++) {
            Autograd.hessian(HigherOrderTest::smooth, x).close();
            Autograd.hvp(HigherOrderTest::chainedRosenbrock, x, v).close();
            Autograd.jacobian(p -> p.softmax(0), x).close();
        }
        assertEquals(before + 2, ReferenceBackend.liveStorages());
        x.close();
        v.close();
    }
}
