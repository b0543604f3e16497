package dev.descent.autograd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.descent.core.DType;
import dev.descent.core.Generator;
import dev.descent.core.Tensor;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@link Variable#backward(java.util.function.Consumer)}: each leaf is reported once, when its
 * gradient is final, while the pass goes on; and {@link Variable#accumulateGrad}.
 */
class GradientCompleteListenerTest {

    /** A three-layer chain: the last layer's weight completes first, the first layer's last. */
    @Test
    void eachLeafIsReportedOnceWithItsFinalGradientLastLayerFirst() {
        Generator gen = new Generator(7);
        Variable x = Variable.of(Tensor.randn(gen, DType.FLOAT64, 5, 4));
        Variable w1 = Variable.parameter(Tensor.randn(gen, DType.FLOAT64, 4, 3));
        Variable w2 = Variable.parameter(Tensor.randn(gen, DType.FLOAT64, 3, 3));
        Variable w3 = Variable.parameter(Tensor.randn(gen, DType.FLOAT64, 3, 2));
        Variable loss = x.matmul(w1).tanh().matmul(w2).tanh().matmul(w3).square().mean();

        List<Variable> order = new ArrayList<>();
        Map<Variable, double[]> atReport = new IdentityHashMap<>();
        loss.backward(leaf -> {
            order.add(leaf);
            atReport.put(leaf, leaf.grad().toDoubleArray());
        });

        assertEquals(List.of(w3, w2, w1), order);
        for (Variable w : List.of(w1, w2, w3)) {
            assertArrayEquals(w.grad().toDoubleArray(), atReport.get(w), 0.0, "changed after it was reported");
        }
    }

    @Test
    void aLeafUsedTwiceIsReportedAfterBothUsesAndOnlyOnce() {
        Variable w = Variable.parameter(Tensor.of(new double[] {2}));
        Variable b = Variable.parameter(Tensor.of(new double[] {1}));
        // w is used at the start and at the end of the forward pass
        Variable y = w.mul(w.add(b).exp()).add(w).sum();
        List<Variable> order = new ArrayList<>();
        List<Double> gradients = new ArrayList<>();
        y.backward(leaf -> {
            order.add(leaf);
            gradients.add(leaf.grad().item());
        });
        double e = Math.exp(3);
        assertEquals(2, order.size());
        int iw = order.indexOf(w);
        assertEquals(e + 2 * e + 1, gradients.get(iw), 1e-12);   // d/dw [w e^(w+b) + w]
        assertEquals(2 * e, gradients.get(order.indexOf(b)), 1e-12);
    }

    @Test
    void leavesThePassDoesNotReachAreNotReportedAndNoGradMeansNoReport() {
        Variable used = Variable.parameter(Tensor.of(new double[] {1, 2}));
        Variable unused = Variable.parameter(Tensor.of(new double[] {3}));
        Variable frozen = Variable.of(Tensor.of(new double[] {4, 5}));
        List<Variable> order = new ArrayList<>();
        used.mul(frozen).sum().backward(order::add);
        assertEquals(List.of(used), order);
        assertEquals(null, unused.grad());
    }

    @Test
    void accumulateGradCopiesFirstThenAdds() {
        Variable w = Variable.parameter(Tensor.of(new double[] {1, 2}));
        Tensor g = Tensor.of(new double[] {0.5, -1});
        w.accumulateGrad(g);
        g.fill(10);   // the leaf holds a copy
        assertArrayEquals(new double[] {0.5, -1}, w.grad().toDoubleArray());
        w.accumulateGrad(Tensor.of(new double[] {1, 1}));
        assertArrayEquals(new double[] {1.5, 0}, w.grad().toDoubleArray());
        w.mul(2).sum().backward();
        assertArrayEquals(new double[] {3.5, 2}, w.grad().toDoubleArray());
    }

    @Test
    void accumulateGradRefusesAnIntermediateAndAWrongShape() {
        Variable w = Variable.parameter(Tensor.of(new double[] {1, 2}));
        IllegalArgumentException shape = assertThrows(IllegalArgumentException.class,
                () -> w.accumulateGrad(Tensor.of(new double[] {1, 2, 3})));
        assertEquals("accumulateGrad: expected a gradient float64[2] on " + w.device() + ", got float64[3] on " + w.device(),
                shape.getMessage());
        Variable y = w.mul(2);
        IllegalArgumentException leaf = assertThrows(IllegalArgumentException.class,
                () -> y.accumulateGrad(Tensor.of(new double[] {1, 2})));
        assertEquals("accumulateGrad: expected a leaf that requires grad, got " + y.describe(), leaf.getMessage());
    }
}
