package dev.descent.autograd;

import dev.descent.core.DType;
import dev.descent.core.Device;
import dev.descent.core.spi.Backend;
import dev.descent.core.spi.BinaryOp;
import dev.descent.core.spi.Capability;
import dev.descent.core.spi.Conv2dGeometry;
import dev.descent.core.spi.Pool2dGeometry;
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
            if (op == SoftmaxOp.CAUSAL_SOFTMAX) {
                causalRow(x, out, xo, oo, base, len, r % shape[axis - 1], shape[axis - 1]);
                continue;
            }
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

    /** Row {@code i} of {@code m} queries: softmax over entries j <= i + len - m, zeros elsewhere. */
    private static void causalRow(StridedView x, StridedView out, long[] xo, long[] oo, int base, int len, int i,
            int m) {
        int kept = Math.max(0, Math.min(len, i + 1 + len - m));
        double max = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < kept; j++) {
            max = Math.max(max, block(x).get(xo[base + j]));
        }
        double sum = 0;
        for (int j = 0; j < kept; j++) {
            sum += Math.exp(block(x).get(xo[base + j]) - max);
        }
        for (int j = 0; j < len; j++) {
            block(out).set(oo[base + j], j < kept ? Math.exp(block(x).get(xo[base + j]) - max) / sum : 0);
        }
    }

    @Override
    public void scatterAdd(StridedView src, int axis, StridedView index, StridedView out) {
        int[] shape = index.shape();
        long[] io = offsets(index);
        long[] so = offsets(src);
        for (long i : io) {
            long j = (long) block(index).get(i);
            if (j < 0 || j >= out.shape()[axis]) {
                throw new IndexOutOfBoundsException("index " + j + " is out of bounds for axis " + axis + " of size "
                        + out.shape()[axis]);
            }
        }
        int[] idx = new int[shape.length];
        for (int i = 0; i < io.length; i++) {
            long j = (long) block(index).get(io[i]);
            long o = out.offset();
            for (int d = 0; d < shape.length; d++) {
                o += (d == axis ? j : idx[d]) * out.strides()[d];
            }
            block(out).set(o, block(out).get(o) + block(src).get(so[i]));
            for (int d = shape.length - 1; d >= 0; d--) {
                if (++idx[d] < shape[d]) {
                    break;
                }
                idx[d] = 0;
            }
        }
    }

    @Override
    public void layerNorm(StridedView x, StridedView weight, StridedView bias, double eps, StridedView out,
            StridedView mean, StridedView rstd) {
        int rows = x.shape()[0];
        int n = x.shape()[1];
        for (int r = 0; r < rows; r++) {
            double mu = 0;
            for (int i = 0; i < n; i++) {
                mu += at(x, r, i);
            }
            mu /= n;
            double var = 0;
            for (int i = 0; i < n; i++) {
                var += (at(x, r, i) - mu) * (at(x, r, i) - mu);
            }
            double rho = 1 / Math.sqrt(var / n + eps);
            for (int i = 0; i < n; i++) {
                double y = (at(x, r, i) - mu) * rho * (weight == null ? 1 : at(weight, i))
                        + (bias == null ? 0 : at(bias, i));
                block(out).set(out.offset() + r * out.strides()[0] + i * out.strides()[1], y);
            }
            block(mean).set(mean.offset() + r * mean.strides()[0], mu);
            block(rstd).set(rstd.offset() + r * rstd.strides()[0], rho);
        }
    }

    @Override
    public void layerNormBackward(StridedView grad, StridedView x, StridedView weight, StridedView mean,
            StridedView rstd, StridedView dx, StridedView dweight, StridedView dbias) {
        int rows = x.shape()[0];
        int n = x.shape()[1];
        double[] dw = new double[n];
        double[] db = new double[n];
        for (int r = 0; r < rows; r++) {
            double mu = at(mean, r);
            double rho = at(rstd, r);
            double sumG = 0;
            double sumGx = 0;
            for (int i = 0; i < n; i++) {
                double xh = (at(x, r, i) - mu) * rho;
                double gh = at(grad, r, i) * (weight == null ? 1 : at(weight, i));
                sumG += gh;
                sumGx += gh * xh;
                dw[i] += at(grad, r, i) * xh;
                db[i] += at(grad, r, i);
            }
            if (dx != null) {
                for (int i = 0; i < n; i++) {
                    double xh = (at(x, r, i) - mu) * rho;
                    double gh = at(grad, r, i) * (weight == null ? 1 : at(weight, i));
                    block(dx).set(dx.offset() + r * dx.strides()[0] + i * dx.strides()[1],
                            rho * (gh - sumG / n - xh * sumGx / n));
                }
            }
        }
        for (int i = 0; i < n; i++) {
            if (dweight != null) {
                block(dweight).set(dweight.offset() + i * dweight.strides()[0], dw[i]);
            }
            if (dbias != null) {
                block(dbias).set(dbias.offset() + i * dbias.strides()[0], db[i]);
            }
        }
    }

    private static double at(StridedView v, int r, int i) {
        return block(v).get(v.offset() + r * v.strides()[0] + i * v.strides()[1]);
    }

    private static double at(StridedView v, int i) {
        return block(v).get(v.offset() + i * v.strides()[0]);
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

    // ---------------------------------------------------------------- convolution and pooling: the definitions as loops

    /** Visits every term {@code x[n, c, ih, iw] · w[o, cw, p, q]} of output {@code (n, o, i, j)} that lies inside the input. */
    private interface Term {
        void at(int xAt, int wAt, int outAt);
    }

    private static void convTerms(int[] x, int[] w, int[] out, Conv2dGeometry g, Term t) {
        int og = w[0] / g.groups();
        for (int n = 0; n < x[0]; n++) {
            for (int o = 0; o < w[0]; o++) {
                for (int i = 0; i < out[2]; i++) {
                    for (int j = 0; j < out[3]; j++) {
                        int outAt = ((n * out[1] + o) * out[2] + i) * out[3] + j;
                        for (int cw = 0; cw < w[1]; cw++) {
                            int c = o / og * w[1] + cw;
                            for (int p = 0; p < w[2]; p++) {
                                for (int q = 0; q < w[3]; q++) {
                                    int ih = i * g.strideH() - g.padH() + p * g.dilationH();
                                    int iw = j * g.strideW() - g.padW() + q * g.dilationW();
                                    if (ih >= 0 && ih < x[2] && iw >= 0 && iw < x[3]) {
                                        t.at(((n * x[1] + c) * x[2] + ih) * x[3] + iw, ((o * w[1] + cw) * w[2] + p) * w[3] + q,
                                                outAt);
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    @Override
    public void conv2d(StridedView x, StridedView w, StridedView bias, Conv2dGeometry g, StridedView out) {
        double[] xv = values(x);
        double[] wv = values(w);
        double[] r = new double[(int) out.numel()];
        if (bias != null) {
            double[] b = values(bias);
            int plane = out.shape()[2] * out.shape()[3];
            for (int k = 0; k < r.length; k++) {
                r[k] = b[k / plane % b.length];
            }
        }
        convTerms(x.shape(), w.shape(), out.shape(), g, (xi, wi, oi) -> r[oi] += xv[xi] * wv[wi]);
        store(out, r);
    }

    @Override
    public void conv2dInputGrad(StridedView gradOut, StridedView w, Conv2dGeometry g, StridedView gradIn) {
        double[] gv = values(gradOut);
        double[] wv = values(w);
        double[] r = new double[(int) gradIn.numel()];
        convTerms(gradIn.shape(), w.shape(), gradOut.shape(), g, (xi, wi, oi) -> r[xi] += gv[oi] * wv[wi]);
        store(gradIn, r);
    }

    @Override
    public void conv2dWeightGrad(StridedView x, StridedView gradOut, Conv2dGeometry g, StridedView gradW) {
        double[] xv = values(x);
        double[] gv = values(gradOut);
        double[] r = new double[(int) gradW.numel()];
        convTerms(x.shape(), gradW.shape(), gradOut.shape(), g, (xi, wi, oi) -> r[wi] += gv[oi] * xv[xi]);
        store(gradW, r);
    }

    /** Visits every input position {@code (h, w)} of every window; {@code begin} is called once per output. */
    private interface Window {
        void begin(int plane, int outAt);

        void at(int plane, int outAt, int h, int w);
    }

    private static void windows(int[] in, int[] out, Pool2dGeometry g, Window v) {
        for (int plane = 0; plane < in[0] * in[1]; plane++) {
            for (int i = 0; i < out[2]; i++) {
                for (int j = 0; j < out[3]; j++) {
                    int outAt = (plane * out[2] + i) * out[3] + j;
                    v.begin(plane, outAt);
                    for (int p = 0; p < g.kernelH(); p++) {
                        for (int q = 0; q < g.kernelW(); q++) {
                            int h = i * g.strideH() - g.padH() + p;
                            int w = j * g.strideW() - g.padW() + q;
                            if (h >= 0 && h < in[2] && w >= 0 && w < in[3]) {
                                v.at(plane, outAt, h, w);
                            }
                        }
                    }
                }
            }
        }
    }

    /** PyTorch's divisor of output (i, j) (from {@code outAt}). */
    private static int divisor(int[] in, int[] out, Pool2dGeometry g, int outAt, boolean countIncludePad) {
        int h0 = outAt / out[3] % out[2] * g.strideH() - g.padH();
        int w0 = outAt % out[3] * g.strideW() - g.padW();
        int h1 = Math.min(h0 + g.kernelH(), in[2] + g.padH());
        int w1 = Math.min(w0 + g.kernelW(), in[3] + g.padW());
        return countIncludePad ? (h1 - h0) * (w1 - w0)
                : (Math.min(h1, in[2]) - Math.max(h0, 0)) * (Math.min(w1, in[3]) - Math.max(w0, 0));
    }

    @Override
    public void maxPool2d(StridedView x, Pool2dGeometry g, StridedView out, StridedView indices) {
        double[] xv = values(x);
        int[] in = x.shape();
        double[] best = new double[(int) out.numel()];
        double[] where = new double[best.length];
        windows(in, out.shape(), g, new Window() {
            @Override
            public void begin(int plane, int outAt) {
                best[outAt] = Double.NEGATIVE_INFINITY;
                where[outAt] = -1;
            }

            @Override
            public void at(int plane, int outAt, int h, int w) {
                double v = xv[plane * in[2] * in[3] + h * in[3] + w];
                if (where[outAt] < 0) {
                    where[outAt] = h * in[3] + w;   // PyTorch starts at the window's first input element
                }
                if (v > best[outAt] || Double.isNaN(v)) {
                    best[outAt] = v;
                    where[outAt] = h * in[3] + w;
                }
            }
        });
        store(out, best);
        if (indices != null) {
            store(indices, where);
        }
    }

    @Override
    public void maxPool2dInputGrad(StridedView gradOut, StridedView indices, Pool2dGeometry g, StridedView gradIn) {
        double[] gv = values(gradOut);
        double[] iv = values(indices);
        int plane = gradIn.shape()[2] * gradIn.shape()[3];
        int outPlane = gradOut.shape()[2] * gradOut.shape()[3];
        double[] r = new double[(int) gradIn.numel()];
        for (int k = 0; k < gv.length; k++) {
            r[k / outPlane * plane + (int) iv[k]] += gv[k];
        }
        store(gradIn, r);
    }

    @Override
    public void avgPool2d(StridedView x, Pool2dGeometry g, boolean countIncludePad, StridedView out) {
        double[] xv = values(x);
        int[] in = x.shape();
        double[] r = new double[(int) out.numel()];
        windows(in, out.shape(), g, new Window() {
            @Override
            public void begin(int plane, int outAt) {
            }

            @Override
            public void at(int plane, int outAt, int h, int w) {
                r[outAt] += xv[plane * in[2] * in[3] + h * in[3] + w];
            }
        });
        for (int k = 0; k < r.length; k++) {
            r[k] /= divisor(in, out.shape(), g, k, countIncludePad);
        }
        store(out, r);
    }

    @Override
    public void avgPool2dInputGrad(StridedView gradOut, Pool2dGeometry g, boolean countIncludePad, StridedView gradIn) {
        double[] gv = values(gradOut);
        int[] in = gradIn.shape();
        double[] r = new double[(int) gradIn.numel()];
        windows(in, gradOut.shape(), g, new Window() {
            @Override
            public void begin(int plane, int outAt) {
            }

            @Override
            public void at(int plane, int outAt, int h, int w) {
                r[plane * in[2] * in[3] + h * in[3] + w] += gv[outAt] / divisor(in, gradOut.shape(), g, outAt,
                        countIncludePad);
            }
        });
        store(gradIn, r);
    }

    @Override
    public void batchNorm(StridedView x, StridedView weight, StridedView bias, StridedView mean, StridedView var,
            double eps, boolean batchStats, StridedView out) {
        double[] xv = values(x);
        int c = x.shape()[1];
        int l = xv.length / x.shape()[0] / c;
        if (batchStats) {
            double[] mu = new double[c];
            double[] v = new double[c];
            for (int k = 0; k < xv.length; k++) {
                mu[k / l % c] += xv[k];
            }
            double m = xv.length / (double) c;
            for (int ch = 0; ch < c; ch++) {
                mu[ch] /= m;
            }
            for (int k = 0; k < xv.length; k++) {
                double d = xv[k] - mu[k / l % c];
                v[k / l % c] += d * d / m;
            }
            store(mean, mu);
            store(var, v);
        }
        double[] mu = values(mean);
        double[] v = values(var);
        double[] g = weight == null ? null : values(weight);
        double[] b = bias == null ? null : values(bias);
        double[] r = new double[xv.length];
        for (int k = 0; k < xv.length; k++) {
            int ch = k / l % c;
            r[k] = (xv[k] - mu[ch]) / Math.sqrt(v[ch] + eps) * (g == null ? 1 : g[ch]) + (b == null ? 0 : b[ch]);
        }
        store(out, r);
    }

    @Override
    public void batchNormBackward(StridedView gradOut, StridedView x, StridedView weight, StridedView mean,
            StridedView var, double eps, boolean batchStats, StridedView gradIn, StridedView gradWeight,
            StridedView gradBias) {
        double[] xv = values(x);
        double[] gv = values(gradOut);
        int c = x.shape()[1];
        int l = xv.length / x.shape()[0] / c;
        double m = xv.length / (double) c;
        double[] mu = values(mean);
        double[] v = values(var);
        double[] sumG = new double[c];
        double[] sumGXhat = new double[c];
        for (int k = 0; k < xv.length; k++) {
            int ch = k / l % c;
            sumG[ch] += gv[k];
            sumGXhat[ch] += gv[k] * (xv[k] - mu[ch]) / Math.sqrt(v[ch] + eps);
        }
        if (gradIn != null) {
            double[] g = weight == null ? null : values(weight);
            double[] r = new double[xv.length];
            for (int k = 0; k < xv.length; k++) {
                int ch = k / l % c;
                double invStd = 1 / Math.sqrt(v[ch] + eps);
                double xhat = (xv[k] - mu[ch]) * invStd;
                double centred = batchStats ? gv[k] - sumG[ch] / m - xhat * sumGXhat[ch] / m : gv[k];
                r[k] = (g == null ? 1 : g[ch]) * invStd * centred;
            }
            store(gradIn, r);
        }
        if (gradWeight != null) {
            store(gradWeight, sumGXhat);
        }
        if (gradBias != null) {
            store(gradBias, sumG);
        }
    }

    /** The elements of {@code v} in row-major order. */
    private static double[] values(StridedView v) {
        long[] o = offsets(v);
        double[] d = new double[o.length];
        for (int i = 0; i < o.length; i++) {
            d[i] = block(v).get(o[i]);
        }
        return d;
    }

    /** Writes {@code values} (row-major) through {@code v}. */
    private static void store(StridedView v, double[] values) {
        long[] o = offsets(v);
        for (int i = 0; i < o.length; i++) {
            block(v).set(o[i], values[i]);
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
