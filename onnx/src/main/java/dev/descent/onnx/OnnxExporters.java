package dev.descent.onnx;

import dev.descent.core.Check;
import dev.descent.core.Tensor;
import dev.descent.core.Conv2dOptions;
import dev.descent.core.Pool2dOptions;
import dev.descent.nn.AdaptiveAvgPool2d;
import dev.descent.nn.AvgPool2d;
import dev.descent.nn.BatchNorm;
import dev.descent.nn.BatchNorm1d;
import dev.descent.nn.BatchNorm2d;
import dev.descent.nn.Conv2d;
import dev.descent.nn.MaxPool2d;
import dev.descent.nn.Dropout;
import dev.descent.nn.Flatten;
import dev.descent.nn.Linear;
import dev.descent.nn.Module;
import dev.descent.nn.Sequential;
import dev.descent.nn.Standardize;
import dev.descent.nn.activation.GELU;
import dev.descent.nn.activation.LeakyReLU;
import dev.descent.nn.activation.LogSoftmax;
import dev.descent.nn.activation.ReLU;
import dev.descent.nn.activation.Sigmoid;
import dev.descent.nn.activation.Softmax;
import dev.descent.nn.activation.Softplus;
import dev.descent.nn.activation.Tanh;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The registry of layer exporters, one per module class (exact class, not subclasses: a
 * subclass may compute something else). Descent's layers are registered here; a layer of
 * one's own is added with {@link #register}. Each exporter states its layer's inference
 * computation in ONNX operators of opset {@value Onnx#OPSET}.
 */
public final class OnnxExporters {
    private static final Map<Class<?>, LayerExporter<?>> EXPORTERS = new ConcurrentHashMap<>();

    static {
        register(Sequential.class, OnnxExporters::sequential);
        register(Linear.class, OnnxExporters::linear);
        register(Flatten.class, OnnxExporters::flatten);
        register(Dropout.class, (m, x, g) -> g.node("Identity", x));
        register(BatchNorm1d.class, OnnxExporters::batchNorm);
        register(BatchNorm2d.class, OnnxExporters::batchNorm);
        register(Conv2d.class, OnnxExporters::conv);
        register(MaxPool2d.class, (m, x, g) -> g.node("MaxPool", List.of(x), poolAttributes(m.options())));
        register(AvgPool2d.class, OnnxExporters::averagePool);
        register(AdaptiveAvgPool2d.class, OnnxExporters::adaptiveAveragePool);
        register(ReLU.class, (m, x, g) -> g.node("Relu", x));
        register(Sigmoid.class, (m, x, g) -> g.node("Sigmoid", x));
        register(Tanh.class, (m, x, g) -> g.node("Tanh", x));
        register(Softplus.class, (m, x, g) -> g.node("Softplus", x));
        register(LeakyReLU.class, (m, x, g) -> g.node("LeakyRelu", List.of(x), Map.of("alpha", m.slope())));
        register(Softmax.class, (m, x, g) -> g.node("Softmax", List.of(x), Map.of("axis", (long) m.axis())));
        register(LogSoftmax.class, (m, x, g) -> g.node("LogSoftmax", List.of(x), Map.of("axis", (long) m.axis())));
        register(GELU.class, OnnxExporters::gelu);
        register(Standardize.class, (m, x, g) -> g.node("Div", g.node("Sub", x, g.initializer("mean", m.mean())),
                g.initializer("std", m.std())));
    }

    private OnnxExporters() {
    }

    /** Registers (or replaces) the exporter of modules of exactly the class {@code type}. */
    public static <M extends Module> void register(Class<M> type, LayerExporter<? super M> exporter) {
        Check.argument(type != null && exporter != null, "OnnxExporters.register",
                "expected a module class and an exporter, got %s and %s", type, exporter);
        EXPORTERS.put(type, exporter);
    }

    /** Whether modules of this class can be exported. */
    public static boolean has(Class<? extends Module> type) {
        return EXPORTERS.containsKey(type);
    }

    @SuppressWarnings("unchecked")
    static LayerExporter<Module> find(Module module) {
        LayerExporter<?> e = EXPORTERS.get(module.getClass());
        if (e == null) {
            throw Check.fail("Onnx.export", "no exporter for %s (exporters exist for %s); add one with"
                    + " OnnxExporters.register(%s.class, ...)", module.getClass().getName(),
                    EXPORTERS.keySet().stream().map(Class::getSimpleName).sorted().toList(),
                    module.getClass().getSimpleName());
        }
        return (LayerExporter<Module>) e;
    }

    private static String sequential(Sequential s, String x, OnnxGraph g) {
        String h = x;
        for (Map.Entry<String, Module> c : s.children().entrySet()) {
            h = g.exportChild(c.getKey(), c.getValue(), h);
        }
        return s.size() == 0 ? g.node("Identity", x) : h;
    }

    /** {@code y = x Wᵀ + b}: Gemm (transB) for a matrix input, MatMul with Wᵀ (and Add) for batches of them. */
    private static String linear(Linear m, String x, OnnxGraph g) {
        boolean bias = m.hasParameter("bias");
        if (g.shape(x).length == 2) {
            String w = g.initializer("weight", m.weight().data());
            List<String> in = bias ? List.of(x, w, g.initializer("bias", m.bias().data())) : List.of(x, w);
            return g.node("Gemm", in, Map.of("transB", 1L));
        }
        String wt;
        try (Tensor t = m.weight().data().t()) {
            wt = g.initializer("weight_t", t);
        }
        String y = g.node("MatMul", x, wt);
        return bias ? g.node("Add", y, g.initializer("bias", m.bias().data())) : y;
    }

    /** Flatten's axes {@code start..end} joined: ONNX Flatten when they run to the last axis from 1, else Reshape. */
    private static String flatten(Flatten m, String x, OnnxGraph g) {
        int[] dims = g.shape(x);
        int rank = dims.length;
        int s = Check.axis("Flatten", m.startAxis(), rank);
        int e = Check.axis("Flatten", m.endAxis(), rank);
        if (s == 1 && e == rank - 1) {
            return g.node("Flatten", List.of(x), Map.of("axis", 1L));
        }
        long[] shape = new long[rank - (e - s)];
        int k = 0;
        for (int d = 0; d < rank; d++) {
            if (d <= s || d > e) {
                shape[k++] = d == 0 ? 0 : d == s ? -1 : dims[d];
            }
        }
        return g.node("Reshape", x, g.constant("shape", shape));
    }

    /** Inference batch norm: the running statistics; γ = 1, β = 0 when the layer is not affine. */
    private static String batchNorm(BatchNorm m, String x, OnnxGraph g) {
        String scale;
        String shift;
        if (m.affine()) {
            scale = g.initializer("weight", m.weight().data());
            shift = g.initializer("bias", m.bias().data());
        } else {
            Tensor r = m.runningVar();
            try (Tensor ones = Tensor.ones(r.device(), r.dtype(), r.shape().dims());
                 Tensor zeros = Tensor.zeros(r.device(), r.dtype(), r.shape().dims())) {
                scale = g.initializer("weight", ones);
                shift = g.initializer("bias", zeros);
            }
        }
        String mean = g.initializer("running_mean", m.runningMean());
        String var = g.initializer("running_var", m.runningVar());
        return g.node("BatchNormalization", List.of(x, scale, shift, mean, var), Map.of("epsilon", m.eps()));
    }

    /** Conv: PyTorch's weight layout is ONNX's ({@code [out, in/groups, kh, kw]}); "same" padding as explicit pads. */
    private static String conv(Conv2d m, String x, OnnxGraph g) {
        Conv2dOptions o = m.options();
        int[] w = m.weight().shape().dims();
        int kh = w[2];
        int kw = w[3];
        // PyTorch's "same": dilation·(k − 1) in all, the smaller half before
        long top = o.same() ? o.dilationH() * (kh - 1) / 2 : o.padH();
        long left = o.same() ? o.dilationW() * (kw - 1) / 2 : o.padW();
        long bottom = o.same() ? o.dilationH() * (kh - 1) - top : o.padH();
        long right = o.same() ? o.dilationW() * (kw - 1) - left : o.padW();
        Map<String, Object> attributes = Map.of("kernel_shape", new long[] {kh, kw},
                "strides", new long[] {o.strideH(), o.strideW()}, "pads", new long[] {top, left, bottom, right},
                "dilations", new long[] {o.dilationH(), o.dilationW()}, "group", (long) o.groups());
        String weight = g.initializer("weight", m.weight().data());
        List<String> in = m.hasParameter("bias") ? List.of(x, weight, g.initializer("bias", m.bias().data()))
                : List.of(x, weight);
        return g.node("Conv", in, attributes);
    }

    private static Map<String, Object> poolAttributes(Pool2dOptions o) {
        return Map.of("kernel_shape", new long[] {o.kernelH(), o.kernelW()},
                "strides", new long[] {o.strideH(), o.strideW()},
                "pads", new long[] {o.padH(), o.padW(), o.padH(), o.padW()});
    }

    /** AveragePool; PyTorch's count_include_pad is ONNX's (no ceil mode, so no window passes the padding). */
    private static String averagePool(AvgPool2d m, String x, OnnxGraph g) {
        Map<String, Object> attributes = new java.util.HashMap<>(poolAttributes(m.options()));
        attributes.put("count_include_pad", m.options().countIncludePad() ? 1L : 0L);
        return g.node("AveragePool", List.of(x), attributes);
    }

    /**
     * GlobalAveragePool for a 1×1 output; AveragePool with windows of H/oh × W/ow when the sizes
     * divide (PyTorch's adaptive windows are then exactly those). Other sizes have overlapping
     * windows of varying size, which no single ONNX operator states: refused, naming the sizes.
     */
    private static String adaptiveAveragePool(AdaptiveAvgPool2d m, String x, OnnxGraph g) {
        int[] dims = g.shape(x);
        int oh = m.outputHeight();
        int ow = m.outputWidth();
        if (oh == 1 && ow == 1) {
            return g.node("GlobalAveragePool", x);
        }
        int h = dims[2];
        int w = dims[3];
        Check.argument(h % oh == 0 && w % ow == 0, "Onnx.export",
                "AdaptiveAvgPool2d to %dx%d of a %dx%d input: ONNX has no adaptive pooling, and windows of varying"
                        + " size are exported only when the sizes divide (or to 1x1)", oh, ow, h, w);
        return g.node("AveragePool", List.of(x), Map.of("kernel_shape", new long[] {h / oh, w / ow},
                "strides", new long[] {h / oh, w / ow}));
    }

    /** The exact GELU, {@code x · ½(1 + erf(x/√2))} (opset 17 has no Gelu operator). */
    private static String gelu(GELU m, String x, OnnxGraph g) {
        String erf = g.node("Erf", g.node("Mul", x, g.scalar("inv_sqrt2", 1 / Math.sqrt(2))));
        String half = g.node("Mul", g.node("Add", erf, g.scalar("one", 1)), g.scalar("half", 0.5));
        return g.node("Mul", x, half);
    }
}
