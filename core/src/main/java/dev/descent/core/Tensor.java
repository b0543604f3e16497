package dev.descent.core;

import dev.descent.core.spi.Backend;
import dev.descent.core.spi.BinaryOp;
import dev.descent.core.spi.ReduceOp;
import dev.descent.core.spi.SoftmaxOp;
import dev.descent.core.spi.StridedView;
import dev.descent.core.spi.UnaryOp;
import java.util.Arrays;
import java.util.List;

/**
 * An n-dimensional array on a device: a dtype, a shape, strides (in elements) and an offset
 * into a storage that views share. The one tensor API for every backend.
 *
 * <p>Ops return new tensors; methods named {@code ...InPlace} write into this tensor (what
 * optimisers use). Elementwise ops follow NumPy broadcasting. Views ({@link #reshape},
 * {@link #transpose}, {@link #narrow}, {@link #expand}, ...) share memory and copy nothing.
 *
 * <p>Memory is off the Java heap and released deterministically: {@link #close()} a tensor,
 * or create it inside a {@link Scope}. Using a closed tensor throws an
 * {@link IllegalStateException} naming the op and the tensor. Not thread-safe.
 */
public final class Tensor implements AutoCloseable {
    private final Backend backend;
    private final SharedStorage data;
    private final DType dtype;
    private final Shape shape;
    private final long[] strides;
    private final long offset;
    private boolean closed;

    private Tensor(Backend backend, SharedStorage data, DType dtype, Shape shape, long[] strides, long offset) {
        this.backend = backend;
        this.data = data;
        this.dtype = dtype;
        this.shape = shape;
        this.strides = strides;
        this.offset = offset;
        Scope.register(this);
    }

    // ---------------------------------------------------------------- creation

    /** Uninitialised memory of the given shape on {@code device}. */
    public static Tensor empty(Device device, DType dtype, int... dims) {
        return allocate(Backends.forDevice(device), device, dtype, Shape.of(dims));
    }

    /** Uninitialised float32 memory on the default device. */
    public static Tensor empty(DType dtype, int... dims) {
        return empty(Backends.defaultDevice(), dtype, dims);
    }

    private static Tensor allocate(Backend backend, Device device, DType dtype, Shape shape) {
        var storage = backend.allocate(device, dtype, shape.numel());
        return new Tensor(backend, new SharedStorage(storage), dtype, shape, shape.contiguousStrides(), 0);
    }

    /** A tensor of the given shape filled with {@code value}. */
    public static Tensor full(Device device, DType dtype, double value, int... dims) {
        Tensor t = empty(device, dtype, dims);
        t.backend.fill(t.view(), value);
        return t;
    }

    public static Tensor full(DType dtype, double value, int... dims) {
        return full(Backends.defaultDevice(), dtype, value, dims);
    }

    public static Tensor zeros(Device device, DType dtype, int... dims) {
        return full(device, dtype, 0, dims);
    }

    public static Tensor zeros(DType dtype, int... dims) {
        return full(dtype, 0, dims);
    }

    /** float32 zeros on the default device. */
    public static Tensor zeros(int... dims) {
        return full(DType.FLOAT32, 0, dims);
    }

    public static Tensor ones(Device device, DType dtype, int... dims) {
        return full(device, dtype, 1, dims);
    }

    public static Tensor ones(DType dtype, int... dims) {
        return full(dtype, 1, dims);
    }

    /** float32 ones on the default device. */
    public static Tensor ones(int... dims) {
        return full(DType.FLOAT32, 1, dims);
    }

    /** A rank-0 tensor holding {@code value}. */
    public static Tensor scalar(double value, DType dtype) {
        return full(dtype, value, new int[0]);
    }

    /** A rank-0 float32 tensor. */
    public static Tensor scalar(double value) {
        return scalar(value, DType.FLOAT32);
    }

    /** A float32 tensor holding {@code values}; no dims means a vector. */
    public static Tensor of(float[] values, int... dims) {
        return fromHost(Backends.defaultDevice(), DType.FLOAT32, values, values.length, dims);
    }

    /** A float64 tensor holding {@code values}; no dims means a vector. */
    public static Tensor of(double[] values, int... dims) {
        return fromHost(Backends.defaultDevice(), DType.FLOAT64, values, values.length, dims);
    }

    /** An int32 tensor holding {@code values}; no dims means a vector. */
    public static Tensor of(int[] values, int... dims) {
        return fromHost(Backends.defaultDevice(), DType.INT32, values, values.length, dims);
    }

    /** An int64 tensor holding {@code values}; no dims means a vector. */
    public static Tensor of(long[] values, int... dims) {
        return fromHost(Backends.defaultDevice(), DType.INT64, values, values.length, dims);
    }

    /** A tensor of {@code dtype} on {@code device} with the values of a double array, converted. */
    public static Tensor of(Device device, DType dtype, double[] values, int... dims) {
        Object array = HostArrays.fromDoubles(values, dtype);
        return fromHost(device, dtype, array, values.length, dims);
    }

    private static Tensor fromHost(Device device, DType dtype, Object array, int length, int[] dims) {
        return fromHost(device, dtype, array, length, Shape.of(dims.length == 0 ? new int[] {length} : dims));
    }

    private static Tensor fromHost(Device device, DType dtype, Object array, int length, Shape s) {
        Check.argument(s.numel() == length, "Tensor.of", "%d values do not fill shape %s (%d elements)",
                length, s, s.numel());
        Tensor t = allocate(Backends.forDevice(device), device, dtype, s);
        t.backend.copyFromHost(array, 0, t.data.storage(), 0, length);
        return t;
    }

    /** {@code start, start+step, ...} below {@code end} (above it for a negative step). */
    public static Tensor arange(double start, double end, double step, DType dtype) {
        Check.argument(step != 0 && Double.isFinite(step), "arange", "expected a finite non-zero step, got %s", step);
        long n = (long) Math.ceil((end - start) / step);
        Check.argument(n <= Integer.MAX_VALUE, "arange", "%d elements are too many", n);
        double[] v = new double[(int) Math.max(n, 0)];
        for (int i = 0; i < v.length; i++) {
            v[i] = start + i * step;
        }
        return of(Backends.defaultDevice(), dtype, v);
    }

    /** {@code 0, 1, ..., end-1}. */
    public static Tensor arange(int end, DType dtype) {
        return arange(0, end, 1, dtype);
    }

    /** {@code steps} evenly spaced values from {@code start} to {@code end}, both included. */
    public static Tensor linspace(double start, double end, int steps, DType dtype) {
        Check.argument(steps >= 0, "linspace", "expected steps >= 0, got %d", steps);
        double[] v = new double[steps];
        for (int i = 0; i < steps; i++) {
            v[i] = steps == 1 ? start : start + (end - start) * i / (steps - 1);
        }
        return of(Backends.defaultDevice(), dtype, v);
    }

    /** The n×n identity matrix. */
    public static Tensor eye(int n, DType dtype) {
        Check.argument(n >= 0, "eye", "expected n >= 0, got %d", n);
        double[] v = new double[n * n];
        for (int i = 0; i < n; i++) {
            v[i * n + i] = 1;
        }
        return of(Backends.defaultDevice(), dtype, v, n, n);
    }

    /** Uniform on [0, 1), drawn from {@code gen}. */
    public static Tensor rand(Generator gen, DType dtype, int... dims) {
        return uniform(gen, 0, 1, dtype, dims);
    }

    /** Standard normal, drawn from {@code gen}. */
    public static Tensor randn(Generator gen, DType dtype, int... dims) {
        return normal(gen, 0, 1, dtype, dims);
    }

    /** Uniform on [lo, hi), drawn from {@code gen} on the host (so every backend gets the same values). */
    public static Tensor uniform(Generator gen, double lo, double hi, DType dtype, int... dims) {
        Check.argument(dtype.isFloating(), "uniform", "expected a floating dtype, got %s", dtype);
        Check.argument(lo <= hi, "uniform", "expected lo <= hi, got %s > %s", lo, hi);
        Shape s = Shape.of(dims);
        double[] v = gen.uniform(hostLength("uniform", s), lo, hi);
        if (dtype == DType.FLOAT32) {
            // Rounding to float may reach hi; keep the interval half-open.
            float top = Math.nextDown((float) hi);
            for (int i = 0; i < v.length; i++) {
                v[i] = Math.min((float) v[i], lo < hi ? top : (float) hi);
            }
        }
        return fromHost(Backends.defaultDevice(), dtype, HostArrays.fromDoubles(v, dtype), v.length, s);
    }

    /** N(mean, std²), drawn from {@code gen} on the host. */
    public static Tensor normal(Generator gen, double mean, double std, DType dtype, int... dims) {
        Check.argument(dtype.isFloating(), "normal", "expected a floating dtype, got %s", dtype);
        Check.argument(std >= 0, "normal", "expected std >= 0, got %s", std);
        Shape s = Shape.of(dims);
        double[] v = gen.normal(hostLength("normal", s), mean, std);
        return fromHost(Backends.defaultDevice(), dtype, HostArrays.fromDoubles(v, dtype), v.length, s);
    }

    private static int hostLength(String op, Shape s) {
        Check.argument(s.numel() <= Integer.MAX_VALUE, op, "%s has %d elements, more than a Java array holds",
                s, s.numel());
        return (int) s.numel();
    }

    // ---------------------------------------------------------------- facts

    public Shape shape() {
        return shape;
    }

    public DType dtype() {
        return dtype;
    }

    public Device device() {
        return data.storage().device();
    }

    public int rank() {
        return shape.rank();
    }

    public long numel() {
        return shape.numel();
    }

    /** The size of dimension {@code axis} (negative counts from the end). */
    public int size(int axis) {
        return shape.dim(axis);
    }

    /** Strides in elements (a copy). */
    public long[] strides() {
        return strides.clone();
    }

    /** Offset of the first element in the storage, in elements. */
    public long offset() {
        return offset;
    }

    public boolean isContiguous() {
        return view().isContiguous();
    }

    public boolean isClosed() {
        return closed;
    }

    /** A short description, safe to call on a closed tensor: {@code float32[2, 3] on cpu:0}. */
    public String describe() {
        return dtype + shape.toString() + " on " + device() + (closed ? " (closed)" : "");
    }

    // ---------------------------------------------------------------- elementwise

    public Tensor add(Tensor other) {
        return binary(BinaryOp.ADD, other);
    }

    public Tensor add(double s) {
        return binaryScalar(BinaryOp.ADD, s);
    }

    public Tensor sub(Tensor other) {
        return binary(BinaryOp.SUB, other);
    }

    public Tensor sub(double s) {
        return binaryScalar(BinaryOp.SUB, s);
    }

    public Tensor mul(Tensor other) {
        return binary(BinaryOp.MUL, other);
    }

    public Tensor mul(double s) {
        return binaryScalar(BinaryOp.MUL, s);
    }

    public Tensor div(Tensor other) {
        return binary(BinaryOp.DIV, other);
    }

    public Tensor div(double s) {
        return binaryScalar(BinaryOp.DIV, s);
    }

    /** {@code this ^ exponent}, elementwise, as {@link Math#pow}. */
    public Tensor pow(Tensor exponent) {
        return binary(BinaryOp.POW, exponent);
    }

    public Tensor pow(double exponent) {
        return binaryScalar(BinaryOp.POW, exponent);
    }

    /** Elementwise maximum; NaN wins. */
    public Tensor maximum(Tensor other) {
        return binary(BinaryOp.MAXIMUM, other);
    }

    public Tensor maximum(double s) {
        return binaryScalar(BinaryOp.MAXIMUM, s);
    }

    /** Elementwise minimum; NaN wins. */
    public Tensor minimum(Tensor other) {
        return binary(BinaryOp.MINIMUM, other);
    }

    public Tensor minimum(double s) {
        return binaryScalar(BinaryOp.MINIMUM, s);
    }

    /** Comparisons give a 0/1 mask of this tensor's dtype. */
    public Tensor eq(Tensor other) {
        return binary(BinaryOp.EQ, other);
    }

    public Tensor eq(double s) {
        return binaryScalar(BinaryOp.EQ, s);
    }

    public Tensor ne(Tensor other) {
        return binary(BinaryOp.NE, other);
    }

    public Tensor ne(double s) {
        return binaryScalar(BinaryOp.NE, s);
    }

    public Tensor lt(Tensor other) {
        return binary(BinaryOp.LT, other);
    }

    public Tensor lt(double s) {
        return binaryScalar(BinaryOp.LT, s);
    }

    public Tensor le(Tensor other) {
        return binary(BinaryOp.LE, other);
    }

    public Tensor le(double s) {
        return binaryScalar(BinaryOp.LE, s);
    }

    public Tensor gt(Tensor other) {
        return binary(BinaryOp.GT, other);
    }

    public Tensor gt(double s) {
        return binaryScalar(BinaryOp.GT, s);
    }

    public Tensor ge(Tensor other) {
        return binary(BinaryOp.GE, other);
    }

    public Tensor ge(double s) {
        return binaryScalar(BinaryOp.GE, s);
    }

    /** {@code cond != 0 ? a : b}, elementwise with broadcasting over all three. */
    public static Tensor where(Tensor cond, Tensor a, Tensor b) {
        String op = "where";
        cond.checkOpen(op);
        a.checkOpen(op);
        b.checkOpen(op);
        Check.sameDType(op, a, b);
        Check.sameDevice(op, a, b);
        Check.sameDevice(op, cond, a);
        Shape out = Shape.broadcast(op, Shape.broadcast(op, cond.shape, a.shape), b.shape);
        Tensor r = a.newTensor(out, a.dtype);
        a.backend.where(cond.broadcastView(out), a.broadcastView(out), b.broadcastView(out), r.view());
        return r;
    }

    public Tensor neg() {
        return unary(UnaryOp.NEG);
    }

    public Tensor abs() {
        return unary(UnaryOp.ABS);
    }

    /** -1, 0 or 1 by the sign; NaN stays NaN. */
    public Tensor sign() {
        return unary(UnaryOp.SIGN);
    }

    public Tensor square() {
        return unary(UnaryOp.SQUARE);
    }

    public Tensor exp() {
        return unary(UnaryOp.EXP);
    }

    public Tensor log() {
        return unary(UnaryOp.LOG);
    }

    /** {@code log(1 + x)}, accurate for small x. */
    public Tensor log1p() {
        return unary(UnaryOp.LOG1P);
    }

    public Tensor sqrt() {
        return unary(UnaryOp.SQRT);
    }

    /** {@code 1 / sqrt(x)}. */
    public Tensor rsqrt() {
        return unary(UnaryOp.RSQRT);
    }

    public Tensor reciprocal() {
        return unary(UnaryOp.RECIPROCAL);
    }

    /** {@code 1 / (1 + exp(-x))}, computed without overflow for large |x|. */
    public Tensor sigmoid() {
        return unary(UnaryOp.SIGMOID);
    }

    public Tensor tanh() {
        return unary(UnaryOp.TANH);
    }

    /** {@code e^x - 1}, accurate for small x. */
    public Tensor expm1() {
        return unary(UnaryOp.EXPM1);
    }

    /** The error function {@code erf x = 2/√π ∫₀ˣ e^(-t²) dt}. */
    public Tensor erf() {
        return unary(UnaryOp.ERF);
    }

    /** The exact GELU {@code x Φ(x) = x/2 · erfc(-x/√2)} (PyTorch's {@code gelu}, approximate='none'). */
    public Tensor gelu() {
        return unary(UnaryOp.GELU);
    }

    /** {@code ln(1 + e^x)}, computed as {@code max(x, 0) + log1p(e^-|x|)} so it never overflows. */
    public Tensor softplus() {
        return unary(UnaryOp.SOFTPLUS);
    }

    /** {@code sin x} (radians). */
    public Tensor sin() {
        return unary(UnaryOp.SIN);
    }

    /** {@code cos x} (radians). */
    public Tensor cos() {
        return unary(UnaryOp.COS);
    }

    /** {@code max(x, 0)}; NaN stays NaN. */
    public Tensor relu() {
        return unary(UnaryOp.RELU);
    }

    /** Each element limited to [lo, hi]. */
    public Tensor clamp(double lo, double hi) {
        checkOpen("clamp");
        Check.argument(!(lo > hi), "clamp", "expected lo <= hi, got %s > %s", lo, hi);
        try (Tensor low = maximum(lo)) {
            return low.minimum(hi);
        }
    }

    /** {@code op(this)}, for code that holds ops as values (interpreters of fused programs). */
    public Tensor apply(UnaryOp op) {
        return unary(op);
    }

    /** {@code op(this, other)} with broadcasting, for code that holds ops as values. */
    public Tensor apply(BinaryOp op, Tensor other) {
        return binary(op, other);
    }

    // ---------------------------------------------------------------- in place

    /** {@code this += other} (other broadcast to this shape); returns this. */
    public Tensor addInPlace(Tensor other) {
        return binaryInPlace(BinaryOp.ADD, other);
    }

    public Tensor addInPlace(double s) {
        return binaryScalarInPlace(BinaryOp.ADD, s);
    }

    public Tensor subInPlace(Tensor other) {
        return binaryInPlace(BinaryOp.SUB, other);
    }

    public Tensor subInPlace(double s) {
        return binaryScalarInPlace(BinaryOp.SUB, s);
    }

    public Tensor mulInPlace(Tensor other) {
        return binaryInPlace(BinaryOp.MUL, other);
    }

    public Tensor mulInPlace(double s) {
        return binaryScalarInPlace(BinaryOp.MUL, s);
    }

    public Tensor divInPlace(Tensor other) {
        return binaryInPlace(BinaryOp.DIV, other);
    }

    public Tensor divInPlace(double s) {
        return binaryScalarInPlace(BinaryOp.DIV, s);
    }

    public Tensor maximumInPlace(double s) {
        return binaryScalarInPlace(BinaryOp.MAXIMUM, s);
    }

    public Tensor minimumInPlace(double s) {
        return binaryScalarInPlace(BinaryOp.MINIMUM, s);
    }

    public Tensor clampInPlace(double lo, double hi) {
        checkOpen("clampInPlace");
        Check.argument(!(lo > hi), "clampInPlace", "expected lo <= hi, got %s > %s", lo, hi);
        return maximumInPlace(lo).minimumInPlace(hi);
    }

    /** {@code this += alpha * other} (the BLAS axpy); returns this. */
    public Tensor addScaledInPlace(Tensor other, double alpha) {
        String op = "addScaledInPlace";
        checkOpen(op);
        other.checkOpen(op);
        Check.sameDType(op, this, other);
        Check.sameDevice(op, this, other);
        Check.floating(op, this);
        Check.argument(other.shape.broadcastsTo(shape), op, "shape %s does not broadcast to this tensor's shape %s",
                other.shape, shape);
        backend.addScaled(other.broadcastView(shape), alpha, view());
        return this;
    }

    public Tensor negInPlace() {
        return unaryInPlace(UnaryOp.NEG);
    }

    public Tensor sqrtInPlace() {
        return unaryInPlace(UnaryOp.SQRT);
    }

    public Tensor expInPlace() {
        return unaryInPlace(UnaryOp.EXP);
    }

    public Tensor absInPlace() {
        return unaryInPlace(UnaryOp.ABS);
    }

    /** Every element set to {@code value}; returns this. */
    public Tensor fill(double value) {
        checkOpen("fill");
        backend.fill(view(), value);
        return this;
    }

    /** Every element set to 0; returns this. */
    public Tensor zero() {
        return fill(0);
    }

    /** {@code this = src}, broadcasting src to this shape and converting its dtype; returns this. */
    public Tensor copyFrom(Tensor src) {
        String op = "copyFrom";
        checkOpen(op);
        src.checkOpen(op);
        Check.sameDevice(op, this, src);
        Check.argument(src.shape.broadcastsTo(shape), op, "source shape %s does not broadcast to %s",
                src.shape, shape);
        backend.copy(src.broadcastView(shape), view());
        return this;
    }

    // ---------------------------------------------------------------- reductions

    /** Sum of every element, as a rank-0 tensor. */
    public Tensor sum() {
        return sum(new int[0], false);
    }

    /** Sum over the given axes (none: every axis). */
    public Tensor sum(int... axes) {
        return sum(axes, false);
    }

    public Tensor sum(int[] axes, boolean keepDim) {
        return reduce(ReduceOp.SUM, "sum", axes, keepDim);
    }

    public Tensor mean() {
        return mean(new int[0], false);
    }

    public Tensor mean(int... axes) {
        return mean(axes, false);
    }

    /** Arithmetic mean over the given axes (none: every axis); NaN over an empty axis. */
    public Tensor mean(int[] axes, boolean keepDim) {
        checkOpen("mean");
        Check.floating("mean", this);
        long count = reducedCount("mean", axes);
        try (Tensor s = sum(axes, keepDim)) {
            return s.div(count);
        }
    }

    /** Largest value over the given axes (none: every axis); NaN wins. */
    public Tensor max(int... axes) {
        return max(axes, false);
    }

    public Tensor max(int[] axes, boolean keepDim) {
        return reduce(ReduceOp.MAX, "max", axes, keepDim);
    }

    public Tensor min(int... axes) {
        return min(axes, false);
    }

    public Tensor min(int[] axes, boolean keepDim) {
        return reduce(ReduceOp.MIN, "min", axes, keepDim);
    }

    /** Index (int64) of the first largest value along {@code axis}. */
    public Tensor argmax(int axis, boolean keepDim) {
        return argReduce(ReduceOp.ARGMAX, "argmax", axis, keepDim);
    }

    /** Index (int64, rank 0) of the first largest value of the flattened tensor. */
    public Tensor argmax() {
        checkOpen("argmax");
        try (Tensor flat = reshape(-1)) {
            return flat.argmax(0, false);
        }
    }

    public Tensor argmin(int axis, boolean keepDim) {
        return argReduce(ReduceOp.ARGMIN, "argmin", axis, keepDim);
    }

    public Tensor argmin() {
        checkOpen("argmin");
        try (Tensor flat = reshape(-1)) {
            return flat.argmin(0, false);
        }
    }

    /** Unbiased variance (correction 1, as PyTorch) over every element. */
    public Tensor var() {
        return var(new int[0], 1, false);
    }

    /**
     * Variance {@code sum((x - mean)²) / (N - correction)} over the given axes: correction 1
     * is the unbiased estimate, 0 the biased (population) one that batch normalisation uses.
     */
    public Tensor var(int[] axes, int correction, boolean keepDim) {
        String op = "var";
        checkOpen(op);
        Check.floating(op, this);
        Check.argument(correction >= 0, op, "expected correction >= 0, got %d", correction);
        long n = reducedCount(op, axes);
        try (Tensor mean = mean(axes, true);
             Tensor centred = sub(mean);
             Tensor sq = centred.square();
             Tensor s = sq.sum(axes, keepDim)) {
            return s.div(Math.max(n - correction, 0));
        }
    }

    /**
     * {@code log(sum(exp(x)))} over the axes (none: every axis), as {@code m + log1p(S')} with m the
     * maximum ({@link SoftmaxOp}): one backend row op. Several axes are first moved to the end and
     * merged into one (a copy when the layout needs it). An empty reduction gives -inf, as PyTorch.
     */
    public Tensor logsumexp(int[] axes, boolean keepDim) {
        String op = "logsumexp";
        checkOpen(op);
        Check.floating(op, this);
        int[] ax = Check.axes(op, axes, rank());
        if (reducedCount(op, axes) == 0) {
            // No terms: log of an empty sum is -inf, as in PyTorch (max would refuse the empty axis).
            try (Tensor zero = sum(axes, keepDim)) {
                return zero.log();
            }
        }
        int[] kept = shape.dims();
        for (int a : ax) {
            kept[a] = 1;
        }
        try (Tensor rows = rowsOver(ax); Tensor lse = rows.rowOp(SoftmaxOp.LOGSUMEXP, rows.rank() - 1)) {
            return lse.reshape(keepDim ? kept : Views.removeAll(kept, ax));
        }
    }

    public Tensor logsumexp(int... axes) {
        return logsumexp(axes, false);
    }

    /**
     * This tensor with the axes {@code ax} (sorted) moved to the end and merged into one, the
     * others kept in order: a view when the strides allow, else a copy. A scalar becomes [1].
     */
    private Tensor rowsOver(int[] ax) {
        if (rank() == 0) {
            return reshape(1);
        }
        int[] order = new int[rank()];
        int[] dims = new int[rank() - ax.length + 1];
        int k = 0;
        long merged = 1;
        for (int d = 0; d < rank(); d++) {
            if (Arrays.binarySearch(ax, d) < 0) {
                dims[k] = shape.dim(d);
                order[k++] = d;
            }
        }
        for (int a : ax) {
            order[k++] = a;
            merged *= shape.dim(a);
        }
        dims[dims.length - 1] = (int) merged;
        try (Tensor moved = permute(order)) {
            return moved.reshape(dims);
        }
    }

    /** {@code op} of the backend along {@code axis} (whose size is at least 1). */
    private Tensor rowOp(SoftmaxOp op, int axis) {
        int[] dims = shape.dims();
        if (op == SoftmaxOp.LOGSUMEXP) {
            dims[axis] = 1;
        }
        Tensor r = newTensor(Shape.of(dims), dtype);
        backend.softmax(op, view(), axis, r.view());
        return r;
    }

    /** {@code exp(x) / sum(exp(x))} along {@code axis}, shifted by the maximum: one backend row op ({@link SoftmaxOp}). */
    public Tensor softmax(int axis) {
        return softmaxFamily(SoftmaxOp.SOFTMAX, axis);
    }

    /**
     * Log-probabilities along {@code axis}: {@code (x - m) - log1p(S')}, with m the maximum and S'
     * the sum of {@code exp(x - m)} without one term at the maximum ({@link SoftmaxOp}), so that
     * the log-probabilities of a confident row, near 0, keep full relative precision.
     */
    public Tensor logSoftmax(int axis) {
        return softmaxFamily(SoftmaxOp.LOG_SOFTMAX, axis);
    }

    private Tensor softmaxFamily(SoftmaxOp op, int axis) {
        String name = op.label();
        checkOpen(name);
        Check.floating(name, this);
        int a = Check.axis(name, axis, rank());
        if (numel() == 0) {
            return contiguous();
        }
        if (rank() == 0) {
            try (Tensor row = reshape(1); Tensor r = row.rowOp(op, 0)) {
                return r.reshape();
            }
        }
        return rowOp(op, a);
    }

    /**
     * The p-norm over every element: p = 1 (sum of |x|), 2 (Euclidean), infinity (max |x|),
     * or any other p > 0 as {@code (sum |x|^p)^(1/p)}.
     */
    public Tensor norm(double p) {
        return norm(p, new int[0], false);
    }

    public Tensor norm(double p, int[] axes, boolean keepDim) {
        String op = "norm";
        checkOpen(op);
        Check.floating(op, this);
        Check.argument(p > 0, op, "expected p > 0 (1, 2, infinity, ...), got %s", p);
        try (Tensor a = abs()) {
            if (p == Double.POSITIVE_INFINITY) {
                return numel() == 0 ? a.sum(axes, keepDim) : a.max(axes, keepDim);
            }
            if (p == 1) {
                return a.sum(axes, keepDim);
            }
            try (Tensor powered = p == 2 ? a.square() : a.pow(p); Tensor s = powered.sum(axes, keepDim)) {
                return p == 2 ? s.sqrt() : s.pow(1 / p);
            }
        }
    }

    // ---------------------------------------------------------------- matmul

    /**
     * Matrix product with NumPy's rules: vector·vector is a dot product (rank 0),
     * matrix·vector and vector·matrix drop the vector's dimension, and leading batch
     * dimensions broadcast.
     */
    public Tensor matmul(Tensor other) {
        String op = "matmul";
        checkOpen(op);
        other.checkOpen(op);
        Check.sameDType(op, this, other);
        Check.sameDevice(op, this, other);
        Check.floating(op, this);
        Check.argument(rank() >= 1 && other.rank() >= 1, op, "expected tensors of rank >= 1, got shapes %s and %s",
                shape, other.shape);
        int[] a = rank() == 1 ? new int[] {1, size(0)} : shape.dims();
        int[] b = other.rank() == 1 ? new int[] {other.size(0), 1} : other.shape.dims();
        int k = a[a.length - 1];
        int kb = b[b.length - 2];
        if (k != kb) {
            throw Check.fail(op, "shapes %s and %s do not align: %d != %d", shape, other.shape, k, kb);
        }
        Shape batch = Shape.broadcast(op, Shape.of(Arrays.copyOf(a, a.length - 2)), Shape.of(Arrays.copyOf(b, b.length - 2)));
        int m = a[a.length - 2];
        int n = b[b.length - 1];
        try (Tensor a2 = reshape(a); Tensor b2 = other.reshape(b)) {
            Shape outShape = Shape.of(concat(batch.dims(), m, n));
            Tensor out = newTensor(outShape, dtype);
            backend.matmul(a2.broadcastView(Shape.of(concat(batch.dims(), m, k))),
                    b2.broadcastView(Shape.of(concat(batch.dims(), k, n))), out.view());
            if (rank() > 1 && other.rank() > 1) {
                return out;
            }
            try (out) {
                int[] dims = outShape.dims();
                int keep = dims.length - (rank() == 1 ? 1 : 0) - (other.rank() == 1 ? 1 : 0);
                int[] finalDims = new int[keep];
                int j = 0;
                for (int i = 0; i < dims.length; i++) {
                    boolean dropM = rank() == 1 && i == dims.length - 2;
                    boolean dropN = other.rank() == 1 && i == dims.length - 1;
                    if (!dropM && !dropN) {
                        finalDims[j++] = dims[i];
                    }
                }
                return out.reshape(finalDims);
            }
        }
    }

    private static int[] concat(int[] head, int x, int y) {
        int[] r = Arrays.copyOf(head, head.length + 2);
        r[head.length] = x;
        r[head.length + 1] = y;
        return r;
    }

    // ---------------------------------------------------------------- views

    /**
     * The same elements in a new shape; one size may be -1 (inferred). A view when the
     * strides allow it, otherwise a contiguous copy (as PyTorch's reshape).
     */
    public Tensor reshape(int... dims) {
        checkOpen("reshape");
        Shape target = inferShape("reshape", dims);
        long[] s = Views.reshapeStrides(shape.dims(), strides, target.dims());
        if (s != null) {
            return derive(target, s, offset);
        }
        try (Tensor c = contiguous()) {
            return c.reshape(dims);
        }
    }

    /** As {@link #reshape}, but never copies: throws when the strides do not allow a view. */
    public Tensor view(int... dims) {
        checkOpen("view");
        Shape target = inferShape("view", dims);
        long[] s = Views.reshapeStrides(shape.dims(), strides, target.dims());
        if (s == null) {
            throw Check.fail("view", "a tensor of shape %s with strides %s cannot be viewed as %s without a copy;"
                    + " use reshape() or contiguous()", shape, Arrays.toString(strides), target);
        }
        return derive(target, s, offset);
    }

    /** A rank-1 view (or copy) of every element. */
    public Tensor flatten() {
        checkOpen("flatten");
        return reshape(-1);
    }

    private Shape inferShape(String op, int[] dims) {
        int infer = -1;
        long known = 1;
        for (int i = 0; i < dims.length; i++) {
            if (dims[i] == -1) {
                Check.argument(infer < 0, op, "only one size may be -1, got %s", Arrays.toString(dims));
                infer = i;
            } else if (dims[i] < 0) {
                throw Check.fail(op, "expected sizes >= 0 or -1, got %s", Arrays.toString(dims));
            } else {
                known *= dims[i];
            }
        }
        int[] d = dims.clone();
        if (infer >= 0) {
            Check.argument(known != 0 && numel() % known == 0, op, "cannot infer -1 in %s for %d elements",
                    Arrays.toString(dims), numel());
            d[infer] = (int) (numel() / known);
        }
        Shape target = Shape.of(d);
        Check.argument(target.numel() == numel(), op, "shape %s (%d elements) does not match %s (%d elements)",
                target, target.numel(), shape, numel());
        return target;
    }

    /** Dimensions reordered: result axis i is this tensor's axis {@code order[i]}. */
    public Tensor permute(int... order) {
        String op = "permute";
        checkOpen(op);
        Check.argument(order.length == rank(), op, "expected %d axes for shape %s, got %s", rank(), shape,
                Arrays.toString(order));
        int[] axes = Check.axes(op, order, rank());
        assert axes.length == rank();
        int[] dims = new int[rank()];
        long[] s = new long[rank()];
        for (int i = 0; i < rank(); i++) {
            int from = Check.axis(op, order[i], rank());
            dims[i] = shape.dim(from);
            s[i] = strides[from];
        }
        return derive(Shape.of(dims), s, offset);
    }

    /** Axes {@code a} and {@code b} swapped. */
    public Tensor transpose(int a, int b) {
        String op = "transpose";
        checkOpen(op);
        int x = Check.axis(op, a, rank());
        int y = Check.axis(op, b, rank());
        if (rank() == 0) {
            // Axis 0 (or -1) of a scalar names no real axis: there is nothing to swap.
            return permute();
        }
        int[] order = new int[rank()];
        for (int i = 0; i < rank(); i++) {
            order[i] = i;
        }
        order[x] = y;
        order[y] = x;
        return permute(order);
    }

    /** The transpose of a matrix (rank 2; a vector is returned as a view unchanged). */
    public Tensor t() {
        checkOpen("t");
        Check.argument(rank() <= 2, "t", "expected rank <= 2, got shape %s; use transpose(a, b)", shape);
        return rank() < 2 ? derive(shape, strides, offset) : transpose(0, 1);
    }

    /** {@code length} elements of {@code axis} from {@code start}. */
    public Tensor narrow(int axis, int start, int length) {
        String op = "narrow";
        checkOpen(op);
        int a = Check.axis(op, axis, rank());
        Check.argument(rank() > 0, op, "cannot narrow a scalar");
        int size = shape.dim(a);
        Check.argument(start >= 0 && length >= 0 && start + (long) length <= size, op,
                "range [%d, %d) is outside axis %d of size %d", start, start + (long) length, a, size);
        int[] dims = shape.dims();
        dims[a] = length;
        return derive(Shape.of(dims), strides, offset + start * strides[a]);
    }

    /** Elements {@code start, start+step, ...} before {@code end} along {@code axis}; negative bounds count from the end. */
    public Tensor slice(int axis, int start, int end, int step) {
        String op = "slice";
        checkOpen(op);
        Check.argument(rank() > 0, op, "cannot slice a scalar");
        Check.argument(step > 0, op, "expected step > 0, got %d", step);
        int a = Check.axis(op, axis, rank());
        int size = shape.dim(a);
        int lo = Math.min(Math.max(start < 0 ? start + size : start, 0), size);
        int hi = Math.min(Math.max(end < 0 ? end + size : end, lo), size);
        int[] dims = shape.dims();
        dims[a] = (hi - lo + step - 1) / step;
        long[] s = strides.clone();
        s[a] = strides[a] * step;
        return derive(Shape.of(dims), s, offset + lo * strides[a]);
    }

    /** The sub-tensor at {@code index} of {@code axis}, which disappears (rank drops by one). */
    public Tensor select(int axis, int index) {
        String op = "select";
        checkOpen(op);
        Check.argument(rank() > 0, op, "cannot select from a scalar");
        int a = Check.axis(op, axis, rank());
        int size = shape.dim(a);
        int i = index < 0 ? index + size : index;
        Check.argument(i >= 0 && i < size, op, "index %d is outside axis %d of size %d", index, a, size);
        return derive(Shape.of(Views.remove(shape.dims(), a)), Views.remove(strides, a), offset + i * strides[a]);
    }

    /** Size-1 dimensions repeated (stride 0) to the given sizes; -1 keeps a size. */
    public Tensor expand(int... dims) {
        String op = "expand";
        checkOpen(op);
        Check.argument(dims.length >= rank(), op, "cannot expand shape %s to fewer dimensions %s", shape,
                Arrays.toString(dims));
        int[] d = dims.clone();
        int lead = dims.length - rank();
        for (int i = 0; i < rank(); i++) {
            if (d[lead + i] == -1) {
                d[lead + i] = shape.dim(i);
            }
        }
        for (int size : d) {
            Check.argument(size >= 0, op, "expected sizes >= 0, or -1 to keep an existing size, got %s",
                    Arrays.toString(dims));
        }
        Shape target = Shape.of(d);
        Check.argument(shape.broadcastsTo(target), op, "shape %s cannot expand to %s", shape, target);
        return broadcastTo(target);
    }

    /** A view of this tensor broadcast to {@code target} (NumPy rules), copying nothing. */
    public Tensor broadcastTo(Shape target) {
        String op = "broadcastTo";
        checkOpen(op);
        Check.argument(shape.broadcastsTo(target), op, "shape %s does not broadcast to %s", shape, target);
        return derive(target, Views.broadcastStrides(shape.dims(), strides, target.dims()), offset);
    }

    /** Every size-1 dimension removed. */
    public Tensor squeeze() {
        checkOpen("squeeze");
        int count = 0;
        for (int d : shape.dims()) {
            count += d == 1 ? 1 : 0;
        }
        int[] axes = new int[count];
        int j = 0;
        for (int i = 0; i < rank(); i++) {
            if (shape.dim(i) == 1) {
                axes[j++] = i;
            }
        }
        return squeezeAxes(axes);
    }

    /** Dimension {@code axis} removed; it must have size 1. */
    public Tensor squeeze(int axis) {
        String op = "squeeze";
        checkOpen(op);
        int a = Check.axis(op, axis, rank());
        Check.argument(rank() > 0 && shape.dim(a) == 1, op, "axis %d of shape %s has size %d, expected 1", a,
                shape, rank() > 0 ? shape.dim(a) : 0);
        return squeezeAxes(new int[] {a});
    }

    private Tensor squeezeAxes(int[] sortedAxes) {
        int[] dims = shape.dims();
        long[] s = strides;
        for (int i = sortedAxes.length - 1; i >= 0; i--) {
            dims = Views.remove(dims, sortedAxes[i]);
            s = Views.remove(s, sortedAxes[i]);
        }
        return derive(Shape.of(dims), s, offset);
    }

    /** A size-1 dimension inserted at {@code axis} (which may be {@code rank()}). */
    public Tensor unsqueeze(int axis) {
        String op = "unsqueeze";
        checkOpen(op);
        int a = axis < 0 ? axis + rank() + 1 : axis;
        Check.argument(a >= 0 && a <= rank(), op, "axis %d is out of range for a tensor of rank %d (expected %d..%d)",
                axis, rank(), -rank() - 1, rank());
        int[] dims = Views.insert(shape.dims(), a, 1);
        long inner = a < rank() ? strides[a] * shape.dim(a) : 1;
        return derive(Shape.of(dims), Views.insert(strides, a, inner), offset);
    }

    /** This tensor in row-major order: a view when already so, else a copy. */
    public Tensor contiguous() {
        checkOpen("contiguous");
        if (isContiguous()) {
            return derive(shape, shape.contiguousStrides(), offset);
        }
        return copy();
    }

    /** A new contiguous tensor with the same values. */
    public Tensor copy() {
        checkOpen("copy");
        Tensor r = newTensor(shape, dtype);
        backend.copy(view(), r.view());
        return r;
    }

    // ---------------------------------------------------------------- joining and indexing

    /** Tensors joined along an existing axis; all other sizes must agree. */
    public static Tensor concat(List<Tensor> tensors, int axis) {
        String op = "concat";
        Check.argument(!tensors.isEmpty(), op, "expected at least one tensor");
        Tensor first = tensors.get(0);
        first.checkOpen(op);
        Check.argument(first.rank() > 0, op, "cannot concatenate scalars; use stack");
        int a = Check.axis(op, axis, first.rank());
        int total = 0;
        for (int i = 0; i < tensors.size(); i++) {
            Tensor t = tensors.get(i);
            t.checkOpen(op);
            Check.sameDType(op, first, t);
            Check.sameDevice(op, first, t);
            Check.argument(t.rank() == first.rank(), op, "tensor %d has rank %d, expected %d", i, t.rank(), first.rank());
            for (int d = 0; d < first.rank(); d++) {
                Check.argument(d == a || t.size(d) == first.size(d), op,
                        "tensor %d has shape %s, expected size %d at axis %d as in %s", i, t.shape, first.size(d), d,
                        first.shape);
            }
            total += t.size(a);
        }
        int[] dims = first.shape.dims();
        dims[a] = total;
        Tensor out = first.newTensor(Shape.of(dims), first.dtype);
        int at = 0;
        for (Tensor t : tensors) {
            try (Tensor part = out.narrow(a, at, t.size(a))) {
                first.backend.copy(t.view(), part.view());
            }
            at += t.size(a);
        }
        return out;
    }

    /** Tensors of one shape joined along a new axis. */
    public static Tensor stack(List<Tensor> tensors, int axis) {
        String op = "stack";
        Check.argument(!tensors.isEmpty(), op, "expected at least one tensor");
        Shape s = tensors.get(0).shape;
        for (int i = 0; i < tensors.size(); i++) {
            tensors.get(i).checkOpen(op);
            Check.sameDType(op, tensors.get(0), tensors.get(i));
            Check.sameDevice(op, tensors.get(0), tensors.get(i));
            Check.argument(tensors.get(i).shape.equals(s), "stack", "tensor %d has shape %s, expected %s", i,
                    tensors.get(i).shape, s);
        }
        Tensor[] parts = new Tensor[tensors.size()];
        try {
            for (int i = 0; i < parts.length; i++) {
                parts[i] = tensors.get(i).unsqueeze(axis);
            }
            return concat(Arrays.asList(parts), axis);
        } finally {
            for (Tensor p : parts) {
                if (p != null) {
                    p.close();
                }
            }
        }
    }

    /**
     * {@code out[i][j][k] = this[i][index[i][j][k]][k]} for axis 1 (likewise for any axis), as
     * {@code torch.gather}: {@code index} (int32/int64) has this tensor's rank and no larger
     * sizes off the axis; the result has the index's shape.
     */
    public Tensor gather(int axis, Tensor index) {
        String op = "gather";
        checkOpen(op);
        index.checkOpen(op);
        Check.sameDevice(op, this, index);
        checkIndexDType(op, index);
        int a = Check.axis(op, axis, rank());
        Check.argument(index.rank() == rank(), op, "index has rank %d, expected %d (the rank of %s)", index.rank(),
                rank(), shape);
        for (int d = 0; d < rank(); d++) {
            Check.argument(d == a || index.size(d) <= size(d), op, "index shape %s exceeds source shape %s at axis %d",
                    index.shape, shape, d);
        }
        Tensor out = newTensor(index.shape, dtype);
        try {
            backend.gather(view(), a, index.view(), out.view());
        } catch (IndexOutOfRangeException e) {
            out.close();
            throw e;
        } catch (IndexOutOfBoundsException e) {
            out.close();
            throw new IndexOutOfBoundsException(op + ": " + e.getMessage());
        }
        return out;
    }

    /** The entries {@code index[0], index[1], ...} (a vector of int32/int64) along {@code axis}. */
    public Tensor indexSelect(int axis, Tensor index) {
        String op = "indexSelect";
        checkOpen(op);
        index.checkOpen(op);
        checkIndexDType(op, index);
        Check.argument(index.rank() == 1, op, "expected a vector of indices, got shape %s", index.shape);
        int a = Check.axis(op, axis, rank());
        int[] dims = shape.dims();
        dims[a] = index.size(0);
        int[] along = new int[rank()];
        Arrays.fill(along, 1);
        along[a] = index.size(0);
        try (Tensor idx = index.reshape(along); Tensor expanded = idx.broadcastTo(Shape.of(dims))) {
            return gather(a, expanded);
        } catch (IndexOutOfRangeException e) {
            // the position in the expanded index, as a position in the vector of indices
            long after = 1;
            for (int d = a + 1; d < dims.length; d++) {
                after *= dims[d];
            }
            throw e.as(op, e.position() / after % index.size(0));
        } catch (IndexOutOfBoundsException e) {
            throw new IndexOutOfBoundsException(e.getMessage().replaceFirst("^gather: ", op + ": "));
        }
    }

    private static void checkIndexDType(String op, Tensor index) {
        Check.argument(index.dtype == DType.INT64 || index.dtype == DType.INT32, op,
                "expected int64 or int32 indices, got %s", index.dtype);
    }

    // ---------------------------------------------------------------- conversion

    /** This tensor converted to {@code target} (a view of this one when the dtype is the same). */
    public Tensor to(DType target) {
        checkOpen("to");
        if (target == dtype) {
            return derive(shape, strides, offset);
        }
        Tensor r = newTensor(shape, target);
        backend.copy(view(), r.view());
        return r;
    }

    /** This tensor copied to {@code target} (a view when it is already there). */
    public Tensor to(Device target) {
        checkOpen("to");
        if (target.equals(device())) {
            return derive(shape, strides, offset);
        }
        Backend dst = Backends.forDevice(target);
        Object host = hostArray("to");
        Tensor r = allocate(dst, target, dtype, shape);
        dst.copyFromHost(host, 0, r.data.storage(), 0, HostArrays.length(host));
        return r;
    }

    /** The single value of a one-element tensor. */
    public double item() {
        checkOpen("item");
        Check.argument(numel() == 1, "item", "expected one element, got shape %s", shape);
        return toDoubleArray()[0];
    }

    /**
     * The values of several one-element tensors on one device, in one read from it: a step's
     * scalars (its loss, its gradient norm, ...) cost one synchronisation of a GPU, not one each.
     * They are gathered into one float64 tensor on the device (converted from their dtypes) and
     * read together.
     */
    public static double[] items(Tensor... scalars) {
        String op = "items";
        Check.argument(scalars.length > 0, op, "expected at least one tensor");
        for (int i = 0; i < scalars.length; i++) {
            scalars[i].checkOpen(op);
            Check.argument(scalars[i].numel() == 1, op, "expected one-element tensors, got shape %s at %d",
                    scalars[i].shape, i);
            Check.sameDevice(op, scalars[0], scalars[i]);
        }
        if (scalars.length == 1) {
            return new double[] {scalars[0].item()};
        }
        try (Tensor all = scalars[0].newTensor(Shape.of(scalars.length), DType.FLOAT64)) {
            for (int i = 0; i < scalars.length; i++) {
                try (Tensor slot = all.narrow(0, i, 1); Tensor value = scalars[i].reshape(1)) {
                    all.backend.copy(value.view(), slot.view());
                }
            }
            return all.toDoubleArray();
        }
    }

    /** Every element in row-major order, converted to float. */
    public float[] toFloatArray() {
        return (float[]) hostArray("toFloatArray", DType.FLOAT32);
    }

    /** Every element in row-major order, converted to double. */
    public double[] toDoubleArray() {
        return (double[]) hostArray("toDoubleArray", DType.FLOAT64);
    }

    /** Every element in row-major order, converted to int (floats truncate toward zero). */
    public int[] toIntArray() {
        return (int[]) hostArray("toIntArray", DType.INT32);
    }

    /** Every element in row-major order, converted to long (floats truncate toward zero). */
    public long[] toLongArray() {
        return (long[]) hostArray("toLongArray", DType.INT64);
    }

    private Object hostArray(String op, DType as) {
        checkOpen(op);
        if (as == dtype) {
            return hostArray(op);
        }
        try (Tensor converted = to(as)) {
            return converted.hostArray(op);
        }
    }

    private Object hostArray(String op) {
        int n = hostLength(op, shape);
        Object array = HostArrays.allocate(dtype, n);
        if (n == 0) {
            return array;
        }
        if (isContiguous()) {
            backend.copyToHost(data.storage(), offset, array, 0, n);
        } else {
            try (Tensor c = copy()) {
                backend.copyToHost(c.data.storage(), c.offset, array, 0, n);
            }
        }
        return array;
    }

    // ---------------------------------------------------------------- memory

    /** Releases this tensor's hold on its storage (freed when no view uses it). Idempotent. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            data.release();
        }
    }

    /**
     * Whether this tensor is the only open handle on its memory and spans all of it, contiguous
     * from its start: no view or other handle can see a change to it, so whoever owns it may
     * hand the memory over as another value's (autograd adopts a leaf's first gradient this way,
     * instead of copying it).
     */
    public boolean ownsMemoryAlone() {
        return !closed && data.users() == 1 && offset == 0 && isContiguous()
                && numel() == data.storage().elements();
    }

    /** Throws when this tensor was closed; {@code op} names the caller in the message. */
    public void checkOpen(String op) {
        if (closed) {
            throw new IllegalStateException(op + ": tensor " + dtype + shape + " on " + device()
                    + " was already closed (released by close() or by its Scope)");
        }
    }

    @Override
    public String toString() {
        return closed ? "Tensor(" + describe() + ")" : TensorFormat.format(this);
    }

    // ---------------------------------------------------------------- internals

    /**
     * How the backend sees this tensor: storage, offset, shape and strides. For backend
     * authors, fused kernels and benchmarks; user code has no need of it.
     */
    public StridedView stridedView() {
        checkOpen("stridedView");
        return view();
    }

    /** The backend that owns this tensor's storage. */
    public Backend backend() {
        return backend;
    }

    StridedView view() {
        return new StridedView(data.storage(), dtype, offset, shape.dims(), strides);
    }

    private StridedView broadcastView(Shape target) {
        if (target.equals(shape)) {
            return view();
        }
        return new StridedView(data.storage(), dtype, offset, target.dims(),
                Views.broadcastStrides(shape.dims(), strides, target.dims()));
    }

    private Tensor derive(Shape s, long[] st, long off) {
        return new Tensor(backend, data.retain(), dtype, s, st, off);
    }

    private Tensor newTensor(Shape s, DType dt) {
        return allocate(backend, device(), dt, s);
    }

    private Tensor unary(UnaryOp op) {
        checkOpen(op.label());
        if (op.floatingOnly()) {
            Check.floating(op.label(), this);
        }
        Tensor r = newTensor(shape, dtype);
        backend.unary(op, view(), r.view());
        return r;
    }

    private Tensor unaryInPlace(UnaryOp op) {
        checkOpen(op.label());
        if (op.floatingOnly()) {
            Check.floating(op.label(), this);
        }
        backend.unary(op, view(), view());
        return this;
    }

    private void checkBinary(BinaryOp op, Tensor other) {
        checkOpen(op.label());
        other.checkOpen(op.label());
        Check.sameDType(op.label(), this, other);
        Check.sameDevice(op.label(), this, other);
        if (op.floatingOnly()) {
            Check.floating(op.label(), this);
        }
    }

    private Tensor binary(BinaryOp op, Tensor other) {
        checkBinary(op, other);
        Shape out = Shape.broadcast(op.label(), shape, other.shape);
        Tensor r = newTensor(out, dtype);
        backend.binary(op, broadcastView(out), other.broadcastView(out), r.view());
        return r;
    }

    private Tensor binaryInPlace(BinaryOp op, Tensor other) {
        checkBinary(op, other);
        Check.argument(other.shape.broadcastsTo(shape), op.label() + "InPlace",
                "shape %s does not broadcast to this tensor's shape %s", other.shape, shape);
        backend.binary(op, view(), other.broadcastView(shape), view());
        return this;
    }

    private void checkScalar(BinaryOp op, double s) {
        checkOpen(op.label());
        if (op.floatingOnly()) {
            Check.floating(op.label(), this);
        }
        if (!dtype.isFloating() && s != Math.rint(s)) {
            throw Check.fail(op.label(), "scalar %s is not a whole number but the tensor is %s", s, dtype);
        }
    }

    private Tensor binaryScalar(BinaryOp op, double s) {
        checkScalar(op, s);
        Tensor r = newTensor(shape, dtype);
        backend.binaryScalar(op, view(), s, r.view());
        return r;
    }

    private Tensor binaryScalarInPlace(BinaryOp op, double s) {
        checkScalar(op, s);
        backend.binaryScalar(op, view(), s, view());
        return this;
    }

    private long reducedCount(String op, int[] axes) {
        long n = 1;
        for (int a : Check.axes(op, axes, rank())) {
            n *= shape.dim(a);
        }
        return n;
    }

    private Tensor reduce(ReduceOp op, String name, int[] axes, boolean keepDim) {
        checkOpen(name);
        int[] ax = Check.axes(name, axes, rank());
        int[] dims = shape.dims();
        for (int a : ax) {
            if (op != ReduceOp.SUM && dims[a] == 0) {
                throw Check.fail(name, "cannot reduce axis %d of size 0 in shape %s", a, shape);
            }
            dims[a] = 1;
        }
        Tensor r = newTensor(Shape.of(dims), dtype);
        backend.reduce(op, view(), ax, r.view());
        if (keepDim) {
            return r;
        }
        try (r) {
            return r.squeezeAxes(ax);
        }
    }

    private Tensor argReduce(ReduceOp op, String name, int axis, boolean keepDim) {
        checkOpen(name);
        int a = Check.axis(name, axis, rank());
        if (rank() == 0) {
            return full(device(), DType.INT64, 0);
        }
        Check.argument(shape.dim(a) > 0, name, "cannot reduce axis %d of size 0 in shape %s", a, shape);
        int[] dims = shape.dims();
        dims[a] = 1;
        Tensor r = newTensor(Shape.of(dims), DType.INT64);
        backend.reduce(op, view(), new int[] {a}, r.view());
        if (keepDim) {
            return r;
        }
        try (r) {
            return r.squeezeAxes(new int[] {a});
        }
    }
}
