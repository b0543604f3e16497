package dev.descent.conformance;

import dev.descent.core.DType;
import java.util.Arrays;
import java.util.List;
import java.util.function.DoubleBinaryOperator;
import java.util.function.DoubleUnaryOperator;
import java.util.function.ToDoubleFunction;

/**
 * The float64 reference that every backend is compared with: a shape and its elements in
 * row-major order, and each tensor op written as the plainest loop that states its
 * definition. Speed does not matter here; being obviously right does. Nothing in this class
 * calls a backend or the tensor API, so a bug there cannot hide in both sides of a comparison.
 *
 * <p>Instances are immutable. Indices are {@code int[]} with one entry per dimension; a
 * rank-0 array has the empty index and one element.
 */
public final class RefArray {
    private final int[] shape;
    private final double[] data;

    private RefArray(int[] shape, double[] data, boolean trusted) {
        this.shape = trusted ? shape : shape.clone();
        this.data = trusted ? data : data.clone();
        if (numel(this.shape) != this.data.length) {
            throw new IllegalArgumentException("RefArray: " + this.data.length + " values do not fill shape "
                    + Arrays.toString(shape));
        }
    }

    /** The array of the given shape holding {@code data} in row-major order (both copied). */
    public static RefArray of(int[] shape, double... data) {
        return new RefArray(shape, data, false);
    }

    /** Every element equal to {@code value}. */
    public static RefArray full(double value, int... shape) {
        double[] d = new double[numel(shape)];
        Arrays.fill(d, value);
        return new RefArray(shape.clone(), d, true);
    }

    /** {@code 0, 1, 2, ...} in row-major order: pushed through a view op it tells where each element came from. */
    public static RefArray iota(int... shape) {
        double[] d = new double[numel(shape)];
        for (int i = 0; i < d.length; i++) {
            d[i] = i;
        }
        return new RefArray(shape.clone(), d, true);
    }

    public int[] shape() {
        return shape.clone();
    }

    /** The elements in row-major order (a copy). */
    public double[] data() {
        return data.clone();
    }

    public int rank() {
        return shape.length;
    }

    public int numel() {
        return data.length;
    }

    /** The element at {@code index}. */
    public double get(int... index) {
        return data[ravel(index, shape)];
    }

    /** The element at row-major position {@code flat}. */
    public double flat(int flat) {
        return data[flat];
    }

    @Override
    public String toString() {
        return "RefArray" + Arrays.toString(shape) + " " + (data.length <= 20 ? Arrays.toString(data)
                : Arrays.toString(Arrays.copyOf(data, 20)) + "...");
    }

    // ---------------------------------------------------------------- index helpers

    /** The product of the sizes (1 for rank 0). */
    public static int numel(int[] shape) {
        int n = 1;
        for (int d : shape) {
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    /** The index of row-major position {@code flat} in {@code shape}. */
    public static int[] unravel(int flat, int[] shape) {
        int[] index = new int[shape.length];
        for (int d = shape.length - 1; d >= 0; d--) {
            index[d] = flat % shape[d];
            flat /= shape[d];
        }
        return index;
    }

    /** The row-major position of {@code index} in {@code shape}. */
    public static int ravel(int[] index, int[] shape) {
        if (index.length != shape.length) {
            throw new IllegalArgumentException("RefArray: index " + Arrays.toString(index) + " for shape "
                    + Arrays.toString(shape));
        }
        int flat = 0;
        for (int d = 0; d < shape.length; d++) {
            if (index[d] < 0 || index[d] >= shape[d]) {
                throw new IndexOutOfBoundsException("RefArray: index " + Arrays.toString(index) + " outside shape "
                        + Arrays.toString(shape));
            }
            flat = flat * shape[d] + index[d];
        }
        return flat;
    }

    private static int axis(int axis, int rank) {
        int a = axis < 0 ? axis + rank : axis;
        if (a < 0 || a >= rank) {
            throw new IllegalArgumentException("RefArray: axis " + axis + " for rank " + rank);
        }
        return a;
    }

    /** Which axes are reduced: none given means every axis. */
    private boolean[] reducedAxes(int[] axes) {
        boolean[] reduced = new boolean[rank()];
        if (axes.length == 0) {
            Arrays.fill(reduced, true);
        }
        for (int a : axes) {
            if (rank() > 0) {
                reduced[axis(a, rank())] = true;
            }
        }
        return reduced;
    }

    // ---------------------------------------------------------------- broadcasting and elementwise

    /** NumPy broadcasting of several shapes: aligned from the right, sizes equal or 1. Null if they do not broadcast. */
    public static int[] broadcastShapes(int[]... shapes) {
        int rank = 0;
        for (int[] s : shapes) {
            rank = Math.max(rank, s.length);
        }
        int[] out = new int[rank];
        Arrays.fill(out, 1);
        for (int[] s : shapes) {
            for (int i = 0; i < s.length; i++) {
                int o = rank - s.length + i;
                if (s[i] != 1) {
                    if (out[o] != 1 && out[o] != s[i]) {
                        return null;
                    }
                    out[o] = s[i];
                }
            }
        }
        return out;
    }

    /** The element this array contributes at {@code outIndex} of a broadcast result (right-aligned; size 1 repeats). */
    private double atBroadcast(int[] outIndex) {
        return data[broadcastPosition(outIndex)];
    }

    /** The row-major position of the element this array contributes at {@code outIndex} of a broadcast result. */
    private int broadcastPosition(int[] outIndex) {
        int[] index = new int[rank()];
        int lead = outIndex.length - rank();
        for (int i = 0; i < rank(); i++) {
            index[i] = shape[i] == 1 ? 0 : outIndex[lead + i];
        }
        return ravel(index, shape);
    }

    /** This array repeated along size-1 and missing leading dimensions to {@code target}. */
    public RefArray broadcastTo(int... target) {
        int[] check = broadcastShapes(shape, target);
        if (check == null || !Arrays.equals(check, target)) {
            throw new IllegalArgumentException("RefArray: " + Arrays.toString(shape) + " does not broadcast to "
                    + Arrays.toString(target));
        }
        double[] out = new double[numel(target)];
        for (int i = 0; i < out.length; i++) {
            out[i] = atBroadcast(unravel(i, target));
        }
        return new RefArray(target.clone(), out, true);
    }

    /** {@code f} applied to every element. */
    public RefArray map(DoubleUnaryOperator f) {
        double[] out = new double[data.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = f.applyAsDouble(data[i]);
        }
        return new RefArray(shape, out, true);
    }

    /** {@code f(a, b)} elementwise after broadcasting both to one shape. */
    public static RefArray zip(RefArray a, RefArray b, DoubleBinaryOperator f) {
        int[] out = broadcastShapes(a.shape, b.shape);
        if (out == null) {
            throw new IllegalArgumentException("RefArray: shapes " + Arrays.toString(a.shape) + " and "
                    + Arrays.toString(b.shape) + " do not broadcast");
        }
        double[] r = new double[numel(out)];
        for (int i = 0; i < r.length; i++) {
            int[] index = unravel(i, out);
            r[i] = f.applyAsDouble(a.atBroadcast(index), b.atBroadcast(index));
        }
        return new RefArray(out, r, true);
    }

    /** {@code cond != 0 ? a : b} elementwise, all three broadcast to one shape. */
    public static RefArray where(RefArray cond, RefArray a, RefArray b) {
        int[] out = broadcastShapes(cond.shape, a.shape, b.shape);
        if (out == null) {
            throw new IllegalArgumentException("RefArray: shapes do not broadcast");
        }
        double[] r = new double[numel(out)];
        for (int i = 0; i < r.length; i++) {
            int[] index = unravel(i, out);
            r[i] = cond.atBroadcast(index) != 0 ? a.atBroadcast(index) : b.atBroadcast(index);
        }
        return new RefArray(out, r, true);
    }

    /** Larger of two values; NaN wins (as the tensor API documents). */
    public static double maxNaN(double x, double y) {
        if (Double.isNaN(x) || Double.isNaN(y)) {
            return Double.NaN;
        }
        return x >= y ? x : y;
    }

    /** Smaller of two values; NaN wins. */
    public static double minNaN(double x, double y) {
        if (Double.isNaN(x) || Double.isNaN(y)) {
            return Double.NaN;
        }
        return x <= y ? x : y;
    }

    /** The values as {@code dtype} holds them: float32 rounds to nearest, integer types truncate toward zero. */
    public RefArray cast(DType dtype) {
        return map(v -> castValue(v, dtype));
    }

    /** One value as {@code dtype} holds it. */
    public static double castValue(double v, DType dtype) {
        return switch (dtype) {
            case FLOAT64 -> v;
            case FLOAT32 -> (float) v;
            case INT32 -> (int) v;
            case INT64 -> (long) v;
        };
    }

    // ---------------------------------------------------------------- reductions

    /**
     * Reduces over {@code axes} (none: every axis): each output element is {@code f} of the
     * group of input elements that differ from it only along the reduced axes, listed in
     * row-major order (so along a single axis, in index order).
     */
    public RefArray reduce(int[] axes, boolean keepDim, ToDoubleFunction<double[]> f) {
        boolean[] reduced = reducedAxes(axes);
        int[] kept = shape.clone();
        int groupSize = 1;
        for (int d = 0; d < rank(); d++) {
            if (reduced[d]) {
                groupSize *= shape[d];
                kept[d] = 1;
            }
        }
        int outCount = numel(kept);
        double[][] groups = new double[outCount][groupSize];
        int[] filled = new int[outCount];
        for (int i = 0; i < data.length; i++) {
            int[] index = unravel(i, shape);
            for (int d = 0; d < rank(); d++) {
                if (reduced[d]) {
                    index[d] = 0;
                }
            }
            int o = ravel(index, kept);
            groups[o][filled[o]++] = data[i];
        }
        double[] out = new double[outCount];
        for (int o = 0; o < outCount; o++) {
            out[o] = f.applyAsDouble(groups[o]);
        }
        int[] outShape = kept;
        if (!keepDim) {
            int r = 0;
            for (boolean b : reduced) {
                r += b ? 0 : 1;
            }
            outShape = new int[r];
            int j = 0;
            for (int d = 0; d < rank(); d++) {
                if (!reduced[d]) {
                    outShape[j++] = shape[d];
                }
            }
        }
        return new RefArray(outShape, out, true);
    }

    public RefArray sum(int[] axes, boolean keepDim) {
        return reduce(axes, keepDim, RefArray::sumOf);
    }

    /** Largest value; NaN wins. */
    public RefArray max(int[] axes, boolean keepDim) {
        return reduce(axes, keepDim, g -> {
            double m = Double.NEGATIVE_INFINITY;
            for (double v : g) {
                m = maxNaN(m, v);
            }
            return m;
        });
    }

    /** Smallest value; NaN wins. */
    public RefArray min(int[] axes, boolean keepDim) {
        return reduce(axes, keepDim, g -> {
            double m = Double.POSITIVE_INFINITY;
            for (double v : g) {
                m = minNaN(m, v);
            }
            return m;
        });
    }

    /** Index of the first largest value along {@code axis}. */
    public RefArray argmax(int axis, boolean keepDim) {
        return reduce(new int[] {axis}, keepDim, g -> {
            int best = 0;
            for (int i = 1; i < g.length; i++) {
                if (g[i] > g[best]) {
                    best = i;
                }
            }
            return best;
        });
    }

    /** Index of the first smallest value along {@code axis}. */
    public RefArray argmin(int axis, boolean keepDim) {
        return reduce(new int[] {axis}, keepDim, g -> {
            int best = 0;
            for (int i = 1; i < g.length; i++) {
                if (g[i] < g[best]) {
                    best = i;
                }
            }
            return best;
        });
    }

    public RefArray mean(int[] axes, boolean keepDim) {
        return reduce(axes, keepDim, g -> sumOf(g) / g.length);
    }

    /** {@code sum((x - mean)²) / (N - correction)}, dividing by 0 when N <= correction. */
    public RefArray var(int[] axes, int correction, boolean keepDim) {
        return reduce(axes, keepDim, g -> {
            double mean = sumOf(g) / g.length;
            double[] squares = new double[g.length];
            for (int i = 0; i < g.length; i++) {
                squares[i] = (g[i] - mean) * (g[i] - mean);
            }
            return sumOf(squares) / Math.max(g.length - correction, 0);
        });
    }

    /** The p-norm: sum of |x| for p = 1, max |x| for infinity (0 when empty), else (sum |x|^p)^(1/p). */
    public RefArray norm(double p, int[] axes, boolean keepDim) {
        return reduce(axes, keepDim, g -> {
            if (p == Double.POSITIVE_INFINITY) {
                double m = 0;
                for (double v : g) {
                    m = maxNaN(m, Math.abs(v));
                }
                return m;
            }
            double[] powers = new double[g.length];
            for (int i = 0; i < g.length; i++) {
                powers[i] = Math.pow(Math.abs(g[i]), p);
            }
            double s = sumOf(powers);
            return p == 1 ? s : Math.pow(s, 1 / p);
        });
    }

    public RefArray logsumexp(int[] axes, boolean keepDim) {
        return reduce(axes, keepDim, RefArray::logSumExpOf);
    }

    /** {@code exp(x_i) / sum_j exp(x_j)} along {@code axis}. */
    public RefArray softmax(int axis) {
        return alongAxis(axis, line -> {
            double m = Double.NEGATIVE_INFINITY;
            for (double v : line) {
                m = maxNaN(m, v);
            }
            double[] out = new double[line.length];
            for (int i = 0; i < line.length; i++) {
                out[i] = Math.exp(line[i] - m);
            }
            double s = sumOf(out);
            for (int i = 0; i < line.length; i++) {
                out[i] /= s;
            }
            return out;
        });
    }

    /**
     * {@code x_i - log(sum_j exp(x_j))} along {@code axis}, as {@code (x_i - m) - log1p(S')} (m the
     * maximum, S' the sum of {@code exp(x_j - m)} without the first maximum's term), which keeps the
     * relative precision of log-probabilities near 0; {@code x_i - m} where m is not finite.
     */
    public RefArray logSoftmax(int axis) {
        return alongAxis(axis, line -> {
            double m = maxOf(line);
            double[] out = new double[line.length];
            double l = Double.isFinite(m) ? Math.log1p(sumWithoutMax(line, m)) : 0;
            for (int i = 0; i < line.length; i++) {
                out[i] = Double.isFinite(m) ? (line[i] - m) - l : line[i] - m;
            }
            return out;
        });
    }

    private static double maxOf(double[] g) {
        double m = Double.NEGATIVE_INFINITY;
        for (double v : g) {
            m = maxNaN(m, v);
        }
        return m;
    }

    /** {@code sum_j exp(x_j - m)} over every j but the first where {@code x_j = m} (whose term is 1). */
    private static double sumWithoutMax(double[] g, double m) {
        double[] e = new double[g.length];
        boolean skipped = false;
        for (int i = 0; i < g.length; i++) {
            if (!skipped && g[i] == m) {
                skipped = true;
            } else {
                e[i] = Math.exp(g[i] - m);
            }
        }
        return sumOf(e);
    }

    /** Each line along {@code axis} replaced by {@code f} of it (same length). */
    public RefArray alongAxis(int axis, java.util.function.UnaryOperator<double[]> f) {
        if (rank() == 0) {
            double[] out = f.apply(new double[] {data[0]});
            return new RefArray(shape, out, true);
        }
        int a = axis(axis, rank());
        double[] out = new double[data.length];
        for (int i = 0; i < data.length; i++) {
            int[] start = unravel(i, shape);
            if (start[a] != 0) {
                continue;
            }
            double[] line = new double[shape[a]];
            for (int k = 0; k < line.length; k++) {
                start[a] = k;
                line[k] = get(start);
            }
            double[] mapped = f.apply(line);
            for (int k = 0; k < line.length; k++) {
                start[a] = k;
                out[ravel(start, shape)] = mapped[k];
            }
        }
        return new RefArray(shape, out, true);
    }

    /**
     * The sum, with Neumaier's compensation so that the reference's own rounding error stays
     * near one ulp of the result whatever the length (the backend's error is what is measured).
     */
    public static double sumOf(double[] g) {
        double s = 0;
        double lost = 0;
        for (double v : g) {
            double t = s + v;
            lost += Math.abs(s) >= Math.abs(v) ? (s - t) + v : (v - t) + s;
            s = t;
        }
        // With an infinity or NaN among the terms the plain sum is the answer (and the compensation is NaN).
        return Double.isFinite(s) ? s + lost : s;
    }

    /** {@code m + log1p(S')}: see {@link #logSoftmax}; the maximum itself where it is not finite. */
    static double logSumExpOf(double[] g) {
        double m = maxOf(g);
        if (Double.isInfinite(m) || Double.isNaN(m)) {
            return m;
        }
        return m + Math.log1p(sumWithoutMax(g, m));
    }

    // ---------------------------------------------------------------- matmul

    /**
     * NumPy's matmul: a vector operand becomes a one-row (left) or one-column (right) matrix
     * whose extra dimension is dropped from the result; leading batch dimensions broadcast.
     */
    public static RefArray matmul(RefArray a, RefArray b) {
        int[] as = a.rank() == 1 ? new int[] {1, a.shape[0]} : a.shape;
        int[] bs = b.rank() == 1 ? new int[] {b.shape[0], 1} : b.shape;
        RefArray a2 = new RefArray(as, a.data, true);
        RefArray b2 = new RefArray(bs, b.data, true);
        int m = as[as.length - 2];
        int k = as[as.length - 1];
        int n = bs[bs.length - 1];
        if (bs[bs.length - 2] != k) {
            throw new IllegalArgumentException("RefArray.matmul: inner sizes differ");
        }
        int[] batch = broadcastShapes(Arrays.copyOf(as, as.length - 2), Arrays.copyOf(bs, bs.length - 2));
        if (batch == null) {
            throw new IllegalArgumentException("RefArray.matmul: batch dimensions do not broadcast");
        }
        int[] outShape = Arrays.copyOf(batch, batch.length + 2);
        outShape[batch.length] = m;
        outShape[batch.length + 1] = n;
        double[] out = new double[numel(outShape)];
        for (int o = 0; o < out.length; o++) {
            int[] index = unravel(o, outShape);
            int i = index[batch.length];
            int j = index[batch.length + 1];
            if (k == 0) {
                continue;
            }
            // Row i of a's matrix starts at a[.., i, 0] and steps by 1; column j of b's at b[.., 0, j], stepping by n.
            index[batch.length] = i;
            index[batch.length + 1] = 0;
            int rowStart = a2.broadcastPosition(index);
            index[batch.length] = 0;
            index[batch.length + 1] = j;
            int colStart = b2.broadcastPosition(index);
            double[] products = new double[k];
            for (int p = 0; p < k; p++) {
                products[p] = a2.data[rowStart + p] * b2.data[colStart + p * n];
            }
            out[o] = sumOf(products);
        }
        int[] finalShape = outShape;
        if (a.rank() == 1 || b.rank() == 1) {
            int[] keep = new int[outShape.length - (a.rank() == 1 ? 1 : 0) - (b.rank() == 1 ? 1 : 0)];
            int j = 0;
            for (int d = 0; d < outShape.length; d++) {
                boolean dropRow = a.rank() == 1 && d == outShape.length - 2;
                boolean dropCol = b.rank() == 1 && d == outShape.length - 1;
                if (!dropRow && !dropCol) {
                    keep[j++] = outShape[d];
                }
            }
            finalShape = keep;
        }
        return new RefArray(finalShape, out, true);
    }

    // ---------------------------------------------------------------- views (as copies)

    /** The same elements in a new shape; one size may be -1. */
    public RefArray reshape(int... dims) {
        int[] d = dims.clone();
        int infer = -1;
        int known = 1;
        for (int i = 0; i < d.length; i++) {
            if (d[i] == -1) {
                infer = i;
            } else {
                known *= d[i];
            }
        }
        if (infer >= 0) {
            d[infer] = data.length / known;
        }
        return new RefArray(d, data, true);
    }

    /** Result axis i is this array's axis {@code order[i]}. */
    public RefArray permute(int... order) {
        int[] o = new int[order.length];
        int[] outShape = new int[rank()];
        for (int i = 0; i < rank(); i++) {
            o[i] = axis(order[i], rank());
            outShape[i] = shape[o[i]];
        }
        double[] out = new double[data.length];
        for (int f = 0; f < out.length; f++) {
            int[] outIndex = unravel(f, outShape);
            int[] inIndex = new int[rank()];
            for (int i = 0; i < rank(); i++) {
                inIndex[o[i]] = outIndex[i];
            }
            out[f] = get(inIndex);
        }
        return new RefArray(outShape, out, true);
    }

    public RefArray transpose(int a, int b) {
        if (rank() == 0) {
            return this;
        }
        int[] order = new int[rank()];
        for (int i = 0; i < rank(); i++) {
            order[i] = i;
        }
        int x = axis(a, rank());
        int y = axis(b, rank());
        order[x] = y;
        order[y] = x;
        return permute(order);
    }

    /** Elements {@code start, start+step, ...} before {@code end} along {@code axis}, bounds as Python's slices with step > 0. */
    public RefArray slice(int axis, int start, int end, int step) {
        int a = axis(axis, rank());
        int size = shape[a];
        int lo = start < 0 ? Math.max(start + size, 0) : Math.min(start, size);
        int hi = end < 0 ? Math.max(end + size, 0) : Math.min(end, size);
        int count = 0;
        for (int i = lo; i < hi; i += step) {
            count++;
        }
        int[] outShape = shape.clone();
        outShape[a] = count;
        double[] out = new double[numel(outShape)];
        for (int f = 0; f < out.length; f++) {
            int[] index = unravel(f, outShape);
            index[a] = lo + index[a] * step;
            out[f] = get(index);
        }
        return new RefArray(outShape, out, true);
    }

    /** {@code length} elements along {@code axis} from {@code start}. */
    public RefArray narrow(int axis, int start, int length) {
        return slice(axis, start, start + length, 1);
    }

    /** The sub-array at {@code index} of {@code axis} (negative counts from the end); the axis disappears. */
    public RefArray select(int axis, int index) {
        int a = axis(axis, rank());
        int i = index < 0 ? index + shape[a] : index;
        int[] outShape = new int[rank() - 1];
        for (int d = 0, j = 0; d < rank(); d++) {
            if (d != a) {
                outShape[j++] = shape[d];
            }
        }
        double[] out = new double[numel(outShape)];
        for (int f = 0; f < out.length; f++) {
            int[] o = unravel(f, outShape);
            int[] in = new int[rank()];
            for (int d = 0, j = 0; d < rank(); d++) {
                in[d] = d == a ? i : o[j++];
            }
            out[f] = get(in);
        }
        return new RefArray(outShape, out, true);
    }

    /** Repeated to {@code dims}; -1 keeps a size. */
    public RefArray expand(int... dims) {
        int[] d = dims.clone();
        int lead = d.length - rank();
        for (int i = 0; i < rank(); i++) {
            if (d[lead + i] == -1) {
                d[lead + i] = shape[i];
            }
        }
        return broadcastTo(d);
    }

    /** Every size-1 dimension removed. */
    public RefArray squeeze() {
        return new RefArray(Arrays.stream(shape).filter(s -> s != 1).toArray(), data, true);
    }

    /** Dimension {@code axis} (of size 1) removed. */
    public RefArray squeeze(int axis) {
        return select(axis, 0);
    }

    /** A size-1 dimension inserted at {@code axis}, which may be {@code rank()}; negative counts from rank()+1. */
    public RefArray unsqueeze(int axis) {
        int a = axis < 0 ? axis + rank() + 1 : axis;
        int[] d = new int[rank() + 1];
        for (int i = 0, j = 0; i < d.length; i++) {
            d[i] = i == a ? 1 : shape[j++];
        }
        return new RefArray(d, data, true);
    }

    // ---------------------------------------------------------------- joining and indexing

    /** The arrays joined along {@code axis}. */
    public static RefArray concat(List<RefArray> parts, int axis) {
        RefArray first = parts.get(0);
        int a = axis(axis, first.rank());
        int[] outShape = first.shape.clone();
        outShape[a] = 0;
        for (RefArray p : parts) {
            outShape[a] += p.shape[a];
        }
        double[] out = new double[numel(outShape)];
        for (int f = 0; f < out.length; f++) {
            int[] index = unravel(f, outShape);
            int part = 0;
            while (index[a] >= parts.get(part).shape[a]) {
                index[a] -= parts.get(part).shape[a];
                part++;
            }
            out[f] = parts.get(part).get(index);
        }
        return new RefArray(outShape, out, true);
    }

    /** The arrays (of one shape) joined along a new {@code axis}: {@code out[..., i, ...] = parts[i][...]}. */
    public static RefArray stack(List<RefArray> parts, int axis) {
        int[] partShape = parts.get(0).shape;
        int a = axis < 0 ? axis + partShape.length + 1 : axis;
        int[] outShape = new int[partShape.length + 1];
        for (int d = 0, j = 0; d < outShape.length; d++) {
            outShape[d] = d == a ? parts.size() : partShape[j++];
        }
        double[] out = new double[numel(outShape)];
        for (int f = 0; f < out.length; f++) {
            int[] index = unravel(f, outShape);
            int[] in = new int[partShape.length];
            for (int d = 0, j = 0; d < outShape.length; d++) {
                if (d != a) {
                    in[j++] = index[d];
                }
            }
            out[f] = parts.get(index[a]).get(in);
        }
        return new RefArray(outShape, out, true);
    }

    /** {@code out[idx] = this[idx with idx[axis] replaced by index[idx]]}; the result has the index's shape. */
    public RefArray gather(int axis, RefArray index) {
        int a = rank() == 0 ? 0 : axis(axis, rank());
        double[] out = new double[index.numel()];
        for (int f = 0; f < out.length; f++) {
            int[] at = unravel(f, index.shape);
            if (rank() > 0) {
                at[a] = (int) index.data[f];
            } else if (index.data[f] != 0) {
                throw new IndexOutOfBoundsException("RefArray.gather: index " + index.data[f]);
            }
            out[f] = get(at);
        }
        return new RefArray(index.shape, out, true);
    }

    /** The entries {@code index[0], index[1], ...} along {@code axis}. */
    public RefArray indexSelect(int axis, RefArray index) {
        int a = axis(axis, rank());
        int[] outShape = shape.clone();
        outShape[a] = index.numel();
        double[] out = new double[numel(outShape)];
        for (int f = 0; f < out.length; f++) {
            int[] at = unravel(f, outShape);
            at[a] = (int) index.data[at[a]];
            out[f] = get(at);
        }
        return new RefArray(outShape, out, true);
    }

    /** A copy of this array with the elements at row-major positions {@code targets[i]} set to {@code values[i]}. */
    public RefArray scatter(RefArray targets, RefArray values) {
        double[] out = data.clone();
        for (int i = 0; i < targets.numel(); i++) {
            out[(int) targets.data[i]] = values.data[i];
        }
        return new RefArray(shape, out, true);
    }
}
