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
     * 2-d convolution ({@link Conv2dGeometry} has the equation) of {@code x [N, C, H, W]} by
     * {@code w [O, C/groups, KH, KW]}, plus {@code bias [O]} unless it is null, into a contiguous
     * {@code out [N, O, OH, OW]}. {@code x} and {@code w} may have any strides; all views have one
     * floating dtype. A backend sums each output over its {@code C/groups·KH·KW} terms in the
     * tensors' precision (as its matrix product would) and gives the same bits whatever its
     * thread count. Every size is at least 1 but N, which may be 0.
     */
    void conv2d(StridedView x, StridedView w, StridedView bias, Conv2dGeometry g, StridedView out);

    /**
     * The gradient of a {@link #conv2d} with respect to its input: into a contiguous
     * {@code gradIn [N, C, H, W]}, {@code gradIn[n, c, h, w'] = Σ gradOut[n, o, i, j] · w[o, c', p, q]}
     * over every (o, i, j, p, q) whose window places that weight on {@code (h, w')} (the
     * transposed convolution). Positions no window reaches get 0.
     */
    void conv2dInputGrad(StridedView gradOut, StridedView w, Conv2dGeometry g, StridedView gradIn);

    /**
     * The gradient of a {@link #conv2d} with respect to its weight: into a contiguous
     * {@code gradW [O, C/groups, KH, KW]}, {@code gradW[o, c, p, q] = Σ_{n, i, j} gradOut[n, o, i, j] ·
     * x[n, group(o)·C/groups + c, i·strideH − padH + p·dilationH, j·strideW − padW + q·dilationW]}
     * (0 over an empty batch). The sum over the batch is split and ordered by the batch alone,
     * never by the thread count.
     */
    void conv2dWeightGrad(StridedView x, StridedView gradOut, Conv2dGeometry g, StridedView gradW);

    /**
     * Batch normalisation per channel of {@code x [N, C, ...]} (channel axis 1, any trailing axes)
     * into a contiguous {@code out} of x's shape (Ioffe &amp; Szegedy 2015):
     * {@code out = (x − μ_c) / √(σ²_c + eps) · γ_c + β_c}, with {@code γ = weight} and
     * {@code β = bias} ([C], any strides; null means 1 and 0). With {@code batchStats}, μ_c and the
     * biased σ²_c are the mean and variance of the channel's {@code m = numel/C} values, computed in
     * at least double and written into {@code mean} and {@code var} (contiguous [C]); otherwise they
     * are read from there (running statistics). One pass to measure and one to normalise, in place of
     * the six or more a composition costs; the statistics do not depend on the thread count.
     */
    void batchNorm(StridedView x, StridedView weight, StridedView bias, StridedView mean, StridedView var, double eps,
            boolean batchStats, StridedView out);

    /**
     * The gradients of a {@link #batchNorm} given the gradient {@code gradOut} of its output, with
     * the statistics it used ({@code mean}, {@code var}): with {@code x̂ = (x − μ_c)/√(σ²_c + eps)},
     * {@code gradBias_c = Σ g}, {@code gradWeight_c = Σ g·x̂}, and, when the statistics were the
     * batch's, {@code gradIn = γ_c/√(σ²_c + eps) · (g − gradBias_c/m − x̂·gradWeight_c/m)} (they depend
     * on x), else {@code gradIn = γ_c/√(σ²_c + eps) · g}. Each of the three outputs may be null (not
     * wanted); {@code gradIn} is contiguous of x's shape, the others contiguous [C].
     */
    void batchNormBackward(StridedView gradOut, StridedView x, StridedView weight, StridedView mean, StridedView var,
            double eps, boolean batchStats, StridedView gradIn, StridedView gradWeight, StridedView gradBias);

    /**
     * Max pooling of {@code x [N, C, H, W]} into a contiguous {@code out [N, C, OH, OW]}, and, unless
     * {@code indices} is null, into a contiguous int64 {@code indices} of the same shape the position
     * {@code h·W + w} of the chosen element in its input plane: the first maximum in the window's
     * row-major order, except that a NaN replaces whatever came before it (so a window holding NaN
     * gives NaN, at its last NaN: PyTorch's scan). Padding never wins.
     */
    void maxPool2d(StridedView x, Pool2dGeometry g, StridedView out, StridedView indices);

    /**
     * The gradient of a {@link #maxPool2d} with window {@code g}: into a contiguous
     * {@code gradIn [N, C, H, W]}, the sum of {@code gradOut[n, c, i, j]} over the outputs whose
     * {@code indices[n, c, i, j]} point at each input element (0 where none does). The indices are
     * those the pooling gave, so each lies in its own window (a backend may look for an input's
     * gradients only among the windows that cover it).
     */
    void maxPool2dInputGrad(StridedView gradOut, StridedView indices, Pool2dGeometry g, StridedView gradIn);

    /**
     * Average pooling of {@code x [N, C, H, W]} into a contiguous {@code out [N, C, OH, OW]}: the sum
     * over the window's input elements divided by the window's size clipped to the padded input
     * ({@code countIncludePad}) or by the number of input elements it covers (PyTorch's
     * {@code avg_pool2d}).
     */
    void avgPool2d(StridedView x, Pool2dGeometry g, boolean countIncludePad, StridedView out);

    /**
     * The gradient of an {@link #avgPool2d}: into a contiguous {@code gradIn [N, C, H, W]}, each
     * {@code gradOut[n, c, i, j]} divided by its window's divisor and added to every input element
     * of the window.
     */
    void avgPool2dInputGrad(StridedView gradOut, Pool2dGeometry g, boolean countIncludePad, StridedView gradIn);

    /**
     * The adjoint of {@link #gather}: {@code out[..., index[..., i, ...], ...] += src[..., i, ...]}
     * along {@code axis}, as {@code torch.Tensor.scatter_add_}. {@code index} (int32 or int64) and
     * {@code src} share a shape, no larger than {@code out}'s off the axis; {@code out} is added
     * to in place, each element of {@code src} once, so that repeated indices add up. One dtype
     * for {@code src} and {@code out}, floating or integer. Indices are checked as
     * {@link #gather}'s (the same {@link dev.descent.core.IndexOutOfRangeException}, raised by the
     * call on the CPU, at the next read on a GPU); none is written through. The CPU checks every
     * index before it adds anything and adds each position's terms in index order, so its results
     * are the same on any thread count; a GPU adds with atomics in any order (integer-valued
     * float inputs then still give the same bits: their sums are exact).
     */
    void scatterAdd(StridedView src, int axis, StridedView index, StridedView out);

    /**
     * Layer normalisation of each row of {@code x}, a [rows, n] view with n >= 1 (Ba, Kiros and
     * Hinton 2016; PyTorch's {@code layer_norm} over the last n elements):
     * {@code out = (x − μ)·ρ·w + b}, with μ the row's mean, σ² its biased variance and
     * {@code ρ = 1/√(σ² + eps)}. {@code weight} and {@code bias} are [n] views or null (then w = 1,
     * b = 0). The row's μ and ρ are written to {@code mean} and {@code rstd} ([rows]) for
     * {@link #layerNormBackward}. One floating dtype throughout; {@code out} is [rows, n].
     */
    void layerNorm(StridedView x, StridedView weight, StridedView bias, double eps, StridedView out, StridedView mean,
            StridedView rstd);

    /**
     * The gradients of {@link #layerNorm} from {@code grad} = dL/dout ([rows, n]) and the saved
     * {@code mean} and {@code rstd}. With x̂ = (x − μ)ρ and ĝ = grad·w (grad itself when
     * {@code weight} is null), per row: {@code dx = ρ·(ĝ − mean(ĝ) − x̂·mean(ĝ·x̂))}; over the rows:
     * {@code dweight = Σ grad·x̂}, {@code dbias = Σ grad} ([n], overwritten). {@code dx},
     * {@code dweight} and {@code dbias} may each be null when not wanted. A backend sums over the
     * rows in a fixed order (the same bits on any thread count on the CPU).
     */
    void layerNormBackward(StridedView grad, StridedView x, StridedView weight, StridedView mean, StridedView rstd,
            StridedView dx, StridedView dweight, StridedView dbias);

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
     * The storages this backend has allocated on {@code device} and not yet freed, with their
     * bytes: a {@link Storage#free()} that does not release its memory shows here, and the
     * conformance suite fails every case after which more storages are live than before it.
     * A backend that wraps another reports what the wrapped one holds (so a wrapper whose
     * storages do not free the wrapped ones is caught). The default reports nothing
     * ({@link MemoryUse#UNREPORTED}), which the suite's memory cases fail.
     */
    default MemoryUse memoryInUse(Device device) {
        return MemoryUse.UNREPORTED;
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
