package dev.descent.nn.loss;

import static dev.descent.nn.Checks.assertAllClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.autograd.GradCheck;
import dev.descent.autograd.Variable;
import dev.descent.core.Backends;
import dev.descent.core.DType;
import dev.descent.core.Generator;
import dev.descent.core.Scope;
import dev.descent.core.Tensor;
import dev.descent.cpu.CpuBackend;
import java.util.List;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

/**
 * Class weights and the ignore index against PyTorch's definition
 * ({@code aten/src/ATen/native/LossNLL.cpp}, {@code cross_entropy_loss_label_smoothing}),
 * written out below in float64 loops.
 */
class CrossEntropyLossWeightTest {
    private static final int[][] SHAPES = {{1, 2}, {2, 3}, {5, 4}, {9, 7}, {17, 11}};
    private static final double[] SMOOTHINGS = {0, 0.1, 0.35};

    /** Logits {@code [n, c]}, labels, class weights (null: none) and the ignore index (empty: none). */
    private record Case(int n, int c, double[] logits, long[] labels, double[] weight, OptionalInt ignore) {

        boolean ignored(int i) {
            return ignore.isPresent() && labels[i] == ignore.getAsInt();
        }

        double w(long cls) {
            return weight == null ? 1 : weight[(int) cls];
        }

        /** The loss under test, configured as this case asks. */
        CrossEntropyLoss loss(Reduction r, double eps) {
            CrossEntropyLoss loss = new CrossEntropyLoss(r, eps);
            if (weight != null) {
                loss = loss.withWeight(Tensor.of(weight));
            }
            return ignore.isPresent() ? loss.withIgnoreIndex(ignore.getAsInt()) : loss;
        }
    }

    /**
     * Random logits and labels; with an ignore index (−100, or class 0 itself, both allowed by
     * PyTorch) the first row and about a third of the others are ignored, but never the last, so
     * MEAN stays defined.
     */
    private static Case randomCase(Generator gen, int n, int c, boolean weighted, OptionalInt ignore) {
        double[] logits = gen.normal(n * c, 0, 2);
        long[] labels = new long[n];
        for (int i = 0; i < n; i++) {
            boolean skip = ignore.isPresent() && i < n - 1 && (i == 0 || gen.nextDouble() < 0.35);
            labels[i] = skip ? ignore.getAsInt() : gen.nextInt(c);
        }
        if (ignore.isPresent() && ignore.getAsInt() >= 0 && labels[n - 1] == ignore.getAsInt()) {
            labels[n - 1] = (labels[n - 1] + 1) % c;
        }
        return new Case(n, c, logits, labels, weighted ? gen.uniform(c, 0.1, 2.0) : null, ignore);
    }

    /** log p[i, ·] = x[i, ·] − logsumexp(x[i, ·]), shifted by the row's max. */
    private static double[] logSoftmaxRow(Case k, int i) {
        double max = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < k.c(); j++) {
            max = Math.max(max, k.logits()[i * k.c() + j]);
        }
        double z = 0;
        for (int j = 0; j < k.c(); j++) {
            z += Math.exp(k.logits()[i * k.c() + j] - max);
        }
        double[] logp = new double[k.c()];
        for (int j = 0; j < k.c(); j++) {
            logp[j] = k.logits()[i * k.c() + j] - max - Math.log(z);
        }
        return logp;
    }

    /** ℓ_i = (1 − ε)·w[y_i]·(−log p[i, y_i]) + (ε/C)·Σ_c w[c]·(−log p[i, c]); 0 where y_i is ignored. */
    private static double[] referenceRows(Case k, double eps) {
        double[] out = new double[k.n()];
        for (int i = 0; i < k.n(); i++) {
            if (k.ignored(i)) {
                continue;
            }
            double[] logp = logSoftmaxRow(k, i);
            double uniform = 0;
            for (int j = 0; j < k.c(); j++) {
                uniform -= k.w(j) * logp[j];
            }
            int y = (int) k.labels()[i];
            out[i] = (1 - eps) * k.w(y) * -logp[y] + eps / k.c() * uniform;
        }
        return out;
    }

    /** SUM is Σ ℓ_i; MEAN divides it by Σ w[y_i] over the rows not ignored. */
    private static double reference(Case k, double eps, Reduction r) {
        double sum = 0;
        double totalWeight = 0;
        double[] rows = referenceRows(k, eps);
        for (int i = 0; i < k.n(); i++) {
            sum += rows[i];
            totalWeight += k.ignored(i) ? 0 : k.w(k.labels()[i]);
        }
        return r == Reduction.SUM ? sum : sum / totalWeight;
    }

    private static Variable apply(Case k, Reduction r, double eps) {
        return k.loss(r, eps).apply(Variable.of(Tensor.of(k.logits(), k.n(), k.c())), Tensor.of(k.labels()));
    }

    @Test
    void matchesTheFloat64ReferenceWithAndWithoutWeightsIgnoredRowsAndSmoothing() {
        Generator gen = new Generator(7);
        for (int[] shape : SHAPES) {
            for (boolean weighted : new boolean[] {false, true}) {
                for (OptionalInt ignore : List.of(OptionalInt.empty(), OptionalInt.of(-100), OptionalInt.of(0))) {
                    Case k = randomCase(gen, shape[0], shape[1], weighted, ignore);
                    for (double eps : SMOOTHINGS) {
                        String what = shape[0] + "x" + shape[1] + " weighted " + weighted + " ignore " + ignore
                                + " eps " + eps;
                        try (Scope scope = Scope.open()) {
                            assertAllClose(referenceRows(k, eps), apply(k, Reduction.NONE, eps).toDoubleArray(),
                                    1e-12);
                            assertEquals(reference(k, eps, Reduction.SUM), apply(k, Reduction.SUM, eps).item(),
                                    1e-12 * Math.max(1, Math.abs(reference(k, eps, Reduction.SUM))), what);
                            assertEquals(reference(k, eps, Reduction.MEAN), apply(k, Reduction.MEAN, eps).item(),
                                    1e-12 * Math.max(1, Math.abs(reference(k, eps, Reduction.MEAN))), what);
                        }
                    }
                }
            }
        }
    }

    @Test
    void float32MatchesTheReferenceToFloat32Precision() {
        Case k = randomCase(new Generator(11), 13, 6, true, OptionalInt.of(-100));
        try (Scope scope = Scope.open()) {
            Tensor weight = Tensor.of(Backends.defaultDevice(), DType.FLOAT32, k.weight(), k.c());
            double[] exactWeight = weight.toDoubleArray();
            Case rounded = new Case(k.n(), k.c(), Tensor.of(Backends.defaultDevice(), DType.FLOAT32, k.logits())
                    .toDoubleArray(), k.labels(), exactWeight, k.ignore());
            CrossEntropyLoss loss = new CrossEntropyLoss(Reduction.MEAN, 0.1).withWeight(weight).withIgnoreIndex(-100);
            Variable logits = Variable.of(Tensor.of(Backends.defaultDevice(), DType.FLOAT32, k.logits(), k.n(), k.c()));
            assertEquals(reference(rounded, 0.1, Reduction.MEAN), loss.apply(logits, Tensor.of(k.labels())).item(),
                    1e-5);
        }
    }

    @Test
    void gradientsPassGradcheckForWeightedIgnoredAndSmoothedLosses() {
        Generator gen = new Generator(3);
        for (int[] shape : new int[][] {{4, 3}, {6, 5}}) {
            for (boolean weighted : new boolean[] {false, true}) {
                for (OptionalInt ignore : List.of(OptionalInt.empty(), OptionalInt.of(-100))) {
                    Case k = randomCase(gen, shape[0], shape[1], weighted, ignore);
                    try (Tensor labels = Tensor.of(k.labels())) {
                        for (double eps : new double[] {0, 0.2}) {
                            for (Reduction r : Reduction.values()) {
                                CrossEntropyLoss loss = k.loss(r, eps);
                                var result = GradCheck.gradcheck(v -> loss.apply(v.get(0), labels),
                                        List.of(Tensor.of(k.logits(), k.n(), k.c())));
                                assertTrue(result.passed(), "weighted " + weighted + " ignore " + ignore + " eps "
                                        + eps + " " + r + ": " + result);
                            }
                        }
                    }
                }
            }
        }
    }

    /** Not merely small: the gradient of an ignored row is exactly 0, as PyTorch's. */
    @Test
    void ignoredRowsGetExactlyZeroLossAndGradient() {
        Case k = new Case(3, 4, new Generator(5).normal(12, 0, 1), new long[] {2, -100, 1}, new double[] {1, 2, 3, 4},
                OptionalInt.of(-100));
        try (Scope scope = Scope.open()) {
            assertEquals(0, apply(k, Reduction.NONE, 0.3).toDoubleArray()[1], 0.0);
            Variable logits = Variable.parameter(Tensor.of(k.logits(), 3, 4));
            k.loss(Reduction.MEAN, 0.3).apply(logits, Tensor.of(k.labels())).backward();
            double[] grad = logits.grad().toDoubleArray();
            for (int j = 0; j < 4; j++) {
                assertEquals(0, grad[4 + j], 0.0, "column " + j);
                assertTrue(grad[j] != 0 && grad[8 + j] != 0, "kept rows have a gradient");
            }
        }
    }

    /** Σ ℓ / Σ w = 0/0: NaN for MEAN, as PyTorch, while SUM is 0, NONE all 0 and the gradient all 0. */
    @Test
    void meanIsNaNWhenEveryRowIsIgnored() {
        for (boolean weighted : new boolean[] {false, true}) {
            for (double eps : new double[] {0, 0.2}) {
                Case k = new Case(3, 4, new Generator(9).normal(12, 0, 1), new long[] {-100, -100, -100},
                        weighted ? new double[] {1, 2, 3, 4} : null, OptionalInt.of(-100));
                assertTrue(Double.isNaN(reference(k, eps, Reduction.MEAN)), "the reference is 0/0 too");
                try (Scope scope = Scope.open()) {
                    Variable logits = Variable.parameter(Tensor.of(k.logits(), 3, 4));
                    Variable mean = k.loss(Reduction.MEAN, eps).apply(logits, Tensor.of(k.labels()));
                    assertTrue(Double.isNaN(mean.item()), "weighted " + weighted + " eps " + eps + ": " + mean.item());
                    mean.backward();
                    assertAllClose(new double[12], logits.grad().toDoubleArray(), 0);
                    assertEquals(0, apply(k, Reduction.SUM, eps).item(), 0.0);
                    assertAllClose(new double[3], apply(k, Reduction.NONE, eps).toDoubleArray(), 0);
                }
            }
        }
    }

    /** For probabilities PyTorch weights each term, −Σ_c w[c]·q̃[i, c]·log p[i, c], and MEAN divides by N. */
    @Test
    void probabilityTargetsAreWeightedPerClassAndAveragedOverRows() {
        Generator gen = new Generator(13);
        int n = 5;
        int c = 4;
        double[] q = gen.uniform(n * c, 0, 1);
        for (int i = 0; i < n; i++) {
            double rowSum = 0;
            for (int j = 0; j < c; j++) {
                rowSum += q[i * c + j];
            }
            for (int j = 0; j < c; j++) {
                q[i * c + j] /= rowSum;
            }
        }
        Case k = new Case(n, c, gen.normal(n * c, 0, 2), new long[n], gen.uniform(c, 0.1, 2), OptionalInt.empty());
        double eps = 0.2;
        double[] expected = new double[n];
        double sum = 0;
        for (int i = 0; i < n; i++) {
            double[] logp = logSoftmaxRow(k, i);
            for (int j = 0; j < c; j++) {
                expected[i] -= k.w(j) * ((1 - eps) * q[i * c + j] + eps / c) * logp[j];
            }
            sum += expected[i];
        }
        try (Scope scope = Scope.open(); Tensor target = Tensor.of(q, n, c)) {
            Variable logits = Variable.of(Tensor.of(k.logits(), n, c));
            assertAllClose(expected, k.loss(Reduction.NONE, eps).apply(logits, target).toDoubleArray(), 1e-12);
            assertEquals(sum / n, k.loss(Reduction.MEAN, eps).apply(logits, target).item(), 1e-12);
            // A negative ignore index matches no probability row: accepted, as PyTorch's default −100 is.
            assertEquals(sum, k.loss(Reduction.SUM, eps).withIgnoreIndex(-100).apply(logits, target).item(), 1e-12);
            var result = GradCheck.gradcheck(v -> k.loss(Reduction.MEAN, eps).apply(v.get(0), v.get(1)),
                    List.of(Tensor.of(k.logits(), n, c), target));
            assertTrue(result.passed(), result.toString());
        }
    }

    @Test
    void theWeightIsCopiedSoItsTensorMayBeClosed() {
        Case k = randomCase(new Generator(17), 6, 3, true, OptionalInt.empty());
        CrossEntropyLoss loss;
        try (Tensor weight = Tensor.of(k.weight())) {
            loss = new CrossEntropyLoss(Reduction.SUM).withWeight(weight);
        }
        try (Scope scope = Scope.open()) {
            Variable logits = Variable.of(Tensor.of(k.logits(), k.n(), k.c()));
            assertEquals(reference(k, 0, Reduction.SUM), loss.apply(logits, Tensor.of(k.labels())).item(), 1e-12);
        }
    }

    /** As {@code MemoryTest} for the plain loss: steps run without any Scope leave nothing behind. */
    @Test
    void weightedIgnoringSmoothedStepsRunInConstantMemoryWithoutAScope() {
        Generator gen = new Generator(19);
        CrossEntropyLoss loss;
        try (Tensor weight = Tensor.of(new float[] {0.5f, 2, 1})) {
            loss = new CrossEntropyLoss(Reduction.MEAN, 0.1).withWeight(weight).withIgnoreIndex(-100);
        }
        long afterFirst = 0;
        for (int step = 0; step < 4; step++) {
            try (Variable x = Variable.parameter(Tensor.randn(gen, DType.FLOAT32, 6, 3));
                 Tensor labels = Tensor.of(new int[] {0, -100, 2, 0, 1, -100});
                 Tensor q = Tensor.full(DType.FLOAT32, 1.0 / 3, 6, 3)) {
                for (Tensor target : List.of(labels, q)) {
                    Variable l = loss.apply(x, target);
                    l.backward();
                    l.close();
                }
                x.zeroGrad();
            }
            if (step == 0) {
                afterFirst = CpuBackend.liveBytes();
            } else {
                assertEquals(afterFirst, CpuBackend.liveBytes(), "live bytes after step " + step);
            }
        }
    }

    @Test
    void badWeightsAndLabelsAreNamedWithWhatWasExpectedAndGiven() {
        try (Scope scope = Scope.open()) {
            Variable logits = Variable.of(Tensor.of(new double[] {1, 2, 3, -1, 0, 4}, 2, 3));
            Tensor labels = Tensor.of(new int[] {2, 0});
            CrossEntropyLoss plain = new CrossEntropyLoss();

            IllegalArgumentException rank = assertThrows(IllegalArgumentException.class,
                    () -> plain.withWeight(Tensor.of(new double[] {1, 2, 3, 4}, 2, 2)));
            assertEquals("CrossEntropyLoss: expected a weight of shape [C] (one per class), got [2, 2]",
                    rank.getMessage());
            IllegalArgumentException integer = assertThrows(IllegalArgumentException.class,
                    () -> plain.withWeight(Tensor.of(new int[] {1, 2, 3})));
            assertEquals("CrossEntropyLoss: expected a float32 or float64 weight, got int32", integer.getMessage());
            IllegalArgumentException length = assertThrows(IllegalArgumentException.class,
                    () -> plain.withWeight(Tensor.of(new double[] {1, 2, 3, 4})).apply(logits, labels));
            assertEquals("CrossEntropyLoss: expected a weight of 3 entries (one per class), got 4",
                    length.getMessage());
            IllegalArgumentException dtype = assertThrows(IllegalArgumentException.class,
                    () -> plain.withWeight(Tensor.of(new float[] {1, 2, 3})).apply(logits, labels));
            assertEquals("CrossEntropyLoss: expected a weight of the input's dtype float64, got float32",
                    dtype.getMessage());

            CrossEntropyLoss ignoring = plain.withIgnoreIndex(-100);
            IllegalArgumentException range = assertThrows(IllegalArgumentException.class,
                    () -> ignoring.apply(logits, Tensor.of(new long[] {-100, 3})));
            assertEquals("CrossEntropyLoss: class index 3 at position 1 is out of range for 3 classes"
                    + " (expected 0..2 or the ignore index -100)", range.getMessage());
            IllegalArgumentException notIgnored = assertThrows(IllegalArgumentException.class,
                    () -> plain.apply(logits, Tensor.of(new long[] {-100, 0})));
            assertEquals("CrossEntropyLoss: class index -100 at position 0 is out of range for 3 classes"
                    + " (expected 0..2)", notIgnored.getMessage());
            IllegalArgumentException probabilities = assertThrows(IllegalArgumentException.class,
                    () -> plain.withIgnoreIndex(1).apply(logits, Tensor.of(new double[] {0, 0, 1, 1, 0, 0}, 2, 3)));
            assertEquals("CrossEntropyLoss: expected int32/int64 class indices with the ignore index 1,"
                    + " got float64 probabilities", probabilities.getMessage());
        }
    }
}
