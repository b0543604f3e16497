package dev.descent.cpu;

import dev.descent.core.BackendUnavailableException;
import dev.descent.core.DType;
import dev.descent.core.spi.Conv2dGeometry;
import dev.descent.core.spi.StridedView;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.dnnl.IntMemoryMap;
import org.bytedeco.dnnl.convolution_backward_data;
import org.bytedeco.dnnl.convolution_backward_weights;
import org.bytedeco.dnnl.convolution_forward;
import org.bytedeco.dnnl.engine;
import org.bytedeco.dnnl.global.dnnl;
import org.bytedeco.dnnl.memory;
import org.bytedeco.dnnl.primitive;
import org.bytedeco.dnnl.primitive_attr;
import org.bytedeco.dnnl.reorder;
import org.bytedeco.dnnl.stream;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.Pointer;

/**
 * float32 convolutions on oneDNN, the library PyTorch's CPU convolutions run: opt-in with
 * {@code descent.cpu.convolutions=onednn} (or {@code train --cpu-convolutions onednn}).
 * oneDNN's fast kernels want their own blocked layouts, so each call reorders its NCHW operands
 * into the layout the primitive chose and its result back: two extra passes over memory that
 * its kernels more than repay (the module's README has the figures).
 *
 * <p><b>Bits.</b> The results differ from {@link Convolution}'s in rounding, and oneDNN splits its
 * work over its own OpenMP threads ({@code OMP_NUM_THREADS}, not {@code descent.cpu.threads}).
 * Primitives are made deterministic, so a run repeats bit for bit on the same machine and thread
 * count, but not across thread counts: that is why this is an option and not the default.
 *
 * <p>A geometry oneDNN declines (its primitive cannot be made) and float64, which oneDNN does not
 * convolve, take {@link Convolution}'s path. Plans (a primitive and its reorders, made once per
 * shape: making one compiles a kernel) are kept for the {@link #PLANS} shapes used last; the
 * blocked buffers come from the backend's pool for each call.
 */
final class OneDnnConvolution {
    /** The system property that chooses the convolutions: {@code descent} (the default) or {@code onednn}. */
    static final String PROPERTY = "descent.cpu.convolutions";
    /** Shapes whose plans are kept. */
    static final int PLANS = 32;

    /** The choice made through {@link #setEnabled}; null: the system property decides. */
    private static volatile Boolean chosen;
    private static long runs;
    private static long declined;

    private OneDnnConvolution() {
    }

    /** The system property's choice, read on each call (a command line may set it after this class loaded). */
    private static boolean configured() {
        String p = System.getProperty(PROPERTY);
        if (p == null || p.isBlank() || p.trim().equals("descent")) {
            return false;
        }
        if (p.trim().equals("onednn")) {
            return true;
        }
        throw new IllegalArgumentException(PROPERTY + ": expected 'descent' or 'onednn', got '" + p + "'");
    }

    /** Chooses oneDNN's convolutions (true) or Descent's (false) for the calls that follow, whatever the property says. */
    static void setEnabled(boolean on) {
        if (on) {
            Native.get();
        }
        chosen = on;
    }

    /** Leaves the choice to the system property again. */
    static void followProperty() {
        chosen = null;
    }

    static boolean enabled() {
        Boolean c = chosen;
        return c != null ? c : configured();
    }

    /** Calls oneDNN has run so far: for tests. */
    static synchronized long runs() {
        return runs;
    }

    /** Shapes oneDNN declined so far (their calls took Descent's path): for tests. */
    static synchronized long declined() {
        return declined;
    }

    /**
     * Whether this call goes to oneDNN: float32 with a nonempty batch, when chosen, unless the
     * input has a single channel. There oneDNN gains nothing (a 28×28 image into 32 channels,
     * batch 128: forward 0.65 ms against Descent's 0.64, weight gradient 0.70 against 0.58) and
     * its input gradient is 5× slower (4.9 ms against 1.0).
     */
    private static boolean takes(StridedView x, StridedView out) {
        return out.dtype() == DType.FLOAT32 && out.shape()[0] > 0 && x.shape()[1] > 1 && enabled();
    }

    /** {@link CpuBackend#conv2d} on oneDNN; false where it is Descent's to do. */
    static synchronized boolean forward(CpuBackend backend, StridedView x, StridedView w, StridedView bias, Conv2dGeometry g,
            StridedView out) {
        return takes(x, out) && run(backend, new Key(Op.FORWARD, x.shape(), w.shape(), out.shape(), g, bias != null),
                bias == null ? List.of(x, w) : List.of(x, w, bias), out);
    }

    /** {@link CpuBackend#conv2dInputGrad} on oneDNN; false where it is Descent's to do. */
    static synchronized boolean inputGrad(CpuBackend backend, StridedView gradOut, StridedView w, Conv2dGeometry g,
            StridedView gradIn) {
        return takes(gradIn, gradOut) && run(backend,
                new Key(Op.INPUT_GRAD, gradIn.shape(), w.shape(), gradOut.shape(), g, false), List.of(gradOut, w), gradIn);
    }

    /** {@link CpuBackend#conv2dWeightGrad} on oneDNN; false where it is Descent's to do. */
    static synchronized boolean weightGrad(CpuBackend backend, StridedView x, StridedView gradOut, Conv2dGeometry g,
            StridedView gradW) {
        return takes(x, gradOut) && run(backend,
                new Key(Op.WEIGHT_GRAD, x.shape(), gradW.shape(), gradOut.shape(), g, false), List.of(x, gradOut), gradW);
    }

    /** Runs the plan for {@code key} on {@code ins} into {@code out}; false where oneDNN declined the shape. */
    private static boolean run(CpuBackend backend, Key key, List<StridedView> ins, StridedView out) {
        Plan plan = plan(key);
        if (plan == null) {
            return false;
        }
        plan.run(backend, ins, out);
        return true;
    }

    private enum Op { FORWARD, INPUT_GRAD, WEIGHT_GRAD }

    /** One convolution's shapes: input [N, C, H, W], weight, output; with a bias or not (the forward's). */
    private record Key(Op op, List<Integer> x, List<Integer> w, List<Integer> out, Conv2dGeometry g, boolean bias) {
        Key(Op op, int[] x, int[] w, int[] out, Conv2dGeometry g, boolean bias) {
            this(op, list(x), list(w), list(out), g, bias);
        }

        private static List<Integer> list(int[] a) {
            return Arrays.stream(a).boxed().toList();
        }

        int[] array(List<Integer> l) {
            return l.stream().mapToInt(Integer::intValue).toArray();
        }
    }

    /** Plans by shape, least recently used first; a shape oneDNN declined maps to {@link #DECLINED}. */
    private static final Map<Key, Plan> PLAN_CACHE = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Key, Plan> eldest) {
            if (size() <= PLANS) {
                return false;
            }
            eldest.getValue().close();
            return true;
        }
    };
    private static final Plan DECLINED = new Plan(null, List.of(), null);

    private static Plan plan(Key key) {
        Plan p = PLAN_CACHE.get(key);
        if (p == null) {
            p = make(key.op(), key.array(key.x()), key.array(key.w()), key.array(key.out()), key.g(), key.bias());
            PLAN_CACHE.put(key, p);
            if (p == DECLINED) {
                declined++;
            }
        }
        if (p == DECLINED) {
            return null;
        }
        runs++;
        return p;
    }

    /** The primitive for one shape, or {@link #DECLINED} where oneDNN has none (the exception says why). */
    private static Plan make(Op op, int[] x, int[] w, int[] out, Conv2dGeometry g, boolean bias) {
        Native n = Native.get();
        Descs d = new Descs(x, w, out, g);
        try (primitive_attr attr = new primitive_attr()) {
            attr.set_deterministic(true);
            convolution_forward.primitive_desc fwd = new convolution_forward.primitive_desc(n.engine,
                    dnnl.prop_kind.forward_training, dnnl.algorithm.convolution_direct, d.any(x), d.anyWeight(),
                    bias ? d.plain(new int[] {w[0]}) : new memory.desc(), d.any(out), d.strides, d.dilations, d.padL,
                    d.padR, attr, false);
            return switch (op) {
                case FORWARD -> new Plan(new convolution_forward(fwd), operands(n, fwd, d, bias), d.plain(out))
                        .output(n, fwd.dst_desc(), dnnl.DNNL_ARG_DST);
                case INPUT_GRAD -> {
                    var pd = new convolution_backward_data.primitive_desc(n.engine, dnnl.algorithm.convolution_direct,
                            d.any(x), d.anyWeight(), d.any(out), d.strides, d.dilations, d.padL, d.padR, fwd, attr,
                            false);
                    yield new Plan(new convolution_backward_data(pd), List.of(
                            new Operand(dnnl.DNNL_ARG_DIFF_DST, d.plain(out), pd.diff_dst_desc(), n),
                            new Operand(dnnl.DNNL_ARG_WEIGHTS, d.plainWeight(), pd.weights_desc(), n)), d.plain(x))
                            .output(n, pd.diff_src_desc(), dnnl.DNNL_ARG_DIFF_SRC);
                }
                case WEIGHT_GRAD -> {
                    var pd = new convolution_backward_weights.primitive_desc(n.engine,
                            dnnl.algorithm.convolution_direct, d.any(x), d.anyWeight(), new memory.desc(), d.any(out),
                            d.strides, d.dilations, d.padL, d.padR, fwd, attr, false);
                    yield new Plan(new convolution_backward_weights(pd), List.of(
                            new Operand(dnnl.DNNL_ARG_SRC, d.plain(x), pd.src_desc(), n),
                            new Operand(dnnl.DNNL_ARG_DIFF_DST, d.plain(out), pd.diff_dst_desc(), n)),
                            d.plainWeight()).output(n, pd.diff_weights_desc(), dnnl.DNNL_ARG_DIFF_WEIGHTS);
                }
            };
        } catch (RuntimeException unsupported) {   // oneDNN has no primitive for this geometry
            return DECLINED;
        }
    }

    private static List<Operand> operands(Native n, convolution_forward.primitive_desc fwd, Descs d, boolean bias) {
        Operand src = new Operand(dnnl.DNNL_ARG_SRC, d.plain(d.x), fwd.src_desc(), n);
        Operand wei = new Operand(dnnl.DNNL_ARG_WEIGHTS, d.plainWeight(), fwd.weights_desc(), n);
        return bias ? List.of(src, wei, new Operand(dnnl.DNNL_ARG_BIAS, d.plain(new int[] {d.w[0]}), fwd.bias_desc(), n))
                : List.of(src, wei);
    }

    /** The memory descriptors of one convolution: plain (Descent's row-major NCHW / OIHW) or left to oneDNN. */
    private static final class Descs {
        final int[] x;
        final int[] w;
        final int groups;
        final long[] strides;
        final long[] dilations;
        final long[] padL;
        final long[] padR;

        Descs(int[] x, int[] w, int[] out, Conv2dGeometry g) {
            this.x = x;
            this.w = w;
            groups = g.groups();
            strides = new long[] {g.strideH(), g.strideW()};
            dilations = new long[] {g.dilationH() - 1L, g.dilationW() - 1L};   // oneDNN counts the gaps
            padL = new long[] {g.padH(), g.padW()};
            // the padding after the last row/column that makes oneDNN's output size Descent's (a window
            // that does not reach the end, as with a stride larger than the kernel, needs none)
            padR = new long[] {
                Math.max(0, (out[2] - 1L) * g.strideH() + (w[2] - 1L) * g.dilationH() + 1 - x[2] - g.padH()),
                Math.max(0, (out[3] - 1L) * g.strideW() + (w[3] - 1L) * g.dilationW() + 1 - x[3] - g.padW())};
        }

        memory.desc plain(int[] shape) {
            return new memory.desc(dims(shape), memory.data_type.f32, rowMajor(dims(shape)));
        }

        memory.desc any(int[] shape) {
            return new memory.desc(dims(shape), memory.data_type.f32, memory.format_tag.any);
        }

        /** Weights as oneDNN sees them: [O, C/G, KH, KW], or [G, O/G, C/G, KH, KW] with groups (the same memory). */
        long[] weightDims() {
            return groups == 1 ? dims(w) : new long[] {groups, w[0] / groups, w[1], w[2], w[3]};
        }

        memory.desc plainWeight() {
            return new memory.desc(weightDims(), memory.data_type.f32, rowMajor(weightDims()));
        }

        memory.desc anyWeight() {
            return new memory.desc(weightDims(), memory.data_type.f32, memory.format_tag.any);
        }

        private static long[] dims(int[] shape) {
            return Arrays.stream(shape).asLongStream().toArray();
        }

        private static long[] rowMajor(long[] dims) {
            long[] s = new long[dims.length];
            long step = 1;
            for (int i = dims.length - 1; i >= 0; i--) {
                s[i] = step;
                step *= dims[i];
            }
            return s;
        }
    }

    /**
     * One argument of a primitive: a memory over Descent's tensor, and where the primitive wants
     * another layout, a memory in that layout and the reorder that fills it (an input) or empties
     * it (the output). The blocked memory's buffer comes from the backend's pool for the length of
     * one call ({@link #hold}, {@link #release}): counted in {@code descent.cpu.maxBytes} like any
     * tensor, and reused by the next call of any shape rather than kept by the plan.
     */
    private static final class Operand implements AutoCloseable {
        final int arg;
        final memory user;
        final memory inner;
        final reorder move;
        private final long innerBytes;
        private CpuStorage held;

        Operand(int arg, memory.desc plain, memory.desc wanted, Native n, boolean output) {
            this.arg = arg;
            user = new memory(plain, n.engine, (Pointer) null);
            if (plain.equals(wanted)) {
                inner = user;
                move = null;
                innerBytes = 0;
            } else {
                inner = new memory(wanted, n.engine, (Pointer) null);
                move = output ? new reorder(inner, user) : new reorder(user, inner);
                innerBytes = wanted.get_size();
            }
        }

        Operand(int arg, memory.desc plain, memory.desc wanted, Native n) {
            this(arg, plain, wanted, n, false);
        }

        void point(StridedView v) {
            user.set_data_handle(at(((CpuStorage) v.storage()).address(v.offset())));
        }

        void hold() {
            if (move != null) {
                held = new CpuStorage(DType.FLOAT32, (innerBytes + Float.BYTES - 1) / Float.BYTES);
                inner.set_data_handle(at(held.address(0)));
            }
        }

        void release() {
            if (held != null) {
                held.free();
                held = null;
            }
        }

        void moveIn(stream s) {
            if (move != null) {
                move.execute(s, user, inner);
            }
        }

        void moveOut(stream s) {
            if (move != null) {
                move.execute(s, inner, user);
            }
        }

        /** A plain Pointer at an address: a {@code void*} argument adds a typed pointer's position in bytes. */
        private static Pointer at(long where) {
            return new Pointer() {
                {
                    address = where;   // Pointer's own field: a parameter named 'address' would be shadowed by it
                }
            };
        }

        @Override
        public void close() {
            if (move != null) {
                move.close();
                inner.close();
            }
            user.close();
        }
    }

    /** A primitive for one shape, its input operands and its output. */
    private static final class Plan implements AutoCloseable {
        private final primitive primitive;
        private final List<Operand> inputs;
        private final memory.desc outputPlain;
        private Operand output;
        private IntMemoryMap args;

        Plan(primitive primitive, List<Operand> inputs, memory.desc outputPlain) {
            this.primitive = primitive;
            this.inputs = inputs;
            this.outputPlain = outputPlain;
        }

        Plan output(Native n, memory.desc wanted, int arg) {
            output = new Operand(arg, outputPlain, wanted, n, true);
            args = new IntMemoryMap();
            for (Operand o : inputs) {
                args.put(o.arg, o.inner);
            }
            args.put(arg, output.inner);
            return this;
        }

        /** Runs the primitive on {@code ins} (the operands' order) into the contiguous {@code out}; callers hold the class's lock. */
        void run(CpuBackend backend, List<StridedView> ins, StridedView out) {
            StridedView[] used = new StridedView[ins.size()];
            try {
                stream s = Native.get().stream;
                for (int i = 0; i < used.length; i++) {
                    StridedView v = ins.get(i);
                    used[i] = v.isContiguous() ? v : Gemm.contiguousCopy(backend, v);
                    inputs.get(i).point(used[i]);
                    inputs.get(i).hold();
                    inputs.get(i).moveIn(s);
                }
                output.point(out);
                output.hold();
                primitive.execute(s, args);
                output.moveOut(s);
                s._wait();
            } finally {
                for (int i = 0; i < used.length; i++) {
                    inputs.get(i).release();
                    if (used[i] != null && used[i] != ins.get(i)) {
                        used[i].storage().free();
                    }
                }
                output.release();
            }
        }

        @Override
        public void close() {
            if (primitive == null) {
                return;
            }
            for (Operand o : inputs) {
                o.close();
            }
            output.close();
            args.close();
            primitive.close();
        }
    }

    /** oneDNN's engine and stream, made on first use; loading its library is what can fail. */
    private static final class Native {
        private static volatile Native instance;
        final engine engine;
        final stream stream;

        private Native() {
            engine = new engine(org.bytedeco.dnnl.engine.kind.cpu, 0);
            stream = new stream(engine);
        }

        static Native get() {
            Native n = instance;
            if (n == null) {
                synchronized (Native.class) {
                    if (instance == null) {
                        try {
                            OpenMpEnvironment.prepare();
                            Loader.load(dnnl.class);
                            instance = new Native();
                        } catch (Throwable t) {
                            throw new BackendUnavailableException(PROPERTY + "=onednn: oneDNN could not be loaded ("
                                    + t + "); it needs org.bytedeco:dnnl with the natives for " + Loader.getPlatform()
                                    + ", or leave " + PROPERTY + " unset for Descent's own convolutions");
                        }
                    }
                    n = instance;
                }
            }
            return n;
        }
    }
}
