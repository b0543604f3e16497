package dev.descent.distributed;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.descent.core.BackendUnavailableException;
import dev.descent.core.DType;
import dev.descent.core.Tensor;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What a group refuses, with the message it gives, on a one-rank Gloo group in this JVM. */
class ProcessGroupArgumentsTest {
    private static ProcessGroup group;

    @BeforeAll
    static void join() {
        if (!ProcessGroups.installed().get("gloo").availability().available()) {
            return;   // each test says why it is skipped
        }
        group = ProcessGroups.init("gloo", new Rendezvous("127.0.0.1", RankRun.freePort(), 0, 1, 0,
                Duration.ofSeconds(20)));
    }

    @BeforeEach
    void glooIsHere() {
        RankRun.assumeGloo();
    }

    @AfterAll
    static void leave() {
        if (group != null) {
            group.close();
        }
    }

    @Test
    void aOneRankGroupLeavesValuesAsTheyAre() {
        try (Tensor x = Tensor.of(new double[] {1.5, -2, 3})) {
            group.allReduce(x, ReduceOp.AVERAGE);
            group.broadcast(x, 0);
            assertArrayEquals(new double[] {1.5, -2, 3}, x.toDoubleArray());
        }
        assertEquals(0, group.rank());
        assertEquals(1, group.worldSize());
        assertEquals("gloo", group.backend());
    }

    @Test
    void wrongArgumentsAreNamed() {
        try (Tensor ints = Tensor.zeros(DType.INT64, 4);
             Tensor m = Tensor.zeros(DType.FLOAT32, 3, 4);
             Tensor small = Tensor.zeros(DType.FLOAT32, 5);
             Tensor d = Tensor.zeros(DType.FLOAT64, 12)) {
            assertEquals("allReduce: AVERAGE needs a floating dtype (float32 or float64), got int64; reduce with SUM and"
                    + " divide", assertThrows(IllegalArgumentException.class,
                            () -> group.allReduce(ints, ReduceOp.AVERAGE)).getMessage());
            assertEquals("allReduce: the tensor must be contiguous, got strides [1, 4] for shape [4, 3] (use "
                    + "contiguous())", assertThrows(IllegalArgumentException.class,
                            () -> group.allReduce(m.t(), ReduceOp.SUM)).getMessage());
            assertEquals("broadcast: expected a root rank from 0 to 0, got 1", assertThrows(
                    IllegalArgumentException.class, () -> group.broadcast(m, 1)).getMessage());
            assertEquals("allGather: expected an output of 12 elements (1 ranks × 12), got [5]", assertThrows(
                    IllegalArgumentException.class, () -> group.allGather(m, small)).getMessage());
            assertEquals("allGather: the input is float32 but the output float64", assertThrows(
                    IllegalArgumentException.class, () -> group.allGather(m, d)).getMessage());
            assertEquals("reduceScatter: the input and the output share memory; give the output its own tensor",
                    assertThrows(IllegalArgumentException.class,
                            () -> group.reduceScatter(m, m.reshape(12), ReduceOp.SUM)).getMessage());
            assertEquals("barrier: expected a positive timeout, got PT0S", assertThrows(IllegalArgumentException.class,
                    () -> group.barrier(Duration.ZERO)).getMessage());
        }
    }

    @Test
    void anUnknownBackendIsUnavailableWithTheInstalledOnesNamed() {
        BackendUnavailableException e = assertThrows(BackendUnavailableException.class,
                () -> ProcessGroups.get("mpi"));
        assertEquals("collective backend 'mpi' is not installed (installed: " + ProcessGroups.installed().keySet() + ")",
                e.getMessage());
    }
}
