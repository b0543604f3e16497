package dev.descent.autograd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.core.DType;
import dev.descent.core.Generator;
import dev.descent.core.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

/** gradcheck passes correct rules, fails wrong ones and reports the worst element. */
class GradCheckTest {

    /** exp with a backward rule off by a factor of 2 on purpose. */
    private static Variable wrongExp(Variable a) {
        return Node.record("wrongExp", a.data().exp(), (n, g, i) -> g.mul(n.output()).mul(2), a);
    }

    /** square whose rule is right to first order but treats 2x as a constant, so its second derivative is lost. */
    private static Variable flatSquare(Variable a) {
        return Node.record("flatSquare", a.data().square(),
                (n, g, i) -> g.mul(Variable.constant(n.saved(a).data().mul(2))), a);
    }

    @Test
    void aCorrectFunctionOfSeveralInputsPasses() {
        Generator gen = new Generator(3);
        Tensor a = Tensor.randn(gen, DType.FLOAT64, 3, 4);
        Tensor b = Tensor.randn(gen, DType.FLOAT64, 4);
        GradCheckResult r = GradCheck.gradcheck(xs -> xs.get(0).mul(xs.get(1)).tanh().logSoftmax(1),
                List.of(a, b));
        assertTrue(r.passed(), r::toString);
        assertEquals(12 * (12 + 4), r.compared());
        assertTrue(r.toString().startsWith("gradcheck: passed"), r.toString());
    }

    @Test
    void aWrongRuleFailsAndTheWorstElementIsReported() {
        Tensor x = Tensor.of(new double[] {0.1, 0.2, 2.0});
        GradCheckResult r = GradCheck.gradcheck(xs -> wrongExp(xs.get(0)), List.of(x));
        assertFalse(r.passed());
        assertEquals(0, r.input());
        assertEquals(2, r.inputIndex());
        assertEquals(2, r.outputIndex());
        assertEquals(Math.exp(2.0), r.numeric(), 1e-8);
        assertEquals(2 * Math.exp(2.0), r.analytic(), 1e-12);
        assertTrue(r.toString().contains("FAILED"), r.toString());
        GradCheckException e = assertThrows(GradCheckException.class, r::orThrow);
        assertTrue(e.getMessage().contains("d output[2] / d input 0 [2]"), e.getMessage());
    }

    @Test
    void gradgradcheckFindsARuleThatIsRightOnlyToFirstOrder() {
        Tensor x = Tensor.of(new double[] {0.5, -1.5});
        assertTrue(GradCheck.gradcheck(xs -> flatSquare(xs.get(0)), List.of(x)).passed());
        GradCheckResult second = GradCheck.gradgradcheck(xs -> flatSquare(xs.get(0)), List.of(x));
        assertFalse(second.passed(), second::toString);
        assertTrue(second.toString().startsWith("gradgradcheck: FAILED"), second.toString());
        assertTrue(GradCheck.gradgradcheck(xs -> xs.get(0).square(), List.of(x)).passed());
    }

    @Test
    void nonContiguousInputsArePerturbedInPlaceAndRestored() {
        Tensor base = Tensor.of(new double[] {1, 2, 3, 4, 5, 6}, 2, 3);
        Tensor t = base.t();
        GradCheckResult r = GradCheck.gradcheck(xs -> xs.get(0).matmul(xs.get(0).t()).sigmoid(), List.of(t));
        assertTrue(r.passed(), r::toString);
        assertEquals(List.of(1.0, 4.0, 2.0, 5.0, 3.0, 6.0),
                java.util.Arrays.stream(t.toDoubleArray()).boxed().toList());
    }

    @Test
    void float32AndBroadcastInputsAreRefused() {
        IllegalArgumentException f32 = assertThrows(IllegalArgumentException.class,
                () -> GradCheck.gradcheck(xs -> xs.get(0).exp(), List.of(Tensor.of(new float[] {1}))));
        assertTrue(f32.getMessage().contains("expected float64"), f32.getMessage());
        IllegalArgumentException broadcast = assertThrows(IllegalArgumentException.class,
                () -> GradCheck.gradcheck(xs -> xs.get(0).exp(),
                        List.of(Tensor.of(new double[] {1, 2}).reshape(2, 1).expand(2, 3))));
        assertTrue(broadcast.getMessage().contains("stride 0"), broadcast.getMessage());
    }

    @Test
    void aFunctionIndependentOfItsInputPasses() {
        GradCheckResult r = GradCheck.gradgradcheck(xs -> xs.get(0).mul(3).sum(),
                List.of(Tensor.of(new double[] {1, 2})));
        assertTrue(r.passed(), r::toString);
    }
}
