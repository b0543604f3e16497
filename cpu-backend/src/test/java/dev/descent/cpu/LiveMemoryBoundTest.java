package dev.descent.cpu;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.core.DType;
import dev.descent.core.Device;
import dev.descent.core.MemoryLimitException;
import dev.descent.core.Tensor;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 17, item 7: tensors that are never closed are freed by the Cleaner before their memory
 * passes the bound on live bytes ({@code descent.cpu.maxBytes}, set small here), and holding
 * more than the bound fails with an exception that names it, not with the process killed.
 */
class LiveMemoryBoundTest {
    private static final long BOUND = 64L << 20;
    private static final int MIB_FLOATS = 1 << 18;
    private long before;

    @BeforeEach
    void smallBound() {
        before = CpuStorage.POOL.maxLiveBytes();
        CpuStorage.POOL.setMaxLiveBytes(BOUND);
    }

    @AfterEach
    void restoreBound() {
        CpuStorage.POOL.setMaxLiveBytes(before);
    }

    @Test
    void neverClosedTensorsInALoopStayUnderTheBoundWithoutFailing() {
        long most = 0;
        // 1 GiB of 1 MiB tensors dropped without close(): 16 times the bound
        for (int i = 0; i < 1024; i++) {
            Tensor t = Tensor.zeros(Device.cpu(), DType.FLOAT32, MIB_FLOATS);
            t.addInPlace(i);
            most = Math.max(most, CpuStorage.POOL.liveBytes());
        }
        assertTrue(most <= BOUND, "live bytes reached " + most + ", above the bound " + BOUND);
    }

    @Test
    void wellBelowTheBoundALeakIsCollectedEveryFewHundredMegabytes() {
        CpuStorage.POOL.setMaxLiveBytes(Long.MAX_VALUE);
        long most = 0;
        // 1.5 GiB dropped without close(): the heap alone (a few dozen bytes a tensor) would not ask for a collection
        for (int i = 0; i < 1536; i++) {
            Tensor.zeros(Device.cpu(), DType.FLOAT32, MIB_FLOATS);
            most = Math.max(most, CpuStorage.POOL.liveBytes());
        }
        assertTrue(most <= 3 * HostMemoryPool.COLLECT_EVERY, "live bytes reached " + most);
    }

    @Test
    void holdingMoreThanTheBoundFailsNamingIt() {
        List<Tensor> held = new ArrayList<>();
        try {
            MemoryLimitException e = assertThrows(MemoryLimitException.class, () -> {
                for (int i = 0; i < 100; i++) {
                    held.add(Tensor.zeros(Device.cpu(), DType.FLOAT32, MIB_FLOATS));
                }
            });
            assertTrue(e.getMessage().contains("descent.cpu.maxBytes") && e.getMessage().contains(
                    Long.toString(BOUND)), e.getMessage());
            assertTrue(held.size() >= 60 && held.size() <= 64, held.size() + " tensors of 1 MiB fit under 64 MiB");
        } finally {
            held.forEach(Tensor::close);
        }
        Tensor.zeros(Device.cpu(), DType.FLOAT32, MIB_FLOATS).close();  // room again once they are closed
    }
}
