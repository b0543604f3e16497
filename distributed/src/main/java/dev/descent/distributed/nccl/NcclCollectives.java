package dev.descent.distributed.nccl;

import static org.bytedeco.cuda.global.cudart.cudaErrorNotReady;
import static org.bytedeco.cuda.global.cudart.cudaEventCreateWithFlags;
import static org.bytedeco.cuda.global.cudart.cudaEventDestroy;
import static org.bytedeco.cuda.global.cudart.cudaEventDisableTiming;
import static org.bytedeco.cuda.global.cudart.cudaEventQuery;
import static org.bytedeco.cuda.global.cudart.cudaEventRecord;
import static org.bytedeco.cuda.global.cudart.cudaGetErrorString;
import static org.bytedeco.cuda.global.cudart.cudaFree;
import static org.bytedeco.cuda.global.cudart.cudaMalloc;
import static org.bytedeco.cuda.global.cudart.cudaSetDevice;
import static org.bytedeco.cuda.global.cudart.cudaStreamCreateWithFlags;
import static org.bytedeco.cuda.global.cudart.cudaStreamDestroy;
import static org.bytedeco.cuda.global.cudart.cudaStreamNonBlocking;

import dev.descent.core.DType;
import dev.descent.distributed.ReduceOp;
import dev.descent.distributed.spi.CollectiveBuffer;
import dev.descent.distributed.spi.Collectives;
import dev.descent.distributed.spi.Membership;
import dev.descent.distributed.spi.PendingCollective;
import java.time.Duration;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.LockSupport;
import org.bytedeco.cuda.cudart.CUevent_st;
import org.bytedeco.cuda.cudart.CUstream_st;
import org.bytedeco.cuda.global.nccl;
import org.bytedeco.cuda.nccl.ncclComm;
import org.bytedeco.cuda.nccl.ncclUniqueId;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.Pointer;

/**
 * A NCCL communicator. Rank 0 draws NCCL's unique id and it travels through the rendezvous
 * store; every rank then joins with {@code ncclCommInitRank}. Each collective is queued on the
 * stream the compute backend queues the tensor's work on, so it runs after the kernels that made
 * the tensor and before those that use it, with no synchronisation of the host.
 *
 * <p><b>Timeouts.</b> NCCL's kernels wait for their peers without end, so a watchdog thread
 * (as PyTorch's) records an event after each collective and polls it: a collective not done
 * within its timeout aborts the communicator ({@code ncclCommAbort}), which ends the kernels;
 * the next {@link PendingCollective#await()} or call then throws. Errors NCCL reports
 * asynchronously ({@code ncclCommGetAsyncError}) are thrown the same way.
 *
 * <p>Unverified: no GPU was available where this was written; the README says what was checked.
 */
final class NcclCollectives implements Collectives {
    private final ncclComm comm;
    private final int device;
    private final Thread watchdog;
    private final ConcurrentLinkedQueue<Watched> watched = new ConcurrentLinkedQueue<>();
    private volatile String failure;
    private volatile boolean closed;
    private CUstream_st barrierStream;
    private Pointer barrierWord;

    private record Watched(CUevent_st event, long deadlineNanos, String what) {
    }

    private NcclCollectives(ncclComm comm, int device) {
        this.comm = comm;
        this.device = device;
        this.watchdog = new Thread(this::watch, "descent-nccl-watchdog");
        watchdog.setDaemon(true);
        watchdog.start();
    }

    static NcclCollectives connect(Membership m) {
        int dev = m.device().index();
        cuda(cudaSetDevice(dev), "cudaSetDevice(" + dev + ")");
        ncclUniqueId id = new ncclUniqueId();
        if (m.rank() == 0) {
            check(nccl.ncclGetUniqueId(id), "ncclGetUniqueId", null);
            byte[] bytes = new byte[nccl.NCCL_UNIQUE_ID_BYTES];
            id.internal().get(bytes);
            m.store().set("unique-id", bytes);
        } else {
            byte[] bytes = m.store().get("unique-id", m.timeout());
            id.internal().put(bytes);
        }
        ncclComm comm = new ncclComm();
        check(nccl.ncclCommInitRank(comm, m.worldSize(), id, m.rank()), "ncclCommInitRank", null);
        return new NcclCollectives(comm, dev);
    }

    @Override
    public PendingCollective allReduce(CollectiveBuffer data, ReduceOp op, Duration timeout) {
        Pointer p = at(data.address());
        check(nccl.ncclAllReduce(p, p, data.count(), type(data.dtype()), op(op), comm, stream(data)), "ncclAllReduce",
                comm);
        return watch(data, timeout, "ncclAllReduce");
    }

    @Override
    public PendingCollective broadcast(CollectiveBuffer data, int root, Duration timeout) {
        Pointer p = at(data.address());
        check(nccl.ncclBroadcast(p, p, data.count(), type(data.dtype()), root, comm, stream(data)), "ncclBroadcast",
                comm);
        return watch(data, timeout, "ncclBroadcast");
    }

    @Override
    public PendingCollective allGather(CollectiveBuffer input, CollectiveBuffer output, Duration timeout) {
        check(nccl.ncclAllGather(at(input.address()), at(output.address()), input.count(), type(input.dtype()), comm,
                stream(input)), "ncclAllGather", comm);
        return watch(input, timeout, "ncclAllGather");
    }

    @Override
    public PendingCollective reduceScatter(CollectiveBuffer input, CollectiveBuffer output, ReduceOp op,
            Duration timeout) {
        check(nccl.ncclReduceScatter(at(input.address()), at(output.address()), output.count(), type(input.dtype()),
                op(op), comm, stream(input)), "ncclReduceScatter", comm);
        return watch(input, timeout, "ncclReduceScatter");
    }

    /**
     * NCCL has no barrier: as PyTorch's, an all-reduce of one element on a stream of this group's
     * own, which the host waits for (up to the timeout).
     */
    @Override
    public PendingCollective barrier(Duration timeout) {
        if (barrierStream == null) {
            barrierStream = new CUstream_st();
            cuda(cudaStreamCreateWithFlags(barrierStream, cudaStreamNonBlocking), "cudaStreamCreateWithFlags");
            barrierWord = new Pointer();
            cuda(cudaMalloc(barrierWord, 4), "cudaMalloc");
        }
        check(nccl.ncclAllReduce(barrierWord, barrierWord, 1, nccl.ncclFloat32, nccl.ncclSum, comm, barrierStream),
                "ncclAllReduce (barrier)", comm);
        CollectiveBuffer word = new CollectiveBuffer(barrierWord.address(), 1, DType.FLOAT32, null,
                barrierStream.address());
        PendingCollective queued = watch(word, timeout, "barrier");
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!watched.isEmpty() && failure == null && System.nanoTime() < deadline + 1_000_000_000L) {
            LockSupport.parkNanos(1_000_000);
        }
        return queued;
    }

    private PendingCollective watch(CollectiveBuffer b, Duration timeout, String what) {
        CUevent_st event = new CUevent_st();
        cuda(cudaEventCreateWithFlags(event, cudaEventDisableTiming), "cudaEventCreateWithFlags");
        cuda(cudaEventRecord(event, stream(b)), "cudaEventRecord");
        watched.add(new Watched(event, System.nanoTime() + timeout.toNanos(), what));
        LockSupport.unpark(watchdog);
        return this::throwIfFailed;
    }

    private void throwIfFailed() {
        String f = failure;
        if (f == null) {
            int[] async = new int[1];
            if (nccl.ncclCommGetAsyncError(comm, async) == nccl.ncclSuccess && async[0] != nccl.ncclSuccess
                    && async[0] != nccl.ncclInProgress) {
                f = "NCCL reported " + errorString(async[0]) + detail(comm);
                failure = f;
            }
        }
        if (f != null) {
            throw new IllegalStateException(f);
        }
    }

    /** Polls the oldest event; aborts the communicator when one outlives its deadline. */
    private void watch() {
        cudaSetDevice(device);
        while (!closed) {
            Watched w = watched.peek();
            if (w == null) {
                LockSupport.parkNanos(this, 100_000_000);
                continue;
            }
            int status = cudaEventQuery(w.event());
            if (status != cudaErrorNotReady) {
                watched.poll();
                cudaEventDestroy(w.event());
                if (status != 0) {
                    failure = w.what() + " failed on the device: " + cudaGetErrorString(status).getString();
                }
            } else if (System.nanoTime() > w.deadlineNanos()) {
                failure = w.what() + " did not complete within its timeout; the communicator was aborted";
                nccl.ncclCommAbort(comm);
                return;
            } else {
                LockSupport.parkNanos(this, 1_000_000);
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        LockSupport.unpark(watchdog);
        if (failure == null) {
            nccl.ncclCommDestroy(comm);
        }
        if (barrierWord != null) {
            cudaFree(barrierWord);
            cudaStreamDestroy(barrierStream);
        }
    }

    private static Pointer at(long address) {
        return new Pointer() {
            {
                this.address = address;
            }
        };
    }

    private static CUstream_st stream(CollectiveBuffer b) {
        return new CUstream_st(at(b.stream()));
    }

    private static int type(DType t) {
        return switch (t) {
            case FLOAT32 -> nccl.ncclFloat32;
            case FLOAT64 -> nccl.ncclFloat64;
            case INT32 -> nccl.ncclInt32;
            case INT64 -> nccl.ncclInt64;
        };
    }

    private static int op(ReduceOp op) {
        return switch (op) {
            case SUM -> nccl.ncclSum;
            case AVERAGE -> nccl.ncclAvg;
            case MAX -> nccl.ncclMax;
        };
    }

    private static void check(int status, String call, ncclComm comm) {
        if (status != nccl.ncclSuccess) {
            throw new IllegalStateException(call + " failed: " + errorString(status) + detail(comm));
        }
    }

    private static String errorString(int status) {
        BytePointer s = nccl.ncclGetErrorString(status);
        return (s == null ? "status " + status : s.getString()) + " (" + status + ")";
    }

    private static String detail(ncclComm comm) {
        BytePointer s = nccl.ncclGetLastError(comm);
        String d = s == null ? "" : s.getString();
        return d.isEmpty() ? "" : ": " + d;
    }

    private static void cuda(int status, String call) {
        if (status != 0) {
            throw new IllegalStateException(call + " failed: " + cudaGetErrorString(status).getString());
        }
    }
}
