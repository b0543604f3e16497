package dev.descent.autograd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.core.DType;
import dev.descent.core.Scope;
import dev.descent.core.Tensor;
import org.junit.jupiter.api.Test;

/** What users of backward() rely on: accumulation, no-grad blocks, freed graphs, seeds and errors. */
class BackwardBehaviourTest {

    private static Variable param(double... values) {
        return Variable.parameter(Tensor.of(values));
    }

    @Test
    void gradientsAccumulateAcrossBackwardPassesUntilZeroed() {
        Variable x = param(1, 2);
        x.mul(x).sum().backward();
        x.mul(3).sum().backward();
        assertArrayEquals(new double[] {2 + 3, 4 + 3}, x.grad().toDoubleArray());
        x.zeroGrad();
        assertNull(x.grad());
        x.mul(3).sum().backward();
        assertArrayEquals(new double[] {3, 3}, x.grad().toDoubleArray());
    }

    @Test
    void aValueUsedTwiceGetsTheSumOfBothPaths() {
        Variable x = param(2);
        Variable y = x.mul(x).add(x.exp()).sum();
        y.backward();
        assertEquals(2 * 2 + Math.exp(2), x.grad().item(), 1e-12);
    }

    @Test
    void dividingByAConstantTensorDifferentiatesTheDividendAndKeepsItsOwnHandle() {
        Variable x = param(3, 6);
        Variable q;
        try (Tensor c = Tensor.of(new double[] {4})) {
            q = x.div(c);   // the graph keeps c alive after the caller closed it
        }
        assertArrayEquals(new double[] {0.75, 1.5}, q.toDoubleArray());
        q.mul(q).sum().backward();   // d/dx (x/4)² = x/8
        assertArrayEquals(new double[] {3.0 / 8, 6.0 / 8}, x.grad().toDoubleArray(), 1e-15);
        try (Tensor wrong = Tensor.of(new double[] {1, 2, 3})) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> x.div(wrong));
            assertEquals("div: the divisor's shape [3] does not broadcast to [2]", e.getMessage());
        }
    }

    @Test
    void onlyLeavesThatRequireGradReceiveOne() {
        Variable w = param(1, 2);
        Variable data = Variable.of(Tensor.of(new double[] {3, 4}));
        w.mul(data).sum().backward();
        assertArrayEquals(new double[] {3, 4}, w.grad().toDoubleArray());
        assertNull(data.grad());
        assertTrue(w.isLeaf());
    }

    @Test
    void aNoGradBlockRecordsNothing() {
        Variable x = param(1, 2);
        Variable y;
        try (NoGrad off = NoGrad.open()) {
            assertFalse(GradMode.isEnabled());
            y = x.mul(2).sum();
        }
        assertTrue(GradMode.isEnabled());
        assertFalse(y.requiresGrad());
        assertNull(y.gradFn());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, y::backward);
        assertTrue(e.getMessage().startsWith("backward: "), e.getMessage());
        assertTrue(e.getMessage().contains("does not require grad"), e.getMessage());
    }

    @Test
    void backwardTwiceThroughAFreedGraphSaysSo() {
        Variable x = param(1, 2);
        Variable y = x.exp().sum();
        y.backward();
        IllegalStateException e = assertThrows(IllegalStateException.class, y::backward);
        assertTrue(e.getMessage().contains("already freed"), e.getMessage());
        assertTrue(e.getMessage().contains("'sum'"), e.getMessage());
        assertTrue(e.getMessage().contains("retainGraph"), e.getMessage());
    }

    @Test
    void retainGraphAllowsASecondPass() {
        Variable x = param(1, 2);
        Variable y = x.exp().sum();
        y.backward(null, true, false);
        y.backward();
        assertArrayEquals(new double[] {2 * Math.exp(1), 2 * Math.exp(2)}, x.grad().toDoubleArray(), 1e-12);
        assertTrue(y.gradFn().isFreed());
    }

    @Test
    void aNonScalarNeedsASeed() {
        Variable y = param(1, 2, 3).mul(2);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, y::backward);
        assertTrue(e.getMessage().contains("seed"), e.getMessage());
        assertTrue(e.getMessage().contains("[3]"), e.getMessage());
    }

    @Test
    void aSeedGivesTheVectorJacobianProduct() {
        Variable x = param(1, 2, 3);
        x.square().backward(Tensor.of(new double[] {1, 10, 100}));
        assertArrayEquals(new double[] {2, 40, 600}, x.grad().toDoubleArray());
    }

    @Test
    void aSeedOfTheWrongShapeIsRefused() {
        Variable y = param(1, 2, 3).mul(2);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> y.backward(Tensor.of(new double[] {1, 2})));
        assertTrue(e.getMessage().contains("expected [3]"), e.getMessage());
    }

    @Test
    void aBroadcastInputGetsAGradientOfItsOwnShape() {
        Variable a = Variable.parameter(Tensor.of(new double[] {1, 2, 3, 4, 5, 6}, 2, 3));
        Variable b = param(10, 20, 30);
        Variable c = Variable.parameter(Tensor.of(new double[] {1, 2}, 2, 1));
        a.mul(b).add(c).sum().backward();
        assertArrayEquals(new double[] {1 + 4, 2 + 5, 3 + 6}, b.grad().toDoubleArray());
        assertArrayEquals(new int[] {2, 1}, c.grad().shape().dims());
        assertArrayEquals(new double[] {3, 3}, c.grad().toDoubleArray());
        assertArrayEquals(new double[] {10, 20, 30, 10, 20, 30}, a.grad().toDoubleArray());
    }

    @Test
    void maxSharesTheGradientEquallyAmongTies() {
        Variable x = param(1, 3, 3, 2);
        x.max().backward();
        assertArrayEquals(new double[] {0, 0.5, 0.5, 0}, x.grad().toDoubleArray());

        Variable m = Variable.parameter(Tensor.of(new double[] {5, 5, 5, 1, 2, 0}, 2, 3));
        m.max(1).sum().backward();
        assertArrayEquals(new double[] {1 / 3.0, 1 / 3.0, 1 / 3.0, 0, 1, 0}, m.grad().toDoubleArray(), 1e-15);

        Variable a = param(1, 2, 3);
        Variable b = param(3, 2, 1);
        a.maximum(b).sum().backward();
        assertArrayEquals(new double[] {0, 0.5, 1}, a.grad().toDoubleArray());
        assertArrayEquals(new double[] {1, 0.5, 0}, b.grad().toDoubleArray());
    }

    @Test
    void kinksTakeTheSameSubgradientAsPyTorch() {
        Variable x = param(-1, 0, 1);
        x.relu().sum().backward();
        assertArrayEquals(new double[] {0, 0, 1}, x.grad().toDoubleArray());
        x.zeroGrad();
        x.abs().sum().backward();
        assertArrayEquals(new double[] {-1, 0, 1}, x.grad().toDoubleArray());
        x.zeroGrad();
        x.clamp(-1, 0.5).sum().backward();
        assertArrayEquals(new double[] {1, 1, 0}, x.grad().toDoubleArray());
        x.zeroGrad();
        x.leakyRelu(0.1).sum().backward();
        assertArrayEquals(new double[] {0.1, 0.1, 1}, x.grad().toDoubleArray(), 1e-15);
    }

    @Test
    void anInPlaceChangeOfASavedValueIsDetectedAndNamed() {
        Variable w = param(1, 2);
        Variable x = Variable.of(Tensor.of(new double[] {3, 4}));
        Variable y = x.mul(w).sum();
        x.mulInPlace(2);
        IllegalStateException e = assertThrows(IllegalStateException.class, y::backward);
        assertTrue(e.getMessage().contains("backward of 'mul'"), e.getMessage());
        assertTrue(e.getMessage().contains("mulInPlace"), e.getMessage());
        assertTrue(e.getMessage().contains("version 1, saved at version 0"), e.getMessage());
    }

    @Test
    void anOptimiserStepBetweenForwardAndBackwardIsDetected() {
        Variable w = param(1, 2);
        Variable y = w.exp().mul(w).sum();
        try (NoGrad off = NoGrad.open()) {
            w.addInPlace(1);
        }
        IllegalStateException e = assertThrows(IllegalStateException.class, y::backward);
        assertTrue(e.getMessage().contains("'mul'"), e.getMessage());
        assertTrue(e.getMessage().contains("addInPlace"), e.getMessage());
    }

    @Test
    void aChangeMadeOutsideTheApiIsDetectedOnceMarked() {
        Variable w = param(1, 2);
        Variable y = w.exp().mul(w).sum();
        w.data().addInPlace(1);
        w.markChangedInPlace("fusedSgd");
        IllegalStateException e = assertThrows(IllegalStateException.class, y::backward);
        assertTrue(e.getMessage().contains("modified in place by fusedSgd"), e.getMessage());
    }

    @Test
    void aChangeOfAValueNoRuleNeedsIsAllowed() {
        Variable w = param(1, 2);
        Variable b = Variable.of(Tensor.of(new double[] {3, 4}));
        Variable y = w.add(b).sum();
        b.fill(0);
        y.backward();
        assertArrayEquals(new double[] {1, 1}, w.grad().toDoubleArray());
    }

    @Test
    void viewsShareTheVersionOfTheirBase() {
        Variable w = param(1, 2, 3, 4);
        Variable data = Variable.of(Tensor.of(new double[] {1, 2, 3, 4}));
        Variable view = data.reshape(2, 2);
        Variable y = w.reshape(2, 2).mul(view).sum();
        data.addInPlace(1);
        assertEquals(1, view.version());
        assertThrows(IllegalStateException.class, y::backward);
    }

    @Test
    void inPlaceOpsOnValuesThatRequireGradAreRefusedWhileRecording() {
        Variable w = param(1, 2);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> w.addInPlace(1));
        assertTrue(e.getMessage().startsWith("addInPlace: "), e.getMessage());
        assertTrue(e.getMessage().contains("NoGrad"), e.getMessage());
        try (NoGrad off = NoGrad.open()) {
            w.addScaledInPlace(Variable.of(Tensor.of(new double[] {1, 1})), -0.5);
        }
        assertArrayEquals(new double[] {0.5, 1.5}, w.toDoubleArray());
        assertEquals(1, w.version());
    }

    @Test
    void anomalyModeNamesTheOpThatMadeANonFiniteGradient() {
        Variable x = param(0, 4);
        Variable y;
        try (AnomalyMode on = AnomalyMode.enable()) {
            y = x.sqrt().mul(3).sum();
            NonFiniteGradientException e = assertThrows(NonFiniteGradientException.class, y::backward);
            assertEquals("sqrt", e.op());
            assertTrue(e.getMessage().contains("backward of 'sqrt'"), e.getMessage());
            assertNotNull(e.getCause(), "the forward call site");
            assertTrue(e.getCause().getMessage().contains("sqrt"));
        }
        assertFalse(AnomalyMode.isEnabled());
        Variable z = x.sqrt().mul(3).sum();
        z.backward();
        assertEquals(Double.POSITIVE_INFINITY, x.grad().toDoubleArray()[0]);
    }

    @Test
    void intermediatesAreReleasedByBackwardUnlessKept() {
        Variable x = param(1, 2);
        Variable h = x.exp();
        Variable kept = x.tanh().keep();
        Variable y = h.add(kept).sum();
        y.backward();
        assertTrue(h.isReleased());
        IllegalStateException e = assertThrows(IllegalStateException.class, h::toDoubleArray);
        assertTrue(e.getMessage().contains("keep()"), e.getMessage());
        assertFalse(kept.isReleased());
        assertEquals(Math.tanh(1), kept.toDoubleArray()[0], 1e-15);
        assertEquals(Math.exp(1) + Math.tanh(1) + Math.exp(2) + Math.tanh(2), y.item(), 1e-12);
        kept.close();
    }

    @Test
    void detachSharesMemoryButNotTheGraph() {
        Variable x = param(1, 2);
        Variable h = x.exp();
        Variable d = h.detach();
        assertFalse(d.requiresGrad());
        assertNull(d.gradFn());
        h.sum().backward();
        assertArrayEquals(new double[] {Math.exp(1), Math.exp(2)}, d.toDoubleArray(), 1e-15);
        d.close();
    }

    @Test
    void aLeafGradientOutlivesTheScopeItWasMadeIn() {
        Variable w = param(1, 2);
        for (int i = 0; i < 3; i++) {
            try (Scope scope = Scope.open()) {
                w.square().sum().backward();
            }
        }
        assertArrayEquals(new double[] {6, 12}, w.grad().toDoubleArray());
    }

    @Test
    void freeGraphReleasesAForwardPassThatIsNotDifferentiated() {
        Variable x = param(1, 2);
        Variable h = x.exp();
        Variable y = h.sum();
        y.freeGraph();
        assertTrue(h.isReleased());
        assertEquals(Math.exp(1) + Math.exp(2), y.item(), 1e-12);
        assertThrows(IllegalStateException.class, y::backward);
    }

    @Test
    void wrongCallsNameTheOpAndWhatWasGiven() {
        IllegalArgumentException intGrad = assertThrows(IllegalArgumentException.class,
                () -> Variable.parameter(Tensor.of(new int[] {1, 2})));
        assertEquals("Variable.of: expected a floating dtype (float32 or float64), got int32", intGrad.getMessage());

        Variable y = param(1).exp();
        IllegalArgumentException notLeaf = assertThrows(IllegalArgumentException.class,
                () -> y.setRequiresGrad(false));
        assertTrue(notLeaf.getMessage().contains("'exp'"), notLeaf.getMessage());

        IllegalArgumentException shapes = assertThrows(IllegalArgumentException.class,
                () -> param(1, 2, 3).matmul(Variable.of(Tensor.of(new double[] {1, 2}))));
        assertTrue(shapes.getMessage().startsWith("matmul: "), shapes.getMessage());
    }

    @Test
    void floatingConversionIsDifferentiable() {
        Variable x = Variable.parameter(Tensor.of(new float[] {1.5f, -2f}));
        Variable y = x.to(DType.FLOAT64).square().sum();
        y.backward();
        assertSame(DType.FLOAT32, x.grad().dtype());
        assertArrayEquals(new double[] {3, -4}, x.grad().toDoubleArray());
    }
}
