package dev.descent.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.core.DType;
import dev.descent.core.Device;
import dev.descent.core.spi.Storage;
import dev.descent.core.spi.StridedView;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link CublasGemm}'s translation of row-major, possibly transposed and batched views into
 * cuBLAS's column-major strided-batched calls, checked without a GPU: cuBLAS's documented
 * semantics are emulated on host arrays and the product compared with a plain triple loop.
 */
class CublasGemmTest {
    private final List<HostStorage> storages = new ArrayList<>();
    private final List<String> copies = new ArrayList<>();
    private int calls;

    /** Host memory with a made-up device address: storage s, element i is at (s + 1) << 32 | i * 8. */
    private final class HostStorage implements Storage, DeviceAddressed {
        final double[] data;
        final int id;

        HostStorage(int elements) {
            data = new double[elements];
            id = storages.size();
            storages.add(this);
        }

        @Override
        public long address(long offset) {
            return ((long) (id + 1) << 32) | (offset * 8);
        }

        @Override
        public Device device() {
            return new Device("cuda", 0);
        }

        @Override
        public DType dtype() {
            return DType.FLOAT64;
        }

        @Override
        public long elements() {
            return data.length;
        }

        @Override
        public void free() {
        }
    }

    private double[] memory(long address) {
        return storages.get((int) (address >>> 32) - 1).data;
    }

    private static int index(long address) {
        return (int) ((address & 0xffffffffL) / 8);
    }

    /** cuBLAS's gemmStridedBatched as documented: column-major, op(X) = X or Xᵀ, alpha 1, beta 0. */
    private final BatchedGemm emulatedCublas = (dtype, opA, opB, m, n, k, a, lda, strideA, b, ldb, strideB, c, ldc, strideC,
            batch) -> {
        calls++;
        assertTrue(ldc >= Math.max(1, m), "ldc");
        assertTrue(lda >= Math.max(1, opA == 0 ? m : k), "lda " + lda);
        assertTrue(ldb >= Math.max(1, opB == 0 ? k : n), "ldb " + ldb);
        double[] am = memory(a);
        double[] bm = memory(b);
        double[] cm = memory(c);
        for (int q = 0; q < batch; q++) {
            int a0 = index(a) + (int) (q * strideA);
            int b0 = index(b) + (int) (q * strideB);
            int c0 = index(c) + (int) (q * strideC);
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    double s = 0;
                    for (int p = 0; p < k; p++) {
                        double x = opA == 0 ? am[a0 + i + p * lda] : am[a0 + p + i * lda];
                        double y = opB == 0 ? bm[b0 + p + j * ldb] : bm[b0 + j + p * ldb];
                        s += x * y;
                    }
                    cm[c0 + i + j * ldc] = s;
                }
            }
        }
    };

    /** Runs only the copy kernel's effect on host memory (the contiguous copy of an unreadable view). */
    private final KernelLauncher hostCopies = new KernelLauncher() {
        @Override
        public void launch(String op, String file, String name, long n, KernelArgs args) {
            copies.add(name);
        }

        @Override
        public void launch(String op, String file, String name, int grid, int block, int sharedBytes, KernelArgs args) {
            copies.add(name);
        }

        @Override
        public void launch(String op, GeneratedKernel kernel, long n, KernelArgs args) {
            throw new AssertionError("matmul launched a generated kernel");
        }

        @Override
        public void launchBlocks(String op, GeneratedKernel kernel, long blocks, KernelArgs args) {
            throw new AssertionError("matmul launched a generated kernel");
        }
    };

    private StridedView view(double[] values, int[] shape, long[] strides, int size) {
        HostStorage s = new HostStorage(size);
        System.arraycopy(values, 0, s.data, 0, values.length);
        return new StridedView(s, DType.FLOAT64, 0, shape, strides);
    }

    private static double at(StridedView v, int... idx) {
        long off = v.offset();
        for (int d = 0; d < idx.length; d++) {
            off += idx[d] * v.strides()[d];
        }
        return ((HostStorage) v.storage()).data[(int) off];
    }

    /** Checks out = a·b over a batch of [batch] leading dims against a triple loop. */
    private void check(StridedView a, StridedView b, int[] batchShape) {
        int r = a.rank();
        int m = a.shape()[r - 2];
        int k = a.shape()[r - 1];
        int n = b.shape()[r - 1];
        int[] outShape = Arrays.copyOf(batchShape, r);
        outShape[r - 2] = m;
        outShape[r - 1] = n;
        long[] outStrides = new long[r];
        long s = 1;
        for (int d = r - 1; d >= 0; d--) {
            outStrides[d] = s;
            s *= outShape[d];
        }
        StridedView out = view(new double[0], outShape, outStrides, (int) s);
        new CublasGemm(emulatedCublas, new ElementwiseKernels(hostCopies), (t, e) -> new HostStorage((int) (long) e))
                .matmul(a, b, out);
        int batches = (int) (s / ((long) m * n));
        for (int q = 0; q < batches; q++) {
            int[] bi = new int[r - 2];
            int rest = q;
            for (int d = r - 3; d >= 0; d--) {
                bi[d] = rest % batchShape[d];
                rest /= batchShape[d];
            }
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    double expected = 0;
                    for (int p = 0; p < k; p++) {
                        expected += at(a, idx(bi, i, p)) * at(b, idx(bi, p, j));
                    }
                    assertEquals(expected, at(out, idx(bi, i, j)), 1e-12, "out" + Arrays.toString(idx(bi, i, j)));
                }
            }
        }
    }

    private static int[] idx(int[] batch, int i, int j) {
        int[] v = Arrays.copyOf(batch, batch.length + 2);
        v[batch.length] = i;
        v[batch.length + 1] = j;
        return v;
    }

    private static double[] random(int n, long seed) {
        Random r = new Random(seed);
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = r.nextInt(19) - 9;
        }
        return v;
    }

    @Test
    void rowMajorMatricesBecomeTheSwappedColumnMajorProduct() {
        check(view(random(5 * 7, 1), new int[] {5, 7}, new long[] {7, 1}, 35),
                view(random(7 * 3, 2), new int[] {7, 3}, new long[] {3, 1}, 21), new int[0]);
        assertEquals(1, calls);
        assertTrue(copies.isEmpty(), "no copy for contiguous operands");
    }

    @Test
    void transposedViewsBecomeOpFlagsWithoutCopies() {
        // a is the transpose of a contiguous [7, 5]; b the transpose of a contiguous [3, 7].
        check(view(random(35, 3), new int[] {5, 7}, new long[] {1, 5}, 35),
                view(random(21, 4), new int[] {7, 3}, new long[] {1, 7}, 21), new int[0]);
        assertTrue(copies.isEmpty(), "transposed operands need no copy: " + copies);
    }

    @Test
    void rowsWithPaddingUseTheRowStrideAsLeadingDimension() {
        // Every other column of a [4, 12] matrix would not do; a [4, 6] window of rows of 10 does.
        check(view(random(40, 5), new int[] {4, 6}, new long[] {10, 1}, 40),
                view(random(12, 6), new int[] {6, 2}, new long[] {2, 1}, 12), new int[0]);
        assertTrue(copies.isEmpty());
    }

    @Test
    void aBatchIsOneStridedCallAndABroadcastMatrixHasStrideZero() {
        check(view(random(3 * 4 * 5, 7), new int[] {3, 4, 5}, new long[] {20, 5, 1}, 60),
                view(random(5 * 2, 8), new int[] {3, 5, 2}, new long[] {0, 2, 1}, 10), new int[] {3});
        assertEquals(1, calls);
    }

    @Test
    void batchDimensionsThatDoNotMergeLoopOnTheHost() {
        // a's batch dims [2, 3] are transposed in memory, so they cannot merge into one.
        check(view(random(2 * 3 * 4 * 2, 9), new int[] {2, 3, 4, 2}, new long[] {8, 16, 2, 1}, 48),
                view(random(2 * 3 * 2 * 3, 10), new int[] {2, 3, 2, 3}, new long[] {18, 6, 3, 1}, 36), new int[] {2, 3});
        assertEquals(2, calls, "one strided call per outer batch index");
    }

    @Test
    void aViewCublasCannotReadIsCopiedContiguousFirst() {
        StridedView strided = view(random(64, 11), new int[] {3, 4}, new long[] {16, 2}, 64);
        StridedView b = view(random(8, 12), new int[] {4, 2}, new long[] {2, 1}, 8);
        int[] outShape = {3, 2};
        StridedView out = view(new double[0], outShape, new long[] {2, 1}, 6);
        new CublasGemm(emulatedCublas, new ElementwiseKernels(hostCopies), (t, e) -> new HostStorage((int) (long) e))
                .matmul(strided, b, out);
        assertEquals(List.of("copy_f64_f64"), copies);
        assertEquals(1, calls);
    }
}
