package dev.descent.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.core.Backends;
import dev.descent.core.DType;
import dev.descent.core.Device;
import dev.descent.core.IndexOutOfRangeException;
import dev.descent.core.Scope;
import dev.descent.core.Tensor;
import dev.descent.core.fused.UpdateRule;
import dev.descent.core.spi.Storage;
import dev.descent.core.spi.StridedView;
import dev.descent.optim.Adam;
import dev.descent.optim.SGD;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * What the conformance suite does not cover: the caching allocator, the out-of-memory
 * message, cuBLAS on transposed views, and SGD's and AdamW's update rules (from {@code optim})
 * run as generated kernels against their equations computed here in double. Needs a GPU; skipped with the reason otherwise.
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
    void sgdsNesterovRuleOnTwoParametersInOneCallFollowsItsEquations() {
        int[] sizes = {1000, 3};
        double lr = 0.1;
        double wd = 0.01;
        double mu = 0.9;
        UpdateRule.Step step = SGD.rule(true, false, true).step().set("sign", 1).set("weightDecay", wd).set("lr", lr)
                .set("momentum", mu).set("keep", 1);
        List<double[][]> before = new ArrayList<>();
        List<List<Tensor>> sets = new ArrayList<>();
        try (Scope ignored = Scope.open()) {
            for (int s = 0; s < sizes.length; s++) {
                int n = sizes[s];
                double[][] v = {random(3 + s, n), random(4 + s, n), random(5 + s, n)};
                before.add(v);
                sets.add(List.of(Tensor.of(GPU, DType.FLOAT64, v[0], n), Tensor.of(GPU, DType.FLOAT64, v[1], n),
                        Tensor.of(GPU, DType.FLOAT64, v[2], n)));
            }
            step.run(sets);
            for (int s = 0; s < sizes.length; s++) {
                double[] p = before.get(s)[0];
                double[] g = before.get(s)[1];
                double[] buf = before.get(s)[2];
                double[] gotP = sets.get(s).get(0).toDoubleArray();
                double[] gotB = sets.get(s).get(2).toDoubleArray();
                for (int i = 0; i < sizes[s]; i++) {
                    double d = g[i] + wd * p[i];
                    double v = mu * buf[i] + d;
                    assertEquals(v, gotB[i], 1e-14);
                    assertEquals(p[i] - lr * (d + mu * v), gotP[i], 1e-14);
                }
            }
        }
    }

    @Test
    void adamWsRuleWithAmsgradFollowsItsEquations() {
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
        double lr = 1e-3;
        double wd = 0.01;
        double b1 = 0.9;
        double b2 = 0.999;
        double c1 = 1 - Math.pow(b1, 3);
        double c2 = 1 - Math.pow(b2, 3);
        UpdateRule.Step step = Adam.rule(true, false).step().set("sign", 1).set("weightDecay", 0)
                .set("shrink", 1 - lr * wd).set("beta1", b1).set("oneMinusBeta1", 1 - b1).set("beta2", b2)
                .set("oneMinusBeta2", 1 - b2).set("eps", 1e-8).set("stepSize", lr / c1).set("biasCorrection2", c2)
                .set("sqrtBiasCorrection2", Math.sqrt(c2));
        try (Tensor tp = Tensor.of(GPU, DType.FLOAT64, p, n); Tensor tg = Tensor.of(GPU, DType.FLOAT64, g, n);
                Tensor tm = Tensor.of(GPU, DType.FLOAT64, m, n); Tensor tv = Tensor.of(GPU, DType.FLOAT64, v, n);
                Tensor tx = Tensor.of(GPU, DType.FLOAT64, vmax, n)) {
            List<StridedView[]> one = List.<StridedView[]>of(new StridedView[] {tp.stridedView(), tg.stridedView(),
                tm.stridedView(), tv.stridedView(), tx.stridedView()});
            assertTrue(cuda().runProgram(step.rule().program(), one, step.values()), "a generated kernel ran it");
            double[] gotP = tp.toDoubleArray();
            for (int i = 0; i < n; i++) {
                double x = p[i] * (1 - lr * wd);
                double mi = b1 * m[i] + (1 - b1) * g[i];
                double vi = b2 * v[i] + (1 - b2) * g[i] * g[i];
                double uMax = Math.max(vmax[i], vi);
                double expected = x - lr / c1 * mi / (Math.sqrt(uMax) / Math.sqrt(c2) + 1e-8);
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
