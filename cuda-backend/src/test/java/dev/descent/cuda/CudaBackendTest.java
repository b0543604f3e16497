package dev.descent.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.core.Backends;
import dev.descent.core.DType;
import dev.descent.core.Device;
import dev.descent.core.FusedUpdates;
import dev.descent.core.IndexOutOfRangeException;
import dev.descent.core.Tensor;
import dev.descent.core.spi.AdamUpdate;
import dev.descent.core.spi.SgdUpdate;
import dev.descent.core.spi.Storage;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * What the conformance suite does not cover: the caching allocator, the out-of-memory
 * message, cuBLAS on transposed views, and the fused optimiser kernels against their
 * equations computed here in double. Needs a GPU; skipped with the reason otherwise.
 */
@ExtendWith(RequiresCuda.class)
class CudaBackendTest {
    private static final Device GPU = new Device("cuda", 0);

    private static CudaBackend cuda() {
        return (CudaBackend) Backends.get("cuda");
    }

    private static double[] random(long seed, int n) {
        Random r = new Random(seed);
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = r.nextGaussian();
        }
        return v;
    }

    @Test
    void aFreedBlockIsReusedForTheNextTensorOfItsSizeAndReleasedOnDemand() {
        CudaBackend b = cuda();
        Storage first = b.allocate(GPU, DType.FLOAT32, 1000);
        long live = b.liveBytes();
        first.free();
        assertTrue(b.cachedBytes() >= 4000, "a freed block stays cached");
        long cached = b.cachedBytes();
        Storage second = b.allocate(GPU, DType.FLOAT32, 1000);
        assertEquals(live, b.liveBytes());
        assertEquals(cached - DeviceMemoryPool.roundedSize(4000), b.cachedBytes(), "the cached block was taken");
        second.free();
        b.releaseCachedMemory();
        assertEquals(0, b.cachedBytes());
    }

    @Test
    void outOfMemorySaysHowMuchWasAskedForAndHowMuchIsFree() {
        CudaBackend b = cuda();
        CudaOutOfMemoryException e = assertThrows(CudaOutOfMemoryException.class,
                () -> b.allocate(GPU, DType.FLOAT64, 1L << 47));
        assertTrue(e.getMessage().contains("asked for") && e.getMessage().contains("free"), e.getMessage());
        assertTrue(e.requestedBytes() >= 8L << 47);
        // The device still works after the failure.
        try (Tensor t = Tensor.of(GPU, DType.FLOAT32, new double[] {1, 2, 3}, 3)) {
            assertEquals(6.0, t.sum().item());
        }
    }

    @Test
    void matmulOfATransposedViewMatchesAHostProductInFloat64() {
        int m = 37;
        int k = 53;
        int n = 29;
        double[] a = random(1, m * k);
        double[] bt = random(2, n * k);
        try (Tensor ta = Tensor.of(GPU, DType.FLOAT64, a, m, k);
                Tensor tbt = Tensor.of(GPU, DType.FLOAT64, bt, n, k);
                Tensor c = ta.matmul(tbt.transpose(0, 1))) {
            double[] got = c.toDoubleArray();
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    double s = 0;
                    for (int q = 0; q < k; q++) {
                        s += a[i * k + q] * bt[j * k + q];
                    }
                    assertEquals(s, got[i * n + j], 1e-12, "c[" + i + "][" + j + "]");
                }
            }
        }
    }

    @Test
    void fusedSgdWithNesterovMomentumFollowsItsEquations() {
        int n = 1000;
        double[] p = random(3, n);
        double[] g = random(4, n);
        double[] buf = random(5, n);
        SgdUpdate u = new SgdUpdate(0.1, 0.01, 0.9, 0, true, false, false);
        try (Tensor tp = Tensor.of(GPU, DType.FLOAT64, p, n); Tensor tg = Tensor.of(GPU, DType.FLOAT64, g, n);
                Tensor tb = Tensor.of(GPU, DType.FLOAT64, buf, n)) {
            assertTrue(FusedUpdates.sgd(u, List.of(tp), List.of(tg), List.of(tb)));
            double[] gotP = tp.toDoubleArray();
            double[] gotB = tb.toDoubleArray();
            for (int i = 0; i < n; i++) {
                double d = g[i] + u.weightDecay() * p[i];
                double v = u.momentum() * buf[i] + (1 - u.dampening()) * d;
                double step = (1 - u.dampening()) * d + u.momentum() * v;
                assertEquals(v, gotB[i], 1e-14);
                assertEquals(p[i] - u.lr() * step, gotP[i], 1e-14);
            }
        }
    }

    @Test
    void fusedAdamWWithAmsgradFollowsItsEquations() {
        int n = 1000;
        double[] p = random(6, n);
        double[] g = random(7, n);
        double[] m = random(8, n);
        double[] v = random(9, n);
        double[] vmax = random(10, n);
        for (int i = 0; i < n; i++) {
            v[i] = Math.abs(v[i]);
            vmax[i] = Math.abs(vmax[i]);
        }
        AdamUpdate u = new AdamUpdate(1e-3, 0.9, 0.999, 1e-8, 0.01, true, true, false, false, 3);
        try (Tensor tp = Tensor.of(GPU, DType.FLOAT64, p, n); Tensor tg = Tensor.of(GPU, DType.FLOAT64, g, n);
                Tensor tm = Tensor.of(GPU, DType.FLOAT64, m, n); Tensor tv = Tensor.of(GPU, DType.FLOAT64, v, n);
                Tensor tx = Tensor.of(GPU, DType.FLOAT64, vmax, n)) {
            assertTrue(FusedUpdates.adam(u, List.of(tp), List.of(tg), List.of(tm), List.of(tv), List.of(tx)));
            double[] gotP = tp.toDoubleArray();
            for (int i = 0; i < n; i++) {
                double x = p[i] * (1 - u.lr() * u.weightDecay());
                double mi = u.beta1() * m[i] + (1 - u.beta1()) * g[i];
                double vi = u.beta2() * v[i] + (1 - u.beta2()) * g[i] * g[i];
                double uMax = Math.max(vmax[i], vi);
                double expected = x - u.lr() / u.biasCorrection1() * mi
                        / (Math.sqrt(uMax) / Math.sqrt(u.biasCorrection2()) + u.eps());
                assertEquals(expected, gotP[i], 1e-12 * Math.max(1, Math.abs(expected)), "p[" + i + "]");
            }
        }
    }

    @Test
    void aGatherIndexOutsideTheAxisIsRaisedByTheNextReadWithoutASynchronisationOfItsOwn() {
        boolean syncEachOp = Boolean.getBoolean("descent.cuda.sync");
        try (Tensor src = Tensor.of(GPU, DType.FLOAT32, new double[] {1, 2, 3, 4}, 2, 2);
                Tensor idx = Tensor.of(GPU, DType.INT64, new double[] {0, 2, 1, 0}, 2, 2)) {
            IndexOutOfRangeException e;
            if (syncEachOp) {   // checked after the launch: the gather itself throws
                e = assertThrows(IndexOutOfRangeException.class, () -> src.gather(1, idx));
                assertFalse(e.deferred());
            } else {            // recorded on the device, thrown by the next read
                try (Tensor out = src.gather(1, idx)) {
                    e = assertThrows(IndexOutOfRangeException.class, out::toFloatArray);
                }
                assertTrue(e.deferred());
                assertTrue(e.getMessage().contains("-Ddescent.cuda.sync=true"), e.getMessage());
            }
            assertEquals(2, e.index());
            assertEquals(1, e.position());
            assertEquals(1, e.axis());
            assertEquals(2, e.axisSize());
        }
        try (Tensor src = Tensor.of(GPU, DType.FLOAT32, new double[] {1, 2, 3, 4}, 2, 2);
                Tensor idx = Tensor.of(GPU, DType.INT64, new double[] {1, 0, 1, 1}, 2, 2);
                Tensor out = src.gather(1, idx)) {
            assertArrayEquals(new float[] {2, 1, 4, 4}, out.toFloatArray(), "the fault was cleared once raised");
        }
    }

    @Test
    void aFullReductionOfMillionsOfValuesIsSplitAcrossTheDeviceAndStaysExact() {
        int n = 1 << 22;
        double[] v = new double[n];
        Random r = new Random(11);
        for (int i = 0; i < n; i++) {
            v[i] = r.nextInt(17) - 8;
        }
        v[3_000_000] = 100;
        v[3_500_000] = 100;
        double sum = 0;
        for (double x : v) {
            sum += x;
        }
        try (Tensor t = Tensor.of(GPU, DType.FLOAT32, v, n)) {
            assertEquals(sum, t.sum().item(), "integer-valued floats sum exactly in any order");
            assertEquals(3_000_000, (long) t.argmax(0, false).item(), "the first of two equal maxima");
            assertEquals(t.sum().item(), t.sum().item(), "bit-identical on every run");
        }
        v[4_000_000] = Double.NaN;
        try (Tensor t = Tensor.of(GPU, DType.FLOAT32, v, n)) {
            assertEquals(4_000_000, (long) t.argmax(0, false).item(), "a NaN beats every number");
            assertTrue(Double.isNaN(t.max().item()));
        }
    }

    @Test
    void float32ProductsDoNotUseTf32UnlessAskedFor() {
        assertFalse(cuda().tf32());
        assertTrue(cuda().computeCapability() >= 50);
    }
}
