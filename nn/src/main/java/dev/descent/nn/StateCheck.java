package dev.descent.nn;

import dev.descent.core.Check;
import dev.descent.core.Tensor;
import java.util.Map;

/** The one place that compares a module's state with values offered for it, and names the first difference. */
final class StateCheck {
    private StateCheck() {
    }

    /**
     * Throws, naming the first entry of {@code expected} (in its order) that {@code given} lacks or
     * holds with another dtype or shape, then the first entry of {@code given} the module does
     * not have.
     */
    static void requireMatch(String op, Map<String, Tensor> expected, Map<String, Tensor> given) {
        for (Map.Entry<String, Tensor> e : expected.entrySet()) {
            String name = e.getKey();
            Tensor want = e.getValue();
            Tensor got = given.get(name);
            if (got == null) {
                throw Check.fail(op, "'%s' (%s%s) is missing from the values given (%d entries)", name, want.dtype(),
                        want.shape(), given.size());
            }
            got.checkOpen(op);
            if (got.dtype() != want.dtype() || !got.shape().equals(want.shape())) {
                throw Check.fail(op, "'%s': expected %s%s, given %s%s", name, want.dtype(), want.shape(), got.dtype(),
                        got.shape());
            }
        }
        for (String name : given.keySet()) {
            if (!expected.containsKey(name)) {
                throw Check.fail(op, "'%s' is not a parameter or buffer of this module (it has %s)", name,
                        expected.keySet());
            }
        }
    }
}
