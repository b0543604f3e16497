package dev.descent.core.spi;

import dev.descent.core.DType;
import dev.descent.core.Device;
import java.util.List;
import java.util.Set;

/**
 * The service a backend provides: memory on its devices and a narrow set of primitive ops
 * over strided views. Everything else in the tensor API (variance, norms, broadcasting, views,
 * matmul shape rules) is built in core from these primitives.
 *
 * <p>Implementations are found with {@link java.util.ServiceLoader}. They must have a public
 * no-argument constructor that does not touch native libraries: {@link #availability()}
 * probes them, so that a missing GPU or library becomes an exception, never a JVM crash.
 *
 * <p>Every call receives views that core has already validated: shapes agree (inputs are
 * broadcast to the output's shape with stride 0), dtypes are the documented ones, and every
 * view lies on this backend's device. Outputs are freshly allocated or an input itself
 * (in-place ops); an output never partially overlaps an input.
 *
 * <p><b>A backend that wraps another</b> (to count copies, trace or fault-inject) must wrap
 * the other's {@link Storage}s too, so that they report the wrapper's device: core finds a
 * tensor's backend from its storage's {@link Storage#device()} (through
 * {@code Backends.forDevice}), so storages that report the wrapped backend's device send every
 * op past the wrapper. Each method then unwraps the views' storages before delegating. Such a
 * backend is added with {@code Backends.register}; train's tests hold one
 * ({@code CountingBackend}, a {@link java.lang.reflect.Proxy} over the CPU backend).
 */
public interface Backend {

    /** The name users select it by ({@code cpu}, {@code cuda}). */
    String name();

    /** Whether the backend can run here, and if not, why. Cheap after the first call. */
    Availability availability();

    /** The devices this backend drives; empty when unavailable. */
    List<Device> devices();

    /** What this backend supports beyond the baseline. */
    Set<Capability> capabilities();

    /** Uninitialised memory for {@code elements} values of {@code dtype} on {@code device}. */
    Storage allocate(Device device, DType dtype, long elements);

    /**
     * Copies {@code count} elements from a Java array ({@code float[]}, {@code double[]},
     * {@code int[]} or {@code long[]}, matching the storage's dtype) into the storage.
     */
    void copyFromHost(Object array, int arrayOffset, Storage dst, long dstOffset, int count);

    /**
     * Copies {@code count} elements from the storage into a Java array of its dtype. On a GPU
     * this waits for every queued op: the training step does it once (DESIGN.md).
     */
    void copyToHost(Storage src, long srcOffset, Object array, int arrayOffset, int count);

    /** {@code dst = src} elementwise over one shape, converting between dtypes if they differ. */
    void copy(StridedView src, StridedView dst);

    /** Every element of {@code dst} set to {@code value} (converted to the dtype). */
    void fill(StridedView dst, double value);

    /** {@code out = op(x)}; {@code out} has the dtype of {@code x}. */
    void unary(UnaryOp op, StridedView x, StridedView out);

    /** {@code out = op(a, b)}; all three views have one shape and one dtype. */
    void binary(BinaryOp op, StridedView a, StridedView b, StridedView out);

    /** {@code out = op(a, scalar)} with the scalar converted to the dtype of {@code a}. */
    void binaryScalar(BinaryOp op, StridedView a, double scalar, StridedView out);

    /**
     * {@code y = y + alpha * x} (BLAS axpy) in one pass, rounded once: the update every
     * optimiser makes. Floating dtypes; {@code x} is broadcast to {@code y}'s shape.
     */
    void addScaled(StridedView x, double alpha, StridedView y);

    /** {@code out = cond != 0 ? a : b}; {@code cond} may have any dtype. */
    void where(StridedView cond, StridedView a, StridedView b, StridedView out);

    /**
     * Reduces {@code x} over {@code axes} (sorted, distinct) into {@code out}, whose shape is
     * that of {@code x} with size 1 at every reduced axis. For {@code ARGMAX}/{@code ARGMIN}
     * exactly one axis is given and {@code out} is int64. Reducing an empty axis gives 0 for
     * {@code SUM}; core never asks for {@code MAX}/{@code MIN} over an empty axis.
     */
    void reduce(ReduceOp op, StridedView x, int[] axes, StridedView out);

    /**
     * The softmax family along {@code axis} of {@code x} ({@link SoftmaxOp}), one row at a time in
     * one pass over memory per row (a composition of max, subtract, exp, sum, log and a final
     * op costs five or more passes and full-size temporaries). {@code x} and {@code out} have
     * one floating dtype; {@code out} has {@code x}'s shape, with size 1 at {@code axis} for
     * {@code LOGSUMEXP}. The axis has at least one element (core handles empty axes).
     */
    void softmax(SoftmaxOp op, StridedView x, int axis, StridedView out);

    /**
     * Batched matrix product over views of one rank r >= 2: {@code a} is [..., M, K],
     * {@code b} is [..., K, N] and {@code out} a contiguous [..., M, N]; the leading r-2 batch
     * sizes are equal in all three (a batch stride of 0 reuses one matrix across the batch).
     * The matrix strides of {@code a} and {@code b} may be in either order (a transposed view).
     * Floating dtypes only.
     */
    void matmul(StridedView a, StridedView b, StridedView out);

    /**
     * {@code out[..., i, ...] = src[..., index[..., i, ...], ...]} along {@code axis}, as
     * {@code torch.gather}: {@code index} (int32 or int64) and {@code out} share a shape.
     * An index outside the axis is never read through; it is reported as an
     * {@link dev.descent.core.IndexOutOfRangeException} (the index, its row-major position in
     * {@code index}, the axis and its size). A backend that can check without waiting for the
     * device (the CPU) throws it from this call. One that would have to synchronise (a GPU)
     * records the fault on the device and throws it, marked deferred, from its next
     * {@link #copyToHost}, so that validating indices costs no extra synchronisation.
     */
    void gather(StridedView src, int axis, StridedView index, StridedView out);

    /**
     * Runs {@code program} over every element of every tensor set in one pass, in one call:
     * each set holds {@code program.tensors()} views of one shape (sets may differ in shape:
     * one set per parameter of an optimiser's group); every view of every set has one floating
     * dtype and lies on this backend's device; {@code scalars} has {@code program.scalars()}
     * values, the same for all sets. Within an element every tensor is read before any store,
     * and stored tensors do not overlap one another. A backend may process the sets in any
     * order and split them over threads or one kernel launch (a GPU backend launches once for
     * a list of sets, as PyTorch's {@code multi_tensor_apply}). Say in the implementation in
     * which precision the steps are evaluated. Returns false, changing nothing, when the
     * backend has no such kernel; the caller then runs the composed form
     * ({@code UpdateRule.compose}).
     */
    default boolean runProgram(ElementwiseProgram program, List<StridedView[]> sets, double[] scalars) {
        return false;
    }

    /**
     * Whether the backend can run, and the reason when it cannot.
     *
     * @param available true when the backend's libraries and devices are present
     * @param reason why not, for the exception users see; empty when available
     */
    record Availability(boolean available, String reason) {
        public static Availability yes() {
            return new Availability(true, "");
        }

        public static Availability no(String reason) {
            return new Availability(false, reason);
        }
    }
}
