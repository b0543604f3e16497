package dev.descent.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.descent.core.DType;
import dev.descent.core.Generator;
import dev.descent.core.Scope;
import dev.descent.core.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Results do not depend on {@code descent.cpu.threads}: the same inputs give the same bits on 1,
 * 2, 3 and 8 threads (more threads than this machine's cores is fine: the split is what matters).
 * Reductions fold fixed blocks in a fixed order; elementwise ops are per element; OpenBLAS's GEMM
 * splits the output, not the sum over k, for the shapes a training step uses.
 */
class ThreadCountIndependenceTest {
    private static final int[] THREADS = {1, 2, 3, 8};
    private final int configured = CpuBackend.threads();

    @AfterEach
    void restoreThreads() {
        CpuBackend.setThreads(configured);
    }

    /** The results of {@code compute} (each read as doubles) under every thread count, bit for bit. */
    private static void sameBitsOnEveryThreadCount(String what, Supplier<List<Tensor>> compute) {
        List<double[]> reference = null;
        for (int threads : THREADS) {
            CpuBackend.setThreads(threads);
            List<double[]> got = new ArrayList<>();
            try (Scope scope = Scope.open()) {
                for (Tensor t : compute.get()) {
                    got.add(t.toDoubleArray());
                }
            }
            if (reference == null) {
                reference = got;
                continue;
            }
            for (int i = 0; i < got.size(); i++) {
                double[] r = reference.get(i);
                double[] g = got.get(i);
                assertEquals(r.length, g.length);
                for (int k = 0; k < r.length; k++) {
                    assertEquals(Double.doubleToRawLongBits(r[k]), Double.doubleToRawLongBits(g[k]),
                            what + " result " + i + " element " + k + " on " + threads + " threads: " + g[k]
                                    + " vs " + r[k] + " on 1 thread");
                }
            }
        }
    }

    @Test
    void sumsAndNormsOfManyValuesHaveTheSameBitsOnAnyThreadCount() {
        // sizes around the block (2^15) and far above it, float32 and float64, one output and a few
        for (int n : new int[] {(1 << 15) - 3, (1 << 15) + 5, 200_704, 1_000_003}) {
            for (DType dtype : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
                Generator gen = new Generator(n);
                try (Tensor x = Scope.escape(Tensor.randn(gen, dtype, n));
                     Tensor rows = Scope.escape(Tensor.randn(gen, dtype, 3, n / 3))) {
                    sameBitsOnEveryThreadCount("sum of " + n + " " + dtype, () -> List.of(x.sum(), x.norm(2),
                            x.square().sum(), x.mean(), rows.sum(new int[] {1}, false), rows.max(new int[] {1}, false),
                            rows.argmax(1, false)));
                }
            }
        }
    }

    @Test
    void reducingManyOutputsHasTheSameBitsOnAnyThreadCount() {
        Generator gen = new Generator(7);
        try (Tensor x = Scope.escape(Tensor.randn(gen, DType.FLOAT32, 128, 784))) {
            sameBitsOnEveryThreadCount("column sums", () -> List.of(x.sum(new int[] {0}, false),
                    x.sum(new int[] {1}, false), x.logSoftmax(1)));
        }
    }

    @Test
    void theMatrixProductsOfAnMlpStepHaveTheSameBitsOnAnyThreadCount() {
        // Fashion-MNIST's 784-256-128-10 MLP at batch 128: forward x·W, backward gᵀ·x and g·Wᵀ
        Generator gen = new Generator(3);
        try (Tensor x = Scope.escape(Tensor.randn(gen, DType.FLOAT32, 128, 784));
             Tensor w1 = Scope.escape(Tensor.randn(gen, DType.FLOAT32, 784, 256));
             Tensor g1 = Scope.escape(Tensor.randn(gen, DType.FLOAT32, 128, 256));
             Tensor w2 = Scope.escape(Tensor.randn(gen, DType.FLOAT32, 256, 128));
             Tensor g2 = Scope.escape(Tensor.randn(gen, DType.FLOAT32, 128, 128));
             Tensor big = Scope.escape(Tensor.randn(gen, DType.FLOAT32, 512, 1024));
             Tensor bigW = Scope.escape(Tensor.randn(gen, DType.FLOAT32, 1024, 512));
             Tensor xd = Scope.escape(Tensor.randn(gen, DType.FLOAT64, 200, 300));
             Tensor wd = Scope.escape(Tensor.randn(gen, DType.FLOAT64, 300, 100))) {
            sameBitsOnEveryThreadCount("matmul", () -> List.of(x.matmul(w1), x.t().matmul(g1), g1.matmul(w1.t()),
                    g1.matmul(w2), g1.t().matmul(g2), g2.matmul(w2.t()), big.matmul(bigW), xd.matmul(wd)));
        }
    }

    @Test
    void elementwiseOpsHaveTheSameBitsOnAnyThreadCount() {
        Generator gen = new Generator(5);
        try (Tensor a = Scope.escape(Tensor.randn(gen, DType.FLOAT32, 300_000));
             Tensor b = Scope.escape(Tensor.randn(gen, DType.FLOAT32, 300_000))) {
            sameBitsOnEveryThreadCount("elementwise", () -> List.of(a.add(b), a.exp(), a.mul(b).tanh(),
                    a.maximum(b)));
        }
    }

    @Test
    void theGatherNamesTheFirstBadIndexAndItsPositionWhateverTheThreadCount() {
        for (int threads : THREADS) {
            CpuBackend.setThreads(threads);
            double[] idx = new double[1 << 17];
            idx[100_000] = 9;
            idx[120_000] = -2;
            try (Scope scope = Scope.open()) {
                Tensor src = Tensor.zeros(DType.FLOAT32, 4, 1 << 17);
                Tensor index = Tensor.of(src.device(), DType.INT32, idx, 1, 1 << 17);
                var e = org.junit.jupiter.api.Assertions.assertThrows(dev.descent.core.IndexOutOfRangeException.class,
                        () -> src.gather(0, index));
                assertEquals(9, e.index());
                assertEquals(100_000, e.position());
                assertEquals(4, e.axisSize());
                assertEquals("gather: index 9 at position 100000 is out of range for axis 0 of size 4 (expected 0..3)",
                        e.getMessage());
                var selected = org.junit.jupiter.api.Assertions.assertThrows(
                        dev.descent.core.IndexOutOfRangeException.class,
                        () -> src.indexSelect(1, Tensor.of(src.device(), DType.INT64, new double[] {0, 1, 1 << 17})));
                assertEquals("indexSelect: index 131072 at position 2 is out of range for axis 1 of size 131072"
                        + " (expected 0..131071)", selected.getMessage());
            }
        }
    }

    @Test
    void itemsReadsSeveralScalarsOfMixedDTypesTogether() {
        try (Scope scope = Scope.open()) {
            double[] v = Tensor.items(Tensor.scalar(1.5, DType.FLOAT32), Tensor.of(new long[] {7}, 1),
                    Tensor.scalar(-2.25, DType.FLOAT64));
            assertArrayEquals(new double[] {1.5, 7, -2.25}, v);
        }
    }
}
