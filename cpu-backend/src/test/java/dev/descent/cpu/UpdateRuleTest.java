package dev.descent.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.core.DType;
import dev.descent.core.Generator;
import dev.descent.core.Scope;
import dev.descent.core.Tensor;
import dev.descent.core.fused.Expr;
import dev.descent.core.fused.UpdateRule;
import dev.descent.core.spi.ElementwiseProgram;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link UpdateRule} (core) on the CPU backend: what a rule compiles to, that assignments read
 * the values from before the update, that one call updates many sets of different shapes and
 * layouts, that the fused and composed forms agree, the README's example, and the errors.
 */
class UpdateRuleTest {

    /** v ← ρ·v + g² and p ← p − lr·g/√v', as a rule. */
    private static UpdateRule rmsLike() {
        UpdateRule.Builder r = UpdateRule.builder("rms");
        Expr p = r.tensor("param");
        Expr g = r.tensor("grad");
        Expr v = r.tensor("v");
        Expr v2 = r.assign(v, r.scalar("rho").mul(v).add(g.square()));
        r.assign(p, p.sub(r.scalar("lr").mul(g.div(v2.sqrt()))));
        return r.build();
    }

    @Test
    void aRuleCompilesToTensorsThenScalarsThenEachDistinctValueOnce() {
        UpdateRule rule = rmsLike();
        assertEquals(List.of("param", "grad", "v"), rule.tensors());
        assertEquals(List.of("rho", "lr"), rule.scalars());
        assertEquals(List.of("v", "param"), rule.assigned());
        ElementwiseProgram p = rule.program();
        assertEquals(3, p.tensors());
        assertEquals(2, p.scalars());
        // rho*v, g², +, sqrt, g/…, lr*…, p-…: seven steps; v' is computed once for both uses.
        assertEquals(7, p.steps().size());
        assertEquals(2, p.stores().size());
        assertEquals("rms:\nv <- rho * v + square(grad)\nparam <- param - lr * (grad / sqrt(rho * v + square(grad)))",
                rule.toString());
        // Writing the same value twice still computes it once.
        UpdateRule.Builder r = UpdateRule.builder("twice");
        Expr x = r.tensor("x");
        r.assign(x, x.square().add(x.square()));
        assertEquals(2, r.build().program().steps().size());
    }

    @Test
    void everyAssignmentReadsTheValuesFromBeforeTheUpdate() {
        // A swap: a ← b, b ← a.
        UpdateRule.Builder r = UpdateRule.builder("swap");
        Expr a = r.tensor("a");
        Expr b = r.tensor("b");
        r.assign(a, b);
        r.assign(b, a);
        UpdateRule swap = r.build();
        for (boolean fused : new boolean[] {true, false}) {
            try (Scope ignored = Scope.open()) {
                Tensor ta = Tensor.of(new double[] {1, 2, 3}, 3);
                Tensor tb = Tensor.of(new double[] {4, 5, 6}, 3);
                if (fused) {
                    swap.run(List.of(List.of(ta, tb)));
                } else {
                    swap.compose(List.of(List.of(ta, tb)));
                }
                assertArrayEquals(new double[] {4, 5, 6}, ta.toDoubleArray(), 0);
                assertArrayEquals(new double[] {1, 2, 3}, tb.toDoubleArray(), 0);
            }
        }
    }

    @Test
    void oneCallUpdatesSetsOfDifferentShapesAndLayoutsAsTheEquationsSay() {
        UpdateRule rule = rmsLike();
        Generator gen = new Generator(5);
        // Sizes across the threading threshold, a transposed gradient, an empty set and a scalar set.
        int[][] shapes = {{3 * (int) CpuThreads.GRAIN + 7}, {33, 65}, {0, 4}, {}, {1025}};
        for (DType dt : List.of(DType.FLOAT32, DType.FLOAT64)) {
            try (Scope ignored = Scope.open()) {
                List<List<Tensor>> sets = new java.util.ArrayList<>();
                List<double[][]> before = new java.util.ArrayList<>();
                for (int[] shape : shapes) {
                    Tensor p = Tensor.randn(gen, dt, shape);
                    Tensor g = shape.length == 2 ? Tensor.randn(gen, dt, shape[1], shape[0]).t() : Tensor.randn(gen, dt, shape);
                    Tensor v = Tensor.randn(gen, dt, shape).abs();
                    sets.add(List.of(p, g, v));
                    before.add(new double[][] {p.toDoubleArray(), g.toDoubleArray(), v.toDoubleArray()});
                }
                rule.step().set("rho", 0.9).set("lr", 0.01).run(sets);
                for (int s = 0; s < shapes.length; s++) {
                    double[] p = before.get(s)[0];
                    double[] g = before.get(s)[1];
                    double[] v = before.get(s)[2];
                    double[] gotP = sets.get(s).get(0).toDoubleArray();
                    double[] gotV = sets.get(s).get(2).toDoubleArray();
                    double tol = dt == DType.FLOAT32 ? 1e-6 : 1e-15;
                    for (int i = 0; i < p.length; i++) {
                        double v2 = 0.9 * v[i] + g[i] * g[i];
                        double p2 = p[i] - 0.01 * (g[i] / Math.sqrt(v2));
                        assertEquals(v2, gotV[i], tol * Math.max(1, v2), dt + " set " + s + " v[" + i + "]");
                        assertEquals(p2, gotP[i], tol * Math.max(1, Math.abs(p2)), dt + " set " + s + " p[" + i + "]");
                    }
                }
            }
        }
    }

    @Test
    void float32FusedAndComposedFormsGiveTheSameBits() {
        UpdateRule rule = rmsLike();
        Generator gen = new Generator(9);
        try (Scope ignored = Scope.open()) {
            Tensor p = Tensor.randn(gen, DType.FLOAT32, 100_003);
            Tensor g = Tensor.randn(gen, DType.FLOAT32, 100_003);
            Tensor v = Tensor.randn(gen, DType.FLOAT32, 100_003).abs();
            List<Tensor> fused = List.of(p.copy(), g, v.copy());
            List<Tensor> composed = List.of(p.copy(), g, v.copy());
            rule.run(List.of(fused), 0.99, 1e-3);
            rule.compose(List.of(composed), 0.99, 1e-3);
            assertArrayEquals(composed.get(0).toFloatArray(), fused.get(0).toFloatArray());
            assertArrayEquals(composed.get(2).toFloatArray(), fused.get(2).toFloatArray());
        }
    }

    @Test
    void theReadmeExampleRuns() {
        try (Scope ignored = Scope.open()) {
            Tensor param = Tensor.of(new double[] {1, 2}, 2);
            Tensor grad = Tensor.of(new double[] {0.5, -1}, 2);
            Tensor buffer = Tensor.of(new double[] {1, 1}, 2);
            // README example: begin
            UpdateRule.Builder r = UpdateRule.builder("momentum");
            Expr p = r.tensor("param");
            Expr g = r.tensor("grad");
            Expr b = r.tensor("momentumBuffer");
            Expr b2 = r.assign(b, r.scalar("momentum").mul(b).add(g));     // b ← μ·b + g
            r.assign(p, p.sub(r.scalar("lr").mul(b2)));                     // θ ← θ − α·b
            UpdateRule rule = r.build();
            rule.step().set("momentum", 0.9).set("lr", 0.1).run(List.of(List.of(param, grad, buffer)));
            // README example: end
            assertArrayEquals(new double[] {0.9 + 0.5, 0.9 - 1}, buffer.toDoubleArray(), 1e-15);
            assertArrayEquals(new double[] {1 - 0.1 * 1.4, 2 - 0.1 * -0.1}, param.toDoubleArray(), 1e-15);
        }
    }

    @Test
    void misuseFailsNamingWhatWasExpected() {
        UpdateRule rule = rmsLike();
        try (Scope ignored = Scope.open()) {
            Tensor a = Tensor.zeros(DType.FLOAT32, 4);
            Tensor b = Tensor.zeros(DType.FLOAT32, 4);
            Tensor c = Tensor.zeros(DType.FLOAT32, 4);
            assertMessage(() -> rule.step().set("beta", 1), "unknown scalar 'beta'; the rule's scalars are [rho, lr]");
            assertMessage(() -> rule.step().set("rho", 1).run(List.of(List.of(a, b, c))), "scalar 'lr' was not set");
            assertMessage(() -> rule.run(List.of(List.of(a, b)), 1, 1), "set 0: expected 3 tensors [param, grad, v], got 2");
            assertMessage(() -> rule.run(List.of(List.of(a, b, Tensor.zeros(DType.FLOAT32, 5))), 1, 1),
                    "set 0: tensor 'v' has shape [5], expected the set's shape [4]");
            assertMessage(() -> rule.run(List.of(List.of(a, b, c), List.of(Tensor.zeros(DType.FLOAT64, 2),
                    Tensor.zeros(DType.FLOAT64, 2), Tensor.zeros(DType.FLOAT64, 2))), 1, 1), "dtypes differ");
            assertMessage(() -> rule.run(List.of(List.of(a, b, c)), 1), "expected 2 scalars [rho, lr], got 1");
            assertMessage(() -> rule.run(List.of(List.of(a, b, Tensor.zeros(DType.FLOAT32, 1).expand(4))), 1, 1),
                    "set 0: tensor 'v' is assigned but repeats elements (a broadcast view)");
            assertMessage(() -> rule.run(List.of(List.of(a, b, Tensor.zeros(DType.INT32, 4))), 1, 1),
                    "expected a floating dtype");
        }
        UpdateRule.Builder r = UpdateRule.builder("bad");
        Expr x = r.tensor("x");
        Expr s = r.scalar("s");
        assertMessage(() -> r.tensor("x"), "'x' is declared twice");
        assertMessage(() -> r.assign(s, x), "can only assign to a tensor of this rule, got s");
        r.assign(x, s);
        assertMessage(() -> r.assign(x, x), "'x' is assigned twice");
        assertMessage(() -> UpdateRule.builder("empty").build(), "a rule must assign at least one tensor");
        UpdateRule.Builder other = UpdateRule.builder("other");
        Expr y = other.tensor("y");
        assertMessage(() -> x.add(y), "belong to different rules");
    }

    private static void assertMessage(Runnable r, String part) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, r::run);
        assertTrue(e.getMessage().contains(part), e.getMessage());
    }
}
