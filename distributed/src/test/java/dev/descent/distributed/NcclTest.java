package dev.descent.distributed;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.descent.autograd.Variable;
import dev.descent.core.BackendUnavailableException;
import dev.descent.core.DType;
import dev.descent.core.Device;
import dev.descent.core.Generator;
import dev.descent.core.Tensor;
import dev.descent.core.spi.Backend;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The {@code nccl} backend. Without a GPU (and NCCL) asking for it says why; with one, a
 * one-rank group runs every collective on CUDA tensors, and data-parallel backward with world
 * size 1 on CUDA gives the plain gradient. Several GPUs are needed for more ranks (see the README).
 */
class NcclTest {

    private static Backend.Availability nccl() {
        return ProcessGroups.installed().get("nccl").availability();
    }

    @Test
    void withoutAGpuAskingForNcclSaysWhy() {
        Backend.Availability a = nccl();
        assumeFalse(a.available(), "NCCL is available here: the GPU tests run instead");
        BackendUnavailableException e = assertThrows(BackendUnavailableException.class,
                () -> ProcessGroups.init("nccl", new Rendezvous("127.0.0.1", 29500, 0, 1, 0, Duration.ofSeconds(5))));
        assertEquals("collective backend 'nccl' cannot run here: " + a.reason(), e.getMessage());
        assertTrue(a.reason().startsWith("NCCL exchanges CUDA tensors, and the cuda backend cannot run here: ")
                || a.reason().startsWith("NCCL (libnccl.so.2) could not be loaded"), a.reason());
    }

    @Test
    void aOneRankGroupOnTheGpu() {
        assumeTrue(nccl().available(), "skipped: " + nccl().reason());
        Device gpu = new Device("cuda", 0);
        try (ProcessGroup g = ProcessGroups.init("nccl", new Rendezvous("127.0.0.1", RankRun.freePort(), 0, 1, 0,
                Duration.ofSeconds(60)))) {
            assertEquals(gpu, g.device());
            try (Tensor host = Tensor.of(new float[] {1.5f, -2, 3});
                 Tensor x = host.to(gpu);
                 Tensor y = Tensor.zeros(gpu, DType.FLOAT32, 3)) {
                for (ReduceOp op : ReduceOp.values()) {
                    g.allReduce(x, op);
                }
                g.broadcast(x, 0);
                g.allGather(x, y);
                assertArrayEquals(new float[] {1.5f, -2, 3}, y.toFloatArray());
                g.reduceScatter(x, y, ReduceOp.SUM);
                g.barrier();
                assertArrayEquals(new float[] {1.5f, -2, 3}, y.toFloatArray());
            }
            Generator gen = new Generator(3);
            Variable w = Variable.parameter(Tensor.randn(gen, DType.FLOAT32, 4, 2).to(gpu));
            Variable same = Variable.parameter(w.data().copy());
            Tensor x = Tensor.randn(gen, DType.FLOAT32, 5, 4).to(gpu);
            try (DataParallel dp = new DataParallel(g, List.of(w))) {
                Tensor loss = dp.backward(Variable.of(x.copy()).matmul(w).square().mean(), 1);
                Variable plain = Variable.of(x.copy()).matmul(same).square().mean();
                double plainLoss = plain.item();
                plain.backward();
                assertEquals(plainLoss, loss.item(), 0);
                assertArrayEquals(same.grad().toFloatArray(), w.grad().toFloatArray());
            }
        }
    }
}
