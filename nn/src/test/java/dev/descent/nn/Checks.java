package dev.descent.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.autograd.GradCheck;
import dev.descent.autograd.GradCheckResult;
import dev.descent.autograd.Variable;
import dev.descent.core.DType;
import dev.descent.core.Tensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Assertions the nn tests share. */
public final class Checks {
    private Checks() {
    }

    public static void assertAllClose(double[] expected, double[] actual, double tol) {
        assertEquals(expected.length, actual.length, "length");
        for (int i = 0; i < expected.length; i++) {
            double e = expected[i];
            double a = actual[i];
            assertTrue(Math.abs(e - a) <= tol * Math.max(1, Math.abs(e)),
                    "element " + i + ": expected " + e + ", got " + a + " (tolerance " + tol + ")");
        }
    }

    /**
     * Gradient check of {@code module} (float64) with respect to its input and every parameter,
     * through {@link Module#forwardWith}, in its current mode.
     */
    public static GradCheckResult gradcheckModule(Module module, Tensor input) {
        assertEquals(DType.FLOAT64, input.dtype());
        List<String> names = new ArrayList<>(module.namedParameters().keySet());
        List<Tensor> inputs = new ArrayList<>();
        inputs.add(input);
        for (String n : names) {
            inputs.add(module.namedParameters().get(n).data().copy());
        }
        try {
            GradCheckResult r = GradCheck.gradcheck(xs -> {
                Map<String, Variable> replacements = new LinkedHashMap<>();
                for (int i = 0; i < names.size(); i++) {
                    replacements.put(names.get(i), xs.get(i + 1));
                }
                return module.forwardWith(replacements, xs.get(0));
            }, inputs);
            assertTrue(r.passed(), r.toString());
            assertTrue(r.compared() > 0, "nothing compared");
            return r;
        } finally {
            for (int i = 1; i < inputs.size(); i++) {
                inputs.get(i).close();
            }
        }
    }
}
