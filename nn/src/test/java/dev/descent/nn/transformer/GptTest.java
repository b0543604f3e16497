package dev.descent.nn.transformer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.autograd.GradCheck;
import dev.descent.autograd.GradCheckResult;
import dev.descent.autograd.NoGrad;
import dev.descent.autograd.Variable;
import dev.descent.core.DType;
import dev.descent.core.Generator;
import dev.descent.core.Scope;
import dev.descent.core.Tensor;
import dev.descent.nn.Checks;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class GptTest {
    private static final GptConfig TINY = new GptConfig(7, 6, 2, 2, 8, 0);

    private static Gpt tiny64(long seed) {
        Gpt g = new Gpt(TINY, new Generator(seed));
        g.to(DType.FLOAT64);
        return g;
    }

    private static Tensor ids(int[] values, int... dims) {
        return Tensor.of(values, dims);
    }

    @Test
    void logitsHaveOneRowPerPositionAndTheOutputMatrixIsTheTokenEmbedding() {
        try (Gpt g = new Gpt(TINY, new Generator(1)); Scope scope = Scope.open()) {
            Variable logits = g.forward(Variable.of(ids(new int[] {1, 2, 3, 4, 5, 6, 0, 1}, 2, 4)));
            assertArrayEquals(new int[] {2, 4, 7}, logits.shape().dims());
            Map<String, Variable> params = g.namedParameters();
            assertTrue(params.containsKey("tokenEmbedding.weight"));
            assertTrue(params.containsKey("positionEmbedding.weight"));
            assertTrue(params.containsKey("blocks.1.attention.qkv.weight"));
            assertTrue(params.containsKey("blocks.0.mlp.2.bias"));
            assertTrue(params.containsKey("norm.weight"));
            assertFalse(params.keySet().stream().anyMatch(n -> n.contains("head")), "no separate output matrix");
            // per block: 2 norms (2·2·8) + qkv (8·24 + 24) + out (8·8 + 8) + mlp (8·32 + 32 + 32·8 + 8)
            long block = 2 * 2 * 8 + 8 * 24 + 24 + 8 * 8 + 8 + 8 * 32 + 32 + 32 * 8 + 8;
            assertEquals(7 * 8 + 6 * 8 + 2 * block + 2 * 8, g.parameterCount());
        }
    }

    /** GPT-2's initialisation: N(0, 0.02²) and, for the maps into the residual stream, N(0, (0.02/√(2L))²). */
    @Test
    void initialisationFollowsGpt2() {
        GptConfig c = new GptConfig(50, 64, 4, 4, 128, 0);
        try (Gpt g = new Gpt(c, new Generator(2))) {
            assertEquals(0.02, std(g.block(0).mlpIn().weight().toDoubleArray()), 0.0005);
            assertEquals(0.02 / Math.sqrt(8), std(g.block(3).attention().out().weight().toDoubleArray()), 0.0003);
            assertEquals(0.02, std(g.tokenEmbedding().weight().toDoubleArray()), 0.001);
            for (double b : g.block(1).attention().qkv().bias().toDoubleArray()) {
                assertEquals(0, b, 0.0);
            }
        }
    }

    private static double std(double[] v) {
        double s = 0;
        for (double x : v) {
            s += x * x;
        }
        return Math.sqrt(s / v.length);
    }

    /** Position i's logits depend on tokens 0..i only. */
    @Test
    void attentionIsCausal() {
        try (Gpt g = tiny64(3); Scope scope = Scope.open()) {
            double[] a = g.forward(Variable.of(ids(new int[] {1, 2, 3, 4, 5, 6}, 1, 6))).toDoubleArray();
            double[] b = g.forward(Variable.of(ids(new int[] {1, 2, 3, 0, 0, 0}, 1, 6))).toDoubleArray();
            for (int i = 0; i < 3 * 7; i++) {
                assertEquals(a[i], b[i], 1e-12, "logit " + i + " of the first three positions");
            }
            boolean later = false;
            for (int i = 3 * 7; i < 6 * 7; i++) {
                later |= Math.abs(a[i] - b[i]) > 1e-6;
            }
            assertTrue(later, "later positions see the changed tokens");
        }
    }

    /** Generating with a key/value cache gives the logits the whole prefix gives, one token at a time. */
    @Test
    void aKeyValueCacheGivesTheLogitsOfTheFullPrefix() {
        int[] tokens = {3, 1, 4, 1, 5, 6};
        try (Gpt g = tiny64(4); Scope scope = Scope.open(); NoGrad off = NoGrad.open()) {
            double[] full = g.forward(Variable.of(ids(tokens, 1, 6))).toDoubleArray();
            try (KeyValueCache cache = g.newCache(1)) {
                // a prompt of two, then one token at a time
                double[] first = g.forward(ids(new int[] {3, 1}, 1, 2), cache).toDoubleArray();
                assertEquals(2, cache.length());
                Checks.assertAllClose(java.util.Arrays.copyOfRange(full, 0, 14), first, 1e-12);
                for (int p = 2; p < 6; p++) {
                    double[] step = g.forward(ids(new int[] {tokens[p]}, 1, 1), cache).toDoubleArray();
                    Checks.assertAllClose(java.util.Arrays.copyOfRange(full, p * 7, p * 7 + 7), step, 1e-12);
                }
                assertEquals(6, cache.length());
                assertEquals(0, cache.remaining());
                assertThrows(IllegalArgumentException.class, () -> g.forward(ids(new int[] {1}, 1, 1), cache),
                        "the cache is full at the context");
            }
        }
    }

    /** The whole model's gradient with respect to every parameter, by central differences (float64). */
    @Test
    void gradientsOfTheLossMatchFiniteDifferences() {
        GptConfig c = new GptConfig(5, 4, 1, 2, 4, 0);
        try (Gpt g = new Gpt(c, new Generator(5)); Scope scope = Scope.open()) {
            g.to(DType.FLOAT64);
            Tensor in = ids(new int[] {1, 4, 0, 2, 3, 3, 1, 0}, 2, 4);
            Tensor targets = ids(new int[] {4, 0, 2, 1, 3, 1, 0, 2}, 2, 4);
            List<String> names = new ArrayList<>(g.namedParameters().keySet());
            List<Tensor> values = new ArrayList<>();
            for (String n : names) {
                values.add(g.namedParameters().get(n).data().copy());
            }
            GradCheckResult r = GradCheck.gradcheck(xs -> {
                Map<String, Variable> replaced = new LinkedHashMap<>();
                for (int i = 0; i < names.size(); i++) {
                    replaced.put(names.get(i), xs.get(i));
                }
                Variable logits = g.forwardWith(replaced, Variable.of(in));
                return new dev.descent.nn.loss.TokenCrossEntropyLoss().apply(logits, targets);
            }, values);
            assertTrue(r.passed(), r.toString());
        }
    }

    @Test
    void badShapesAreRefusedNamingWhatWasExpected() {
        try (Gpt g = new Gpt(TINY, new Generator(6)); Scope scope = Scope.open()) {
            var tooLong = assertThrows(IllegalArgumentException.class,
                    () -> g.forward(Variable.of(ids(new int[7], 1, 7))));
            assertTrue(tooLong.getMessage().contains("context"), tooLong.getMessage());
            assertThrows(IllegalArgumentException.class, () -> g.forward(Variable.of(ids(new int[3], 3))));
            assertThrows(IllegalArgumentException.class, () -> new GptConfig(10, 8, 1, 3, 8, 0));
        }
    }
}
