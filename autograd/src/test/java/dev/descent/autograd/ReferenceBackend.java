package dev.descent.autograd;

import dev.descent.core.DType;
import dev.descent.core.Device;
import dev.descent.core.spi.Backend;
import dev.descent.core.spi.BinaryOp;
import dev.descent.core.spi.Capability;
import dev.descent.core.spi.ReduceOp;
import dev.descent.core.spi.SoftmaxOp;
import dev.descent.core.spi.Storage;
import dev.descent.core.spi.StridedView;
import dev.descent.core.spi.UnaryOp;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.commons.math3.special.Erf;

/**
 * A plain-Java backend for autograd's own tests (named {@code reference}): every element a
 * double, rounded to the dtype on each write, every op the plainest loop over strided views.
 * It also counts live storages, so that tests can check that the graph releases memory.
 *
 * <p>The tests use it rather than cpu-backend because cpu-backend's tests run the gradient
 * conformance suite, which depends on this module: a test dependency back would be a cycle.
 */
public final class ReferenceBackend implements Backend {
    static final Device DEVICE = new Device("reference", 0);
    private static final AtomicLong LIVE = new AtomicLong();

    /** Storages allocated and not yet freed. */
    static long liveStorages() {
        return LIVE.get();
    }

    @Override
    public String name() {
        return "reference";
    }

    @Override
    public Availability availability() {
        return Availability.yes();
    }

    @Override
    public List<Device> devices() {
        return List.of(DEVICE);
    }

    @Override
    public Set<Capability> capabilities() {
        return Set.of(Capability.FLOAT64, Capability.INTEGER_OPS);
    }

    @Override
    public Storage allocate(Device device, DType dtype, long elements) {
        return new Block(dtype, (int) elements);
    }

    @Override
    public void copyFromHost(Object array, int arrayOffset, Storage dst, long dstOffset, int count) {
        Block b = (Block) dst;
        for (int i = 0; i < count; i++) {
            int at = arrayOffset + i;
            double v;
            if (array instanceof float[] f) {
                v = f[at];
            } else if (array instanceof double[] d) {
                v = d[at];
            } else if (array instanceof int[] n) {
                v = n[at];
            } else {
                v = ((long[]) array)[at];
            }
            b.set(dstOffset + i, v);
        }
    }

    @Override
    public void copyToHost(Storage src, long srcOffset, Object array, int arrayOffset, int count) {
        Block b = (Block) src;
        for (int i = 0; i < count; i++) {
            double v = b.get(srcOffset + i);
            int at = arrayOffset + i;
            if (array instanceof float[] f) {
                f[at] = (float) v;
            } else if (array instanceof double[] d) {
                d[at] = v;
            } else if (array instanceof int[] n) {
                n[at] = (int) v;
            } else {
                ((long[]) array)[at] = (long) v;
            }
        }
    }

    @Override
    public void copy(StridedView src, StridedView dst) {
        long[] s = offsets(src);
        long[] d = offsets(dst);
        double[] values = new double[s.length];
        for (int i = 0; i < s.length; i++) {
            values[i] = block(src).get(s[i]);
        }
        for (int i = 0; i < d.length; i++) {
            block(dst).set(d[i], values[i]);
        }
    }

    @Override
    public void fill(StridedView dst, double value) {
        for (long o : offsets(dst)) {
            block(dst).set(o, value);
        }
    }

    @Override
    public void unary(UnaryOp op, StridedView x, StridedView out) {
        long[] xo = offsets(x);
        long[] oo = offsets(out);
        for (int i = 0; i < xo.length; i++) {
            block(out).set(oo[i], unary(op, block(x).get(xo[i])));
        }
    }

    private static double unary(UnaryOp op, double v) {
        return switch (op) {
            case NEG -> -v;
            case ABS -> Math.abs(v);
            case SIGN -> Math.signum(v);
            case SQUARE -> v * v;
            case RELU -> Double.isNaN(v) ? v : Math.max(v, 0);
            case EXP -> Math.exp(v);
            case LOG -> Math.log(v);
            case LOG1P -> Math.log1p(v);
            case SQRT -> Math.sqrt(v);
            case RSQRT -> 1 / Math.sqrt(v);
            case RECIPROCAL -> 1 / v;
            case SIGMOID -> v >= 0 ? 1 / (1 + Math.exp(-v)) : Math.exp(v) / (1 + Math.exp(v));
            case TANH -> Math.tanh(v);
            case EXPM1 -> Math.expm1(v);
            case ERF -> Erf.erf(v);
            case GELU -> v < -40 ? -0.0 : 0.5 * v * Erf.erfc(-v / Math.sqrt(2));
            case SOFTPLUS -> Math.max(v, 0) + Math.log1p(Math.exp(-Math.abs(v)));
            case SIN -> Math.sin(v);
            case COS -> Math.cos(v);
            // Op correctness is the conformance suite's; this backend needs only what autograd's tests use.
            default -> throw new UnsupportedOperationException(op.label() + " is not in autograd's test backend");
        };
    }

    @Override
    public void binary(BinaryOp op, StridedView a, StridedView b, StridedView out) {
        long[] ao = offsets(a);
        long[] bo = offsets(b);
        long[] oo = offsets(out);
        double[] r = new double[oo.length];
        for (int i = 0; i < oo.length; i++) {
            r[i] = binary(op, block(a).get(ao[i]), block(b).get(bo[i]));
        }
        for (int i = 0; i < oo.length; i++) {
            block(out).set(oo[i], r[i]);
        }
    }

    @Override
    public void binaryScalar(BinaryOp op, StridedView a, double scalar, StridedView out) {
        long[] ao = offsets(a);
        long[] oo = offsets(out);
        double s = round(a.dtype(), scalar);
        for (int i = 0; i < oo.length; i++) {
            block(out).set(oo[i], binary(op, block(a).get(ao[i]), s));
        }
    }

    private static double binary(BinaryOp op, double x, double y) {
        return switch (op) {
            case ADD -> x + y;
            case SUB -> x - y;
            case MUL -> x * y;
            case DIV -> x / y;
            case POW -> Math.pow(x, y);
            case MAXIMUM -> Double.isNaN(x) || Double.isNaN(y) ? Double.NaN : Math.max(x, y);
            case MINIMUM -> Double.isNaN(x) || Double.isNaN(y) ? Double.NaN : Math.min(x, y);
            case EQ -> x == y ? 1 : 0;
            case NE -> x != y ? 1 : 0;
            case LT -> x < y ? 1 : 0;
            case LE -> x <= y ? 1 : 0;
            case GT -> x > y ? 1 : 0;
            case GE -> x >= y ? 1 : 0;
        };
    }

    @Override
    public void addScaled(StridedView x, double alpha, StridedView y) {
        long[] xo = offsets(x);
        long[] yo = offsets(y);
        for (int i = 0; i < yo.length; i++) {
            block(y).set(yo[i], block(y).get(yo[i]) + alpha * block(x).get(xo[i]));
        }
    }

    @Override
    public void where(StridedView cond, StridedView a, StridedView b, StridedView out) {
        long[] co = offsets(cond);
        long[] ao = offsets(a);
        long[] bo = offsets(b);
        long[] oo = offsets(out);
        double[] r = new double[oo.length];
        for (int i = 0; i < oo.length; i++) {
            r[i] = block(cond).get(co[i]) != 0 ? block(a).get(ao[i]) : block(b).get(bo[i]);
        }
        for (int i = 0; i < oo.length; i++) {
            block(out).set(oo[i], r[i]);
        }
    }

    @Override
    public void softmax(SoftmaxOp op, StridedView x, int axis, StridedView out) {
        int[] shape = x.shape();
        int len = shape[axis];
        int inner = 1;
        for (int d = axis + 1; d < shape.length; d++) {
            inner *= shape[d];
        }
        long[] xo = offsets(x);
        long[] oo = offsets(out);
        int rows = xo.length / Math.max(len, 1);
        for (int r = 0; r < rows; r++) {
            int base = (r / inner) * inner * len + r % inner;
            double[] v = new double[len];
            double m = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < len; j++) {
                v[j] = block(x).get(xo[base + j * inner]);
                m = Double.isNaN(m) || Double.isNaN(v[j]) ? Double.NaN : Math.max(m, v[j]);
            }
            double sum = 0;
            boolean skipped = false;
            for (int j = 0; j < len; j++) {
                if (!skipped && v[j] == m) {
                    skipped = true;
                } else {
                    sum += Math.exp(v[j] - m);
                }
            }
            double l = Math.log1p(sum);
            if (op == SoftmaxOp.LOGSUMEXP) {
                block(out).set(oo[r], Double.isFinite(m) ? m + l : m);
                continue;
            }
            for (int j = 0; j < len; j++) {
                double y = !Double.isFinite(m) ? (op == SoftmaxOp.SOFTMAX ? Double.NaN : v[j] - m)
                        : op == SoftmaxOp.SOFTMAX ? Math.exp(v[j] - m) / (1 + sum) : (v[j] - m) - l;
                block(out).set(oo[base + j * inner], y);
            }
        }
    }

    @Override
    public void reduce(ReduceOp op, StridedView x, int[] axes, StridedView out) {
        int[] shape = x.shape();
        boolean[] reduced = new boolean[shape.length];
        for (int a : axes) {
            reduced[a] = true;
        }
        long[] xo = offsets(x);
        long[] oo = offsets(out);
        int[] outShape = out.shape();
        double[] acc = new double[oo.length];
        long[] arg = new long[oo.length];
        boolean[] started = new boolean[oo.length];
        int[] idx = new int[shape.length];
        for (int i = 0; i < xo.length; i++) {
            int o = 0;
            for (int d = 0; d < shape.length; d++) {
                o = o * outShape[d] + (reduced[d] ? 0 : idx[d]);
            }
            double v = block(x).get(xo[i]);
            long position = axes.length == 1 ? idx[axes[0]] : 0;
            if (!started[o]) {
                started[o] = true;
                acc[o] = v;
                arg[o] = position;
            } else {
                switch (op) {
                    case SUM -> acc[o] += v;
                    case MAX -> acc[o] = Double.isNaN(acc[o]) || Double.isNaN(v) ? Double.NaN : Math.max(acc[o], v);
                    case MIN -> acc[o] = Double.isNaN(acc[o]) || Double.isNaN(v) ? Double.NaN : Math.min(acc[o], v);
                    case ARGMAX -> {
                        if (v > acc[o]) {
                            acc[o] = v;
                            arg[o] = position;
                        }
                    }
                    case ARGMIN -> {
                        if (v < acc[o]) {
                            acc[o] = v;
                            arg[o] = position;
                        }
                    }
                }
            }
            for (int d = shape.length - 1; d >= 0; d--) {
                if (++idx[d] < shape[d]) {
                    break;
                }
                idx[d] = 0;
            }
        }
        boolean isArg = op == ReduceOp.ARGMAX || op == ReduceOp.ARGMIN;
        for (int o = 0; o < oo.length; o++) {
            block(out).set(oo[o], isArg ? arg[o] : started[o] ? acc[o] : 0);
        }
    }

    @Override
    public void matmul(StridedView a, StridedView b, StridedView out) {
        int r = out.rank();
        int m = out.shape()[r - 2];
        int n = out.shape()[r - 1];
        int k = a.shape()[r - 1];
        int[] batch = Arrays.copyOf(out.shape(), r - 2);
        int batches = 1;
        for (int d : batch) {
            batches *= d;
        }
        int[] idx = new int[r - 2];
        for (int t = 0; t < batches; t++) {
            long ab = a.offset();
            long bb = b.offset();
            long ob = out.offset();
            for (int d = 0; d < r - 2; d++) {
                ab += idx[d] * a.strides()[d];
                bb += idx[d] * b.strides()[d];
                ob += idx[d] * out.strides()[d];
            }
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    double s = 0;
                    for (int p = 0; p < k; p++) {
                        s += block(a).get(ab + i * a.strides()[r - 2] + p * a.strides()[r - 1])
                                * block(b).get(bb + p * b.strides()[r - 2] + j * b.strides()[r - 1]);
                    }
                    block(out).set(ob + i * out.strides()[r - 2] + j * out.strides()[r - 1], s);
                }
            }
            for (int d = r - 3; d >= 0; d--) {
                if (++idx[d] < batch[d]) {
                    break;
                }
                idx[d] = 0;
            }
        }
    }

    @Override
    public void gather(StridedView src, int axis, StridedView index, StridedView out) {
        int[] shape = index.shape();
        long[] io = offsets(index);
        long[] oo = offsets(out);
        int[] idx = new int[shape.length];
        for (int i = 0; i < io.length; i++) {
            long j = (long) block(index).get(io[i]);
            if (j < 0 || j >= src.shape()[axis]) {
                throw new IndexOutOfBoundsException("index " + j + " is out of bounds for axis " + axis + " of size "
                        + src.shape()[axis]);
            }
            long s = src.offset();
            for (int d = 0; d < shape.length; d++) {
                s += (d == axis ? j : idx[d]) * src.strides()[d];
            }
            block(out).set(oo[i], block(src).get(s));
            for (int d = shape.length - 1; d >= 0; d--) {
                if (++idx[d] < shape[d]) {
                    break;
                }
                idx[d] = 0;
            }
        }
    }

    /** The storage offset of every element of {@code v}, in row-major order. */
    private static long[] offsets(StridedView v) {
        int[] shape = v.shape();
        long[] strides = v.strides();
        long[] out = new long[(int) v.numel()];
        int[] idx = new int[shape.length];
        long o = v.offset();
        for (int i = 0; i < out.length; i++) {
            out[i] = o;
            for (int d = shape.length - 1; d >= 0; d--) {
                if (++idx[d] < shape[d]) {
                    o += strides[d];
                    break;
                }
                o -= (long) (shape[d] - 1) * strides[d];
                idx[d] = 0;
            }
        }
        return out;
    }

    private static Block block(StridedView v) {
        Block b = (Block) v.storage();
        if (b.freed) {
            throw new IllegalStateException("reference backend: use of a freed storage");
        }
        return b;
    }

    private static double round(DType dtype, double v) {
        return switch (dtype) {
            case FLOAT32 -> (float) v;
            case FLOAT64 -> v;
            case INT32 -> (int) v;
            case INT64 -> (long) v;
        };
    }

    /** Memory of the reference backend: one double per element. */
    private static final class Block implements Storage {
        private final DType dtype;
        private final double[] data;
        private boolean freed;

        Block(DType dtype, int elements) {
            this.dtype = dtype;
            this.data = new double[elements];
            LIVE.incrementAndGet();
        }

        double get(long i) {
            return data[(int) i];
        }

        void set(long i, double v) {
            data[(int) i] = round(dtype, v);
        }

        @Override
        public Device device() {
            return DEVICE;
        }

        @Override
        public DType dtype() {
            return dtype;
        }

        @Override
        public long elements() {
            return data.length;
        }

        @Override
        public void free() {
            if (!freed) {
                freed = true;
                LIVE.decrementAndGet();
            }
        }
    }
}
