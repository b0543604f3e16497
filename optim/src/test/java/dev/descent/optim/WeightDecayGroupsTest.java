package dev.descent.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.descent.autograd.Variable;
import dev.descent.core.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

class WeightDecayGroupsTest {

    /** Matrices decay, vectors do not: after one step from a zero gradient only the matrix shrank. */
    @Test
    void onlyMatricesDecay() {
        Variable matrix = Variable.parameter(Tensor.of(new double[] {1, 2, 3, 4}, 2, 2));
        Variable bias = Variable.parameter(Tensor.of(new double[] {1, 2}, 2));
        Variable gain = Variable.parameter(Tensor.of(new double[] {5}, 1));
        WeightDecayGroups groups = WeightDecayGroups.matricesOnly(List.of(bias, matrix, gain));
        assertEquals(List.of(matrix), groups.decayed());
        assertEquals(List.of(bias, gain), groups.notDecayed());
        try (AdamW opt = groups.adamW(0.1, 0.5)) {
            assertEquals(2, opt.paramGroups().size());
            assertEquals(0.5, opt.paramGroups().get(0).get("weightDecay"));
            assertEquals(0.0, opt.paramGroups().get(1).get("weightDecay"));
            for (Variable p : List.of(matrix, bias, gain)) {
                TestSupport.setGrad(p, new double[(int) p.numel()]);
            }
            opt.step();
            // AdamW: θ ← θ − lr·λ·θ (the Adam part is 0 for a zero gradient)
            TestSupport.assertClose(new double[] {0.95, 1.9, 2.85, 3.8}, matrix.toDoubleArray(), 1e-12, "matrix");
            TestSupport.assertClose(new double[] {1, 2}, bias.toDoubleArray(), 0, "bias");
            TestSupport.assertClose(new double[] {5}, gain.toDoubleArray(), 0, "gain");
        }
    }

    @Test
    void anOptimiserOnOtherParametersIsRefused() {
        Variable matrix = Variable.parameter(Tensor.of(new double[] {1, 2, 3, 4}, 2, 2));
        Variable bias = Variable.parameter(Tensor.of(new double[] {1, 2}, 2));
        WeightDecayGroups groups = WeightDecayGroups.matricesOnly(List.of(matrix, bias));
        try (AdamW other = new AdamW(List.of(bias), 0.1, 0.1)) {
            assertThrows(IllegalArgumentException.class, () -> groups.addNotDecayedTo(other));
        }
    }
}
