package dev.descent.autograd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.core.DType;
import dev.descent.core.Tensor;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Seed 004 §2.4: f(x, y) = xy - log(1 + exp(xy)) through the instrumental variables of
 * eq. 2.10, whose adjoints the text derives by hand in eq. 2.11.
 */
class ComputationalGraphTest {
    private static final double TOL = 1e-13;

    @ParameterizedTest(name = "at x = {0}, y = {1}")
    @CsvSource({"0.5, -1.2", "1.0, 2.0", "-0.3, 0.7", "2.0, 3.0", "-1.5, -2.0", "0.0, 4.0"})
    void adjointsOfEveryInstrumentalVariableMatchEquation211(double x, double y) {
        Variable v1 = Variable.parameter(Tensor.scalar(x, DType.FLOAT64));
        Variable v2 = Variable.parameter(Tensor.scalar(y, DType.FLOAT64));
        Variable v3 = v1.mul(v2);
        Variable v4 = v3.exp();
        Variable v5 = v4.add(1);
        Variable v6 = v5.log();
        Variable v7 = v3.sub(v6);

        List<Variable> adjoints = Autograd.grad(v7, List.of(v1, v2, v3, v4, v5, v6));

        double e3 = Math.exp(x * y);
        double v5Value = 1 + e3;
        double common = 1 - e3 / v5Value;
        double[] expected = {common * y, common * x, common, -1 / v5Value, -1 / v5Value, -1};
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], adjoints.get(i).item(), TOL * Math.max(1, Math.abs(expected[i])),
                    "adjoint of v" + (i + 1));
        }
    }

    @ParameterizedTest(name = "at x = {0}, y = {1}")
    @CsvSource({"0.5, -1.2", "1.0, 2.0", "-0.3, 0.7", "2.0, 3.0"})
    void backwardFillsTheClosedFormGradientAndPassesGradcheck(double x, double y) {
        Variable vx = Variable.parameter(Tensor.scalar(x, DType.FLOAT64));
        Variable vy = Variable.parameter(Tensor.scalar(y, DType.FLOAT64));
        f(vx, vy).backward();

        double sigmoid = Math.exp(x * y) / (1 + Math.exp(x * y));
        assertEquals((1 - sigmoid) * y, vx.grad().item(), TOL);
        assertEquals((1 - sigmoid) * x, vy.grad().item(), TOL);

        GradCheckResult r = GradCheck.gradcheck(xs -> f(xs.get(0), xs.get(1)),
                List.of(Tensor.scalar(x, DType.FLOAT64), Tensor.scalar(y, DType.FLOAT64)));
        assertTrue(r.passed(), r::toString);
        assertEquals(2, r.compared());
    }

    /** Eq. 2.9. */
    private static Variable f(Variable x, Variable y) {
        Variable xy = x.mul(y);
        return xy.sub(xy.exp().add(1).log());
    }
}
