package dev.descent.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.core.DType;
import dev.descent.core.Generator;
import dev.descent.core.Scope;
import dev.descent.core.Tensor;
import dev.descent.core.IndexOutOfRangeException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Results do not depend on {@code descent.cpu.threads}: the same inputs give the same bits on 1,
 * 2, 3 and 8 threads (more threads than this machine's cores is fine: the split is what matters).
 * Reductions fold fixed blocks in a fixed order; elementwise ops are per element; products are
 * split into aligned row blocks, each one single-threaded OpenBLAS call ({@code Gemm}).
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

    /**
     * Convolutions (each sample's products single-threaded, the weight gradient summed over fixed
     * slices of the batch), pooling and batch normalisation (one channel per thread) give the same
     * bits on any thread count, float32 and float64.
     */
    @Test
    void convolutionPoolingAndBatchNormHaveTheSameBitsOnAnyThreadCount() {
        dev.descent.core.Conv2dOptions o = dev.descent.core.Conv2dOptions.DEFAULT.padding(1).groups(2);
        dev.descent.core.Pool2dOptions pool = dev.descent.core.Pool2dOptions.of(3).stride(2).padding(1);
        for (DType dtype : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
            Generator gen = new Generator(21);
            try (Tensor x = Scope.escape(Tensor.randn(gen, dtype, 37, 4, 15, 13));
                 Tensor w = Scope.escape(Tensor.randn(gen, dtype, 6, 2, 3, 3));
                 Tensor b = Scope.escape(Tensor.randn(gen, dtype, 6));
                 Tensor g = Scope.escape(Tensor.randn(gen, dtype, 37, 6, 15, 13))) {
                sameBitsOnEveryThreadCount("convolution " + dtype, () -> {
                    Tensor mean = Tensor.zeros(dtype, 4);
                    Tensor var = Tensor.zeros(dtype, 4);
                    Tensor normalised = Tensor.batchNorm(x, null, null, mean, var, 1e-5, true);
                    var grads = Tensor.batchNormBackward(x, x, null, mean, var, 1e-5, true, true, false, true);
                    return List.of(x.conv2d(w, b, o), Tensor.conv2dInputGrad(g, w, x.shape(), o),
                            Tensor.conv2dWeightGrad(x, g, w.shape(), o), x.maxPool2d(pool), x.avgPool2d(pool),
                            Tensor.avgPool2dInputGrad(x.avgPool2d(pool), x.shape(), pool), normalised, mean, var,
                            grads.input(), grads.bias());
                });
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
    void matrixProductsHaveTheSameBitsOnAnyThreadCount() {
        // Fashion-MNIST's 784-256-128-10 MLP at batch 128 (forward x·W, backward xᵀ·g and g·Wᵀ; k = 784
        // is where OpenBLAS's own threading summed differently), odd sizes, float64, a batch of products
        Generator gen = new Generator(3);
        int[][] shapes = {{128, 784, 256}, {784, 128, 256}, {128, 256, 784}, {128, 256, 128}, {128, 128, 10},
            {256, 300, 200}, {130, 300, 200}, {1000, 50, 333}, {64, 4096, 16}, {512, 1024, 512}, {200, 784, 33}};
        List<Tensor[]> pairs = new ArrayList<>();
        for (int[] s : shapes) {
            pairs.add(new Tensor[] {Scope.escape(Tensor.randn(gen, DType.FLOAT32, s[0], s[1])),
                Scope.escape(Tensor.randn(gen, DType.FLOAT32, s[1], s[2]))});
            // the same product with A read transposed (a backward pass's xᵀ·g)
            pairs.add(new Tensor[] {Scope.escape(Tensor.randn(gen, DType.FLOAT32, s[1], s[0]).t()),
                Scope.escape(Tensor.randn(gen, DType.FLOAT32, s[1], s[2]))});
        }
        pairs.add(new Tensor[] {Scope.escape(Tensor.randn(gen, DType.FLOAT64, 200, 300)),
            Scope.escape(Tensor.randn(gen, DType.FLOAT64, 300, 100))});
        pairs.add(new Tensor[] {Scope.escape(Tensor.randn(gen, DType.FLOAT32, 3, 128, 300)),
            Scope.escape(Tensor.randn(gen, DType.FLOAT32, 300, 100))});
        try {
            sameBitsOnEveryThreadCount("matmul", () -> {
                List<Tensor> products = new ArrayList<>();
                for (Tensor[] p : pairs) {
                    products.add(p[0].matmul(p[1]));
                }
                return products;
            });
        } finally {
            for (Tensor[] p : pairs) {
                p[0].close();
                p[1].close();
            }
        }
    }

    @Test
    void productsAreSplitIntoAlignedRowBlocksOfEnoughWork() {
        long[] mlp = Gemm.rowBlocks(128, 784L * 256, 2);
        assertArrayEquals(new long[] {0, 64, 128}, mlp, "x·W of the MLP at batch 128 on 2 threads");
        assertArrayEquals(new long[] {0, 128}, Gemm.rowBlocks(128, 784L * 256, 1));
        assertArrayEquals(new long[] {0, 130}, Gemm.rowBlocks(130, 10L * 10, 8), "too little work to split");
        for (int m : new int[] {64, 127, 200, 784, 1000, 4097}) {
            for (long work : new long[] {1, 1000, 8192, 200_704, 1L << 22}) {
                for (int threads : new int[] {1, 2, 3, 16}) {
                    long[] b = Gemm.rowBlocks(m, work, threads);
                    assertEquals(0, b[0]);
                    assertEquals(m, b[b.length - 1]);
                    assertTrue(b.length - 1 <= threads);
                    for (int i = 1; i < b.length; i++) {
                        assertTrue(b[i] > b[i - 1]);
                        assertEquals(0, b[i - 1] % Gemm.ROW_ALIGN, "aligned starts " + Arrays.toString(b));
                        assertTrue(b.length == 2 || (b[i] - b[i - 1]) * work >= Gemm.MIN_BLOCK_WORK,
                                "enough work in each of several blocks: " + Arrays.toString(b) + " x " + work);
                    }
                }
            }
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
                var e = assertThrows(IndexOutOfRangeException.class,
                        () -> src.gather(0, index));
                assertEquals(9, e.index());
                assertEquals(100_000, e.position());
                assertEquals(4, e.axisSize());
                assertEquals("gather: index 9 at position 100000 is out of range for axis 0 of size 4 (expected 0..3)",
                        e.getMessage());
                var selected = assertThrows(IndexOutOfRangeException.class,
                        () -> src.indexSelect(1, Tensor.of(src.device(), DType.INT64, new double[] {0, 1, 1 << 17})));
                assertEquals("indexSelect: index 131072 at position 2 is out of range for axis 1 of size 131072"
                        + " (expected 0..131071)", selected.getMessage());
            }
        }
    }
}
