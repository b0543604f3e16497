package dev.descent.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.core.BackendUnavailableException;
import dev.descent.core.Backends;
import dev.descent.core.DType;
import dev.descent.core.Generator;
import dev.descent.core.Scope;
import dev.descent.core.Tensor;
import org.junit.jupiter.api.Test;

class CpuBackendTest {
    @Test
    void cpuIsFoundByServiceLoaderAndIsTheDefault() {
        assertEquals("cpu", Backends.defaultName());
        assertTrue(Backends.installed().get("cpu") instanceof CpuBackend);
        assertEquals("cpu:0", Backends.defaultDevice().toString());
    }

    @Test
    void unknownBackendSaysWhatIsInstalled() {
        var e = assertThrows(BackendUnavailableException.class, () -> Backends.get("tpu"));
        assertTrue(e.getMessage().contains("'tpu' is not installed") && e.getMessage().contains("cpu"), e.getMessage());
    }

    @Test
    void aTrainingLikeLoopInScopesRunsInConstantMemory() {
        Generator g = new Generator(1);
        try (Tensor w = Tensor.randn(g, DType.FLOAT32, 64, 32); Tensor x = Tensor.randn(g, DType.FLOAT32, 16, 64)) {
            long before = CpuBackend.liveBytes();
            for (int i = 0; i < 20_000; i++) {
                try (Scope s = Scope.open()) {
                    Tensor h = x.matmul(w).relu();
                    Tensor loss = h.square().mean();
                    w.addScaledInPlace(x.t().matmul(h).mul(loss.item() * 1e-6), -1e-3);
                }
            }
            assertEquals(before, CpuBackend.liveBytes(), "bytes still held after 20,000 scoped steps");
        }
    }

    @Test
    void closingReturnsMemoryAndCachedBlocksCanBeReleased() {
        long before = CpuBackend.liveBytes();
        Tensor t = Tensor.zeros(DType.FLOAT64, 1000);
        assertTrue(CpuBackend.liveBytes() >= before + 8000);
        t.close();
        assertEquals(before, CpuBackend.liveBytes());
        CpuBackend.releaseCachedMemory();
        assertEquals(0, CpuBackend.cachedBytes());
    }

    @Test
    void addressNeedsAContiguousTensor() {
        try (Tensor m = Tensor.zeros(DType.FLOAT32, 3, 4); Tensor t = m.t()) {
            var e = assertThrows(IllegalArgumentException.class, () -> CpuBackend.address(t));
            assertTrue(e.getMessage().contains("expected a contiguous tensor"), e.getMessage());
            assertEquals(0, CpuBackend.address(m).position());
        }
    }

    @Test
    void resultsDoNotDependOnTheThreadCount() {
        Generator g = new Generator(9);
        int previous = CpuBackend.threads();
        try (Tensor x = Tensor.randn(g, DType.FLOAT32, 1 << 18); Tensor y = Tensor.randn(g, DType.FLOAT32, 1 << 18)) {
            CpuBackend.setThreads(1);
            float[] one;
            double sumOne;
            try (Tensor r = x.mul(y).exp(); Tensor s = x.sum()) {
                one = r.toFloatArray();
                sumOne = s.item();
            }
            CpuBackend.setThreads(4);
            try (Tensor r = x.mul(y).exp(); Tensor s = x.sum()) {
                assertArrayEquals(one, r.toFloatArray());
                // Partial sums are combined in another order: equal to float32 rounding.
                assertEquals(sumOne, s.item(), 1e-3);
            }
        } finally {
            CpuBackend.setThreads(previous);
        }
    }
}
