package dev.descent.autograd;

import dev.descent.core.Check;
import dev.descent.core.Conv2dOptions;
import dev.descent.core.DType;
import dev.descent.core.Device;
import dev.descent.core.Pool2dOptions;
import dev.descent.core.Scope;
import dev.descent.core.Shape;
import dev.descent.core.Tensor;
import java.util.List;
import java.util.function.Consumer;

/**
 * A differentiable value: a {@link Tensor} and, when it was computed from values that require
 * grad, the {@link Node} that made it. Ops on variables run at once (define-by-run) and record
 * the graph as they go; {@link #backward()} then fills the {@link #grad()} of every leaf that
 * requires it, by reverse-mode automatic differentiation (seed 004 §2.4: the adjoint of each
 * node is the sum over its children of the child's adjoint times the local derivative,
 * eq. 2.11).
 *
 * <pre>{@code
 * Variable w = Variable.parameter(Tensor.randn(gen, DType.FLOAT32, 784, 10));
 * Variable x = Variable.of(batch);
 * Variable loss = x.matmul(w).logSoftmax(1).gather(1, labels).mean().neg();
 * loss.backward();            // w.grad() now holds dloss/dw; the graph is freed
 * }</pre>
 *
 * <h2>Kinds of variables</h2>
 * <ul>
 * <li>A <b>leaf</b> is made by {@link #of} or {@link #parameter}. It owns its tensor. A leaf
 *     that requires grad accumulates gradients in {@link #grad()} across backward passes until
 *     {@link #zeroGrad()}.
 * <li>An <b>intermediate</b> is the result of an op on values that require grad, recorded in the
 *     graph. Its memory belongs to the graph: it is released when the graph is freed (after
 *     {@code backward()} unless {@code retainGraph}, or by {@link #freeGraph()}), so a training
 *     loop runs in constant memory without closing every intermediate by hand. The value
 *     {@code backward()} is called on is not released; to read another intermediate after
 *     {@code backward()}, {@link #keep()} it first (then it is yours to close). A value computed
 *     from the graph but not used by what {@code backward()} is called on is not reached by the
 *     pass: close it, or compute it under {@link NoGrad} or inside a {@link Scope}.
 * <li>A <b>constant</b> is the result of an op when nothing requires grad or under
 *     {@link NoGrad}. Like any tensor, close it or make it inside a {@link Scope}.
 * </ul>
 *
 * <h2>In-place ops</h2>
 * The {@code ...InPlace} methods, {@link #fill} and {@link #copyFrom} bump a version counter
 * shared by all views of the memory. A backward pass that needs a value changed since the
 * forward pass throws, naming the op that saved it and the op that changed it. In-place ops
 * are not recorded: on a value that requires grad they are allowed only under {@link NoGrad}.
 * Changes made directly through {@link #data()} are tracked only if reported with
 * {@link #markChangedInPlace}.
 *
 * <p>Not thread-safe.
 */
public final class Variable implements AutoCloseable {
    private final Tensor data;
    private final Node gradFn;
    private final Version version;
    private boolean requiresGrad;
    private Variable grad;
    private boolean gradOwned;
    private boolean kept;
    private boolean released;

    Variable(Tensor data, Node gradFn, boolean requiresGrad, Version version) {
        this.data = data;
        this.gradFn = gradFn;
        this.requiresGrad = requiresGrad;
        this.version = version;
    }

    // ---------------------------------------------------------------- creation

    /** A leaf that does not require grad (data, labels, constants); it takes ownership of {@code data}. */
    public static Variable of(Tensor data) {
        return of(data, false);
    }

    /** A leaf; it takes ownership of {@code data}. Only a floating tensor can require grad. */
    public static Variable of(Tensor data, boolean requiresGrad) {
        data.checkOpen("Variable.of");
        if (requiresGrad) {
            Check.floating("Variable.of", data);
        }
        return new Variable(data, null, requiresGrad, new Version());
    }

    /** A leaf that requires grad: a trainable parameter. */
    public static Variable parameter(Tensor data) {
        return of(data, true);
    }

    /** A rank-0 leaf holding {@code value}, not requiring grad. */
    public static Variable scalar(double value, DType dtype) {
        return of(Tensor.scalar(value, dtype));
    }

    static Variable constant(Tensor t) {
        return new Variable(t, null, false, new Version());
    }

    /** A constant of zeros with the shape, dtype and device of {@code v}. */
    static Variable zerosLike(Variable v) {
        return constant(Tensor.zeros(v.device(), v.dtype(), v.shape().dims()));
    }

    // ---------------------------------------------------------------- facts

    /**
     * The tensor. Use it to read values or to hand them to code that needs no gradients;
     * changes made through it in place are not tracked by the version counter.
     */
    public Tensor data() {
        return use("data");
    }

    /** The accumulated gradient of a leaf, or null when no backward pass has reached it since {@link #zeroGrad()}. */
    public Variable grad() {
        return grad;
    }

    public boolean requiresGrad() {
        return requiresGrad;
    }

    /** Turns gradient tracking of a leaf on or off (as PyTorch's {@code requires_grad_}). */
    public Variable setRequiresGrad(boolean requires) {
        Check.argument(gradFn == null, "setRequiresGrad",
                "only a leaf's flag can be set; this value was made by '%s' (use detach() for a leaf)", opName());
        if (requires) {
            Check.floating("setRequiresGrad", data);
        }
        requiresGrad = requires;
        return this;
    }

    /** Whether this value was made by the user rather than by a recorded op. */
    public boolean isLeaf() {
        return gradFn == null;
    }

    /** The node that made this value, or null for a leaf or a constant. */
    public Node gradFn() {
        return gradFn;
    }

    public Shape shape() {
        return data.shape();
    }

    public DType dtype() {
        return data.dtype();
    }

    public Device device() {
        return data.device();
    }

    public int rank() {
        return data.rank();
    }

    public long numel() {
        return data.numel();
    }

    /** The size of dimension {@code axis} (negative counts from the end). */
    public int size(int axis) {
        return data.size(axis);
    }

    /** The single value of a one-element variable. */
    public double item() {
        return use("item").item();
    }

    public double[] toDoubleArray() {
        return use("toDoubleArray").toDoubleArray();
    }

    public float[] toFloatArray() {
        return use("toFloatArray").toFloatArray();
    }

    /** How many times this memory was changed in place through the Variable API. */
    public int version() {
        return version.value();
    }

    /** {@code float32[2, 3] (from 'matmul')}: safe to call on a released value. */
    public String describe() {
        return data.dtype() + data.shape().toString() + (gradFn == null ? "" : " (from '" + gradFn.op() + "')");
    }

    @Override
    public String toString() {
        if (released || data.isClosed()) {
            return "Variable(" + describe() + ", released)";
        }
        return "Variable(" + data + (requiresGrad ? ", requiresGrad" : "") + (gradFn == null ? "" : ", " + gradFn)
                + ")";
    }

    // ---------------------------------------------------------------- memory

    /**
     * Takes this value out of the graph's memory management: freeing the graph will not release
     * it, and closing it becomes the caller's job (or its {@link Scope}'s). Returns this.
     */
    public Variable keep() {
        kept = true;
        return this;
    }

    public boolean isKept() {
        return kept;
    }

    /** Whether the memory was released (by the graph, by {@link #close()} or by a Scope). */
    public boolean isReleased() {
        return released || data.isClosed();
    }

    /** Releases the tensor and a gradient this leaf owns. Idempotent. */
    @Override
    public void close() {
        data.close();
        zeroGrad();
    }

    /**
     * Drops the accumulated gradient (as PyTorch's {@code zero_grad(set_to_none=True)}): the next
     * backward pass starts from zero. A gradient made by an ordinary backward pass belongs to
     * this leaf and is closed; one made with {@code createGraph} is part of that graph and left
     * to it.
     */
    public void zeroGrad() {
        if (grad != null && gradOwned) {
            grad.close();
        }
        grad = null;
        gradOwned = false;
    }

    /**
     * Frees the graph behind this value without a backward pass: every node reachable from it
     * is released, with the memory of every intermediate except this one. For a forward pass
     * recorded and then not differentiated.
     */
    public void freeGraph() {
        if (gradFn != null) {
            BackwardPass.free(this);
        }
    }

    /** The tensor, checked for use by {@code op}. */
    Tensor use(String op) {
        if (released) {
            throw new IllegalStateException(op + ": the value " + describe() + " was released when backward() freed"
                    + " its graph; call keep() on it before backward() to use it afterwards, or pass retainGraph");
        }
        data.checkOpen(op);
        return data;
    }

    void releaseByGraph() {
        released = true;
        data.close();
    }

    Version versionCounter() {
        return version;
    }

    String opName() {
        return gradFn == null ? "a leaf" : gradFn.op();
    }

    /** Installs a gradient; {@code owned} when this leaf alone holds it (made by a plain backward pass). */
    void setGrad(Variable g, boolean owned) {
        if (grad != null && gradOwned && grad != g) {
            grad.close();
        }
        grad = g;
        gradOwned = owned;
        if (owned) {
            Scope.escape(g.data);
        }
    }

    boolean gradOwned() {
        return gradOwned;
    }

    /**
     * Adds {@code gradient} to this leaf's gradient, as a backward pass would (a copy when there
     * is none yet, which this leaf then owns): for gradients computed outside a pass, such as
     * the average of several processes' gradients. Not recorded.
     *
     * @throws IllegalArgumentException when this is not a leaf that requires grad, or
     *     {@code gradient} differs from it in shape, dtype or device
     */
    public void accumulateGrad(Tensor gradient) {
        String op = "accumulateGrad";
        Check.argument(gradFn == null && requiresGrad, op, "expected a leaf that requires grad, got %s", describe());
        gradient.checkOpen(op);
        Check.argument(gradient.shape().equals(data.shape()) && gradient.dtype() == data.dtype()
                && gradient.device().equals(data.device()), op, "expected a gradient %s on %s, got %s",
                data.dtype() + data.shape().toString(), data.device(), gradient.describe());
        if (grad == null) {
            setGrad(constant(gradient.copy()), true);
        } else if (gradOwned) {
            grad.data.addInPlace(gradient);
        } else {
            setGrad(constant(grad.data.add(gradient)), true);
        }
    }

    // ---------------------------------------------------------------- backward

    /**
     * Back-propagates from this one-element value (seed 1) into every leaf that requires grad,
     * then frees the graph.
     *
     * @throws IllegalArgumentException if this value does not require grad, or has more than
     *     one element (give a seed)
     * @throws IllegalStateException if the graph was already freed by an earlier pass, or a
     *     value the pass needs was changed in place
     */
    public void backward() {
        backward((Variable) null, false, false);
    }

    /**
     * Back-propagates from this one-element value as {@link #backward()} does, and calls
     * {@code onGradientComplete} with each leaf as soon as its gradient is complete for this
     * pass: when every op that used the leaf has run its rule, while the pass goes on through
     * the rest of the graph. Data-parallel training starts averaging gradients across processes
     * there, overlapping the rest of the pass (PyTorch's post-accumulate-grad hooks). Leaves the
     * pass does not reach are not reported; each reached leaf is reported once, in the order its
     * gradient completes.
     */
    public void backward(Consumer<Variable> onGradientComplete) {
        Check.argument(onGradientComplete != null, "backward", "expected a listener, got null");
        BackwardPass.accumulate(this, null, false, false, onGradientComplete);
    }

    /** Back-propagates with {@code seed} (the gradient of some scalar with respect to this value; same shape). */
    public void backward(Tensor seed) {
        backward(constant(seed), false, false);
    }

    /**
     * Back-propagates with an explicit seed (null: 1 for a one-element value).
     *
     * @param retainGraph keep the graph and its intermediates, so that another backward pass
     *     can go through it (free it later with {@link #freeGraph()} or a second pass)
     * @param createGraph record the backward pass itself, so that the gradients can be
     *     differentiated again (Hessian-vector products); implies {@code retainGraph}. Tensors
     *     of that graph which are not outputs of recorded ops (the seed, masks) are released by
     *     the enclosing {@link Scope}: do higher-order work inside one
     */
    public void backward(Variable seed, boolean retainGraph, boolean createGraph) {
        BackwardPass.accumulate(this, seed, retainGraph, createGraph);
    }

    // ---------------------------------------------------------------- arithmetic (broadcasting)

    public Variable add(Variable other) {
        return ArithmeticOps.add(this, other);
    }

    public Variable add(double s) {
        return ArithmeticOps.add(this, s);
    }

    public Variable sub(Variable other) {
        return ArithmeticOps.sub(this, other);
    }

    public Variable sub(double s) {
        return ArithmeticOps.sub(this, s);
    }

    /** {@code s - this}. */
    public Variable rsub(double s) {
        return ArithmeticOps.rsub(this, s);
    }

    public Variable mul(Variable other) {
        return ArithmeticOps.mul(this, other);
    }

    public Variable mul(double s) {
        return ArithmeticOps.mul(this, s);
    }

    public Variable div(Variable other) {
        return ArithmeticOps.div(this, other);
    }

    public Variable div(double s) {
        return ArithmeticOps.div(this, s);
    }

    /**
     * {@code this / c} for a constant tensor (a device scalar, say) that broadcasts to this
     * shape, differentiated for {@code this} only; the graph keeps its own handle of {@code c},
     * so the caller may close it.
     */
    public Variable div(Tensor c) {
        return ArithmeticOps.div(this, c);
    }

    /** {@code s / this}. */
    public Variable rdiv(double s) {
        return ArithmeticOps.rdiv(this, s);
    }

    /** {@code this ^ exponent}, elementwise. */
    public Variable pow(Variable exponent) {
        return ArithmeticOps.pow(this, exponent);
    }

    public Variable pow(double exponent) {
        return ArithmeticOps.pow(this, exponent);
    }

    public Variable neg() {
        return ArithmeticOps.neg(this);
    }

    /** Elementwise maximum; where the two are equal each gets half the gradient. */
    public Variable maximum(Variable other) {
        return ArithmeticOps.maximum(this, other);
    }

    public Variable maximum(double s) {
        return ArithmeticOps.maximum(this, s);
    }

    /** Elementwise minimum; where the two are equal each gets half the gradient. */
    public Variable minimum(Variable other) {
        return ArithmeticOps.minimum(this, other);
    }

    public Variable minimum(double s) {
        return ArithmeticOps.minimum(this, s);
    }

    /** {@code cond != 0 ? a : b}, elementwise with broadcasting over all three. */
    public static Variable where(Tensor cond, Variable a, Variable b) {
        return ArithmeticOps.where(cond, a, b);
    }

    /** {@code value} where {@code mask != 0}, this value elsewhere; the mask broadcasts to this shape. */
    public Variable maskedFill(Tensor mask, double value) {
        return ArithmeticOps.maskedFill(this, mask, value);
    }

    // ---------------------------------------------------------------- elementwise functions

    public Variable exp() {
        return MathOps.exp(this);
    }

    public Variable log() {
        return MathOps.log(this);
    }

    /** {@code log(1 + x)}. */
    public Variable log1p() {
        return MathOps.log1p(this);
    }

    public Variable sqrt() {
        return MathOps.sqrt(this);
    }

    /** {@code 1 / sqrt(x)}. */
    public Variable rsqrt() {
        return MathOps.rsqrt(this);
    }

    public Variable reciprocal() {
        return MathOps.reciprocal(this);
    }

    public Variable square() {
        return MathOps.square(this);
    }

    /** {@code |x|}, with gradient {@code sign(x)} (0 at 0, as PyTorch). */
    public Variable abs() {
        return MathOps.abs(this);
    }

    /** -1, 0 or 1: piecewise constant, so the result is a constant that does not require grad. */
    public Variable sign() {
        return MathOps.sign(this);
    }

    /** Each element limited to [lo, hi]; the gradient passes where {@code lo <= x <= hi} (as PyTorch). */
    public Variable clamp(double lo, double hi) {
        return MathOps.clamp(this, lo, hi);
    }

    /** The error function {@code 2/sqrt(pi) * integral_0^x exp(-t^2) dt} ({@link Tensor#erf}). */
    public Variable erf() {
        return MathOps.erf(this);
    }

    /** {@code e^x - 1}, accurate for small x. */
    public Variable expm1() {
        return MathOps.expm1(this);
    }

    /** {@code sin x} (radians). */
    public Variable sin() {
        return MathOps.sin(this);
    }

    /** {@code cos x} (radians). */
    public Variable cos() {
        return MathOps.cos(this);
    }

    // ---------------------------------------------------------------- activations

    public Variable sigmoid() {
        return ActivationOps.sigmoid(this);
    }

    public Variable tanh() {
        return ActivationOps.tanh(this);
    }

    /** {@code max(x, 0)}; gradient 0 at 0 (as PyTorch). */
    public Variable relu() {
        return ActivationOps.relu(this);
    }

    /** {@code x > 0 ? x : slope * x} (PyTorch's default slope is 0.01); gradient {@code slope} at 0. */
    public Variable leakyRelu(double slope) {
        return ActivationOps.leakyRelu(this, slope);
    }

    /** GELU, exact form {@code x * Phi(x) = x/2 * (1 + erf(x / sqrt 2))} (PyTorch's default). */
    public Variable gelu() {
        return ActivationOps.gelu(this);
    }

    /** GELU, tanh approximation {@code x/2 * (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))} (PyTorch's {@code approximate='tanh'}). */
    public Variable geluTanh() {
        return ActivationOps.geluTanh(this);
    }

    /** {@code log(1 + exp(x))}, computed as {@code max(x,0) + log1p(exp(-|x|))}: exact and finite for every x. */
    public Variable softplus() {
        return ActivationOps.softplus(this, 1);
    }

    /** {@code log(1 + exp(beta x)) / beta}. */
    public Variable softplus(double beta) {
        return ActivationOps.softplus(this, beta);
    }

    /** {@code exp(x) / sum(exp(x))} along {@code axis}. */
    public Variable softmax(int axis) {
        return ActivationOps.softmax(this, axis);
    }

    /** {@code x - logsumexp(x)} along {@code axis}. */
    public Variable logSoftmax(int axis) {
        return ActivationOps.logSoftmax(this, axis);
    }

    /**
     * Softmax along the last axis with a causal mask, as {@link Tensor#causalSoftmax}: in
     * [..., m, n], row i keeps entries {@code j <= i + n - m}; masked entries (and rows with
     * nothing kept) are 0 with gradient 0.
     */
    public Variable causalSoftmax() {
        return ActivationOps.causalSoftmax(this);
    }

    /**
     * Layer normalisation over the trailing axes {@code normalizedShape}, as
     * {@link Tensor#layerNorm}: {@code (x − μ)/√(σ² + eps)·weight + bias}; {@code weight} and
     * {@code bias} (of shape {@code normalizedShape}) may be null. Forward and backward are one
     * backend op each.
     */
    public Variable layerNorm(int[] normalizedShape, Variable weight, Variable bias, double eps) {
        return NormalizationOps.layerNorm(this, normalizedShape, weight, bias, eps);
    }

    // ---------------------------------------------------------------- reductions

    /** Sum of every element (rank 0). */
    public Variable sum() {
        return ReductionOps.sum(this, new int[0], false);
    }

    /** Sum over the given axes (none: every axis). */
    public Variable sum(int... axes) {
        return ReductionOps.sum(this, axes, false);
    }

    public Variable sum(int[] axes, boolean keepDim) {
        return ReductionOps.sum(this, axes, keepDim);
    }

    public Variable mean() {
        return ReductionOps.mean(this, new int[0], false);
    }

    public Variable mean(int... axes) {
        return ReductionOps.mean(this, axes, false);
    }

    public Variable mean(int[] axes, boolean keepDim) {
        return ReductionOps.mean(this, axes, keepDim);
    }

    /**
     * Largest value over the axes (none: every axis); tied maxima share the gradient equally (as
     * PyTorch's amax). A slice holding NaN has a NaN maximum and NaN gradients.
     */
    public Variable max(int... axes) {
        return ReductionOps.max(this, axes, false);
    }

    public Variable max(int[] axes, boolean keepDim) {
        return ReductionOps.max(this, axes, keepDim);
    }

    /** Smallest value over the axes; tied minima share the gradient equally. */
    public Variable min(int... axes) {
        return ReductionOps.min(this, axes, false);
    }

    public Variable min(int[] axes, boolean keepDim) {
        return ReductionOps.min(this, axes, keepDim);
    }

    /** Unbiased variance (correction 1) of every element. */
    public Variable var() {
        return ReductionOps.var(this, new int[0], 1, false);
    }

    /** {@code sum((x - mean)^2) / (N - correction)} over the axes. */
    public Variable var(int[] axes, int correction, boolean keepDim) {
        return ReductionOps.var(this, axes, correction, keepDim);
    }

    /**
     * The p-norm over every element ({@link Tensor#norm}): p = 1, 2, infinity or any p > 0. Its
     * gradient is {@code g·sign(x)·|x|^(p−1)/‖x‖^(p−1)}: {@code g·x/‖x‖} for p = 2 and
     * {@code g·sign(x)} for p = 1; for infinity the elements of largest magnitude share it
     * equally; where the norm is 0 the gradient is 0 (as PyTorch).
     */
    public Variable norm(double p) {
        return ReductionOps.norm(this, p, new int[0], false);
    }

    /** The p-norm over {@code axes} (none: every axis). */
    public Variable norm(double p, int[] axes, boolean keepDim) {
        return ReductionOps.norm(this, p, axes, keepDim);
    }

    public Variable logsumexp(int... axes) {
        return ReductionOps.logsumexp(this, axes, false);
    }

    public Variable logsumexp(int[] axes, boolean keepDim) {
        return ReductionOps.logsumexp(this, axes, keepDim);
    }

    /**
     * Summed down to {@code target}, a shape that broadcasts to this one: the inverse of
     * broadcasting, which every backward rule of a broadcasting op uses to give an input a
     * gradient of its own shape. This value itself when the shapes are equal.
     */
    public Variable sumTo(Shape target) {
        return ReductionOps.sumTo(this, target);
    }

    // ---------------------------------------------------------------- matmul

    /** Matrix product with NumPy's rules (vector and batched forms), as {@link Tensor#matmul}. */
    public Variable matmul(Variable other) {
        return MatmulOp.matmul(this, other);
    }

    // ---------------------------------------------------------------- convolution and pooling

    /**
     * 2-d convolution of this input {@code [N, C, H, W]} by {@code weight [O, C/groups, KH, KW]} plus
     * {@code bias [O]} (or null), as {@link Tensor#conv2d(Tensor, Tensor, Conv2dOptions)}; differentiable
     * to any order in all three.
     */
    public Variable conv2d(Variable weight, Variable bias, Conv2dOptions options) {
        return ConvolutionOps.conv2d(this, weight, bias, options);
    }

    /** Max pooling, as {@link Tensor#maxPool2d}; the gradient goes to the element each maximum came from. */
    public Variable maxPool2d(Pool2dOptions options) {
        return PoolingOps.maxPool2d(this, options);
    }

    /** Average pooling, as {@link Tensor#avgPool2d}. */
    public Variable avgPool2d(Pool2dOptions options) {
        return PoolingOps.avgPool2d(this, options);
    }

    /** Adaptive average pooling to {@code [N, C, oh, ow]}, as {@link Tensor#adaptiveAvgPool2d}. */
    public Variable adaptiveAvgPool2d(int oh, int ow) {
        return PoolingOps.adaptiveAvgPool2d(this, oh, ow);
    }

    /**
     * Batch normalisation of {@code x [N, C, ...]} per channel, as PyTorch's {@code F.batch_norm}:
     * {@code (x − μ)/√(σ² + eps)·γ + β} with γ = {@code weight} and β = {@code bias} ([C] or null).
     * In training μ and σ² (biased) are the batch's, and {@code runningMean}/{@code runningVar}
     * (when not null) are updated in place: {@code r ← (1 − momentum)·r + momentum·stat}, with the
     * unbiased variance; in evaluation the running statistics are used. One backend call forward and
     * one backward; differentiable to any order.
     */
    public static Variable batchNorm(Variable x, Variable weight, Variable bias, Tensor runningMean, Tensor runningVar,
            boolean training, double momentum, double eps) {
        return NormOps.batchNorm(x, weight, bias, runningMean, runningVar, training, momentum, eps);
    }

    // ---------------------------------------------------------------- views and shape

    /** The same elements in a new shape (one size may be -1); a view when possible. */
    public Variable reshape(int... dims) {
        return ViewOps.reshape(this, dims);
    }

    /** A rank-1 view (or copy) of every element. */
    public Variable flatten() {
        return ViewOps.reshape(this, new int[] {-1});
    }

    public Variable permute(int... order) {
        return ViewOps.permute(this, order);
    }

    public Variable transpose(int a, int b) {
        return ViewOps.transpose(this, a, b);
    }

    /** The transpose of a matrix (rank <= 2). */
    public Variable t() {
        return ViewOps.t(this);
    }

    /** {@code length} elements of {@code axis} from {@code start}. */
    public Variable narrow(int axis, int start, int length) {
        return ViewOps.narrow(this, axis, start, length);
    }

    /** Elements {@code start, start+step, ...} before {@code end} along {@code axis} (negative bounds count from the end). */
    public Variable slice(int axis, int start, int end, int step) {
        return ViewOps.slice(this, axis, start, end, step);
    }

    /** The sub-tensor at {@code index} of {@code axis}, which disappears. */
    public Variable select(int axis, int index) {
        return ViewOps.select(this, axis, index);
    }

    /** Size-1 dimensions repeated to the given sizes (-1 keeps a size); the gradient is summed back. */
    public Variable expand(int... dims) {
        return ViewOps.expand(this, dims);
    }

    public Variable broadcastTo(Shape target) {
        return ViewOps.broadcastTo(this, target);
    }

    public Variable squeeze() {
        return ViewOps.squeeze(this);
    }

    public Variable squeeze(int axis) {
        return ViewOps.squeeze(this, axis);
    }

    public Variable unsqueeze(int axis) {
        return ViewOps.unsqueeze(this, axis);
    }

    public Variable contiguous() {
        return ViewOps.contiguous(this);
    }

    /** Converted to another floating dtype (differentiable), or to an integer dtype (a constant). */
    public Variable to(DType target) {
        return ViewOps.to(this, target);
    }

    /**
     * A constant sharing this value's memory and version counter, outside the graph: no grad,
     * no node. It owns a handle of its own, so it stays readable after the graph is freed;
     * close it when done.
     */
    public Variable detach() {
        Tensor t = use("detach");
        return new Variable(t.to(t.dtype()), null, false, version);
    }

    // ---------------------------------------------------------------- joining and indexing

    /** Variables joined along an existing axis. */
    public static Variable concat(List<Variable> parts, int axis) {
        return JoinOps.concat(parts, axis);
    }

    /** Variables of one shape joined along a new axis. */
    public static Variable stack(List<Variable> parts, int axis) {
        return JoinOps.stack(parts, axis);
    }

    /** As {@link Tensor#gather}: {@code out[i][j] = this[i][index[i][j]]} for axis 1. */
    public Variable gather(int axis, Tensor index) {
        return JoinOps.gather(this, axis, index);
    }

    /** The entries {@code index[0], index[1], ...} along {@code axis}. */
    public Variable indexSelect(int axis, Tensor index) {
        return JoinOps.indexSelect(this, axis, index);
    }

    /**
     * As {@link Tensor#scatterAdd}: this with {@code src} added at the positions {@code index}
     * names along {@code axis}. Differentiable in both: this gets the gradient itself, {@code src}
     * the gradient gathered at the index.
     */
    public Variable scatterAdd(int axis, Tensor index, Variable src) {
        return JoinOps.scatterAdd(this, axis, index, src);
    }

    /** As {@link Tensor#indexAdd}: this with the entries of {@code source} added at {@code index[k]} along {@code axis}. */
    public Variable indexAdd(int axis, Tensor index, Variable source) {
        return JoinOps.indexAdd(this, axis, index, source);
    }

    // ---------------------------------------------------------------- in place (not recorded)

    public Variable addInPlace(Variable other) {
        Tensor o = other.use("addInPlace");
        checkInPlace("addInPlace", other);
        data.addInPlace(o);
        return bumped("addInPlace");
    }

    public Variable addInPlace(double s) {
        checkInPlace("addInPlace", null);
        data.addInPlace(s);
        return bumped("addInPlace");
    }

    /** {@code this += alpha * other}: the update step of gradient descent. */
    public Variable addScaledInPlace(Variable other, double alpha) {
        Tensor o = other.use("addScaledInPlace");
        checkInPlace("addScaledInPlace", other);
        data.addScaledInPlace(o, alpha);
        return bumped("addScaledInPlace");
    }

    public Variable subInPlace(Variable other) {
        Tensor o = other.use("subInPlace");
        checkInPlace("subInPlace", other);
        data.subInPlace(o);
        return bumped("subInPlace");
    }

    public Variable mulInPlace(Variable other) {
        Tensor o = other.use("mulInPlace");
        checkInPlace("mulInPlace", other);
        data.mulInPlace(o);
        return bumped("mulInPlace");
    }

    public Variable mulInPlace(double s) {
        checkInPlace("mulInPlace", null);
        data.mulInPlace(s);
        return bumped("mulInPlace");
    }

    public Variable divInPlace(double s) {
        checkInPlace("divInPlace", null);
        data.divInPlace(s);
        return bumped("divInPlace");
    }

    public Variable clampInPlace(double lo, double hi) {
        checkInPlace("clampInPlace", null);
        data.clampInPlace(lo, hi);
        return bumped("clampInPlace");
    }

    /** Every element set to {@code value}. */
    public Variable fill(double value) {
        checkInPlace("fill", null);
        data.fill(value);
        return bumped("fill");
    }

    /** {@code this = src} (broadcast, converted). */
    public Variable copyFrom(Tensor src) {
        checkInPlace("copyFrom", null);
        data.copyFrom(src);
        return bumped("copyFrom");
    }

    /**
     * Records that {@link #data()} was changed in place by {@code op} outside this API (a fused
     * optimiser kernel, a direct tensor write), so that a backward pass that saved this value
     * detects it. Returns this.
     */
    public Variable markChangedInPlace(String op) {
        return bumped(op);
    }

    private void checkInPlace(String op, Variable other) {
        use(op);
        boolean tracked = requiresGrad || (other != null && other.requiresGrad);
        if (tracked && GradMode.isEnabled()) {
            throw new IllegalStateException(op + ": in-place ops are not recorded for autograd, and "
                    + (requiresGrad ? "this value " + describe() : "the other operand") + " requires grad; use the"
                    + " out-of-place op, or make the change under NoGrad (as an optimiser step does)");
        }
    }

    private Variable bumped(String op) {
        version.bump(op);
        return this;
    }
}
