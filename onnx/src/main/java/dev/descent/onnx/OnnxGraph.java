package dev.descent.onnx;

import dev.descent.autograd.NoGrad;
import dev.descent.autograd.Variable;
import dev.descent.core.Check;
import dev.descent.core.DType;
import dev.descent.core.Scope;
import dev.descent.core.Tensor;
import dev.descent.nn.Module;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An ONNX graph being built by the layer exporters ({@link LayerExporter}): nodes, initialisers
 * (the weights) and, for every value, the shape it has on the example input. Each module is
 * exported by {@link #export(Module, String)}, which finds its exporter in {@link OnnxExporters}
 * and runs the module's own forward on the example value, so an exporter can read the shape of
 * what it is given ({@link #shape}) and the next one that of what it made.
 *
 * <p>Names are made unique here; an exporter passes a hint ({@code "0.weight"}).
 */
public final class OnnxGraph {
    /** ONNX's {@code TensorProto.DataType} codes for the dtypes an exported model may have. */
    private static final Map<DType, Integer> ELEM_TYPE = Map.of(DType.FLOAT32, 1, DType.FLOAT64, 11,
            DType.INT32, 6, DType.INT64, 7);

    private final DType dtype;
    private final List<Proto> nodes = new ArrayList<>();
    private final List<Proto> initializers = new ArrayList<>();
    private final Map<String, Integer> used = new HashMap<>();
    private final Map<String, Tensor> examples = new LinkedHashMap<>();
    private String prefix = "";

    OnnxGraph(DType dtype) {
        this.dtype = dtype;
    }

    /** The floating dtype of the model's weights (and of its floating input and output). */
    public DType dtype() {
        return dtype;
    }

    /**
     * Exports {@code module} applied to the value {@code input} and returns the name of its
     * output: its exporter's nodes, and the example value the module's own forward computes
     * (so later exporters know its shape). Exporters of containers call this for each child.
     */
    public String export(Module module, String input) {
        LayerExporter<Module> exporter = OnnxExporters.find(module);
        Tensor x = example(input);
        String output = exporter.export(module, input, this);
        Tensor y;
        try (NoGrad off = NoGrad.open(); Scope scope = Scope.open()) {
            // A copy: the forward may return its input itself (dropout in eval mode).
            y = Scope.escape(module.forward(Variable.of(x)).data().copy());
        }
        Check.argument(java.util.Arrays.equals(y.shape().dims(), shapeIfKnown(output, y.shape().dims())),
                "Onnx.export", "the exporter of %s gave %s a shape that differs from the module's output %s",
                module.getClass().getSimpleName(), output, y.shape());
        Tensor replaced = examples.put(output, y);
        if (replaced != null && replaced != y) {
            replaced.close();
        }
        return output;
    }

    /** Exports the child {@code name} of a container, its weights named under {@code name.}. */
    public String exportChild(String name, Module child, String input) {
        String outer = prefix;
        prefix = outer + name + ".";
        try {
            return export(child, input);
        } finally {
            prefix = outer;
        }
    }

    /** The shape value {@code name} has on the example input (its first axis is the batch). */
    public int[] shape(String name) {
        return example(name).shape().dims();
    }

    private int[] shapeIfKnown(String name, int[] fallback) {
        Tensor t = examples.get(name);
        return t == null ? fallback : t.shape().dims();
    }

    private Tensor example(String name) {
        Tensor t = examples.get(name);
        if (t == null) {
            throw Check.fail("Onnx.export", "no value named '%s' in the graph (values: %s)", name, examples.keySet());
        }
        return t;
    }

    void input(String name, Tensor example) {
        examples.put(name, example);
        used.put(name, 1);
    }

    /**
     * Adds {@code tensor} as an initialiser (a constant of the graph: a weight) and returns its
     * name, {@code hint} under the current module's prefix. The tensor is copied now, converted
     * to the model's dtype if it is floating.
     */
    public String initializer(String hint, Tensor tensor) {
        String name = unique(prefix + hint);
        DType t = tensor.dtype().isFloating() ? dtype : tensor.dtype();
        ByteBuffer raw;
        try (Tensor c = tensor.to(t)) {
            long n = c.numel();
            raw = ByteBuffer.allocate(Math.toIntExact(n * t.byteSize())).order(ByteOrder.LITTLE_ENDIAN);
            switch (t) {
                case FLOAT32 -> raw.asFloatBuffer().put(c.toFloatArray());
                case FLOAT64 -> raw.asDoubleBuffer().put(c.toDoubleArray());
                case INT32 -> raw.asIntBuffer().put(c.toIntArray());
                case INT64 -> raw.asLongBuffer().put(c.toLongArray());
            }
        }
        initializers.add(tensorProto(name, t, longs(tensor.shape().dims()), raw.array()));
        return name;
    }

    /** An int64 constant (a shape for {@code Reshape}, axes for {@code Unsqueeze}). */
    public String constant(String hint, long... values) {
        String name = unique(prefix + hint);
        ByteBuffer raw = ByteBuffer.allocate(8 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        raw.asLongBuffer().put(values);
        initializers.add(tensorProto(name, DType.INT64, new long[] {values.length}, raw.array()));
        return name;
    }

    /** A float constant of the model's dtype, a scalar. */
    public String scalar(String hint, double value) {
        try (Tensor t = Tensor.scalar(value, dtype)) {
            return initializer(hint, t);
        }
    }

    /**
     * Adds a node of the standard domain with one output and returns the output's name.
     * Attribute values: Long or Integer (INT), Double or Float (FLOAT), String, long[] (INTS),
     * float[] (FLOATS).
     */
    public String node(String opType, List<String> inputs, Map<String, Object> attributes) {
        String output = unique(prefix + opType.toLowerCase(java.util.Locale.ROOT));
        Proto n = new Proto();
        for (String in : inputs) {
            n.string(1, in);
        }
        n.string(2, output).string(3, output).string(4, opType);
        attributes.forEach((k, v) -> n.message(5, attribute(k, v)));
        nodes.add(n);
        return output;
    }

    /** A node without attributes. */
    public String node(String opType, String... inputs) {
        return node(opType, List.of(inputs), Map.of());
    }

    private String unique(String hint) {
        int k = used.merge(hint, 1, Integer::sum);
        return k == 1 ? hint : hint + "_" + (k - 1);
    }

    private static Proto attribute(String name, Object v) {
        Proto a = new Proto().string(1, name);
        if (v instanceof Integer || v instanceof Long) {
            a.varint(3, ((Number) v).longValue()).varint(20, 2);
        } else if (v instanceof Double || v instanceof Float) {
            a.float32(2, ((Number) v).floatValue()).varint(20, 1);
        } else if (v instanceof String s) {
            a.string(4, s).varint(20, 3);
        } else if (v instanceof long[] ints) {
            a.packed(8, ints).varint(20, 7);
        } else if (v instanceof float[] fs) {
            for (float f : fs) {
                a.float32(7, f);
            }
            a.varint(20, 6);
        } else {
            throw new IllegalArgumentException("ONNX attribute " + name + ": unsupported value " + v);
        }
        return a;
    }

    private static Proto tensorProto(String name, DType t, long[] dims, byte[] raw) {
        Proto p = new Proto();
        if (dims.length > 0) {
            p.packed(1, dims);
        }
        return p.varint(2, ELEM_TYPE.get(t)).string(8, name).bytes(9, raw);
    }

    /** A {@code ValueInfoProto}: the name, the dtype and the shape, its first axis the symbol {@code batch}. */
    private Proto valueInfo(String name) {
        int[] dims = shape(name);
        DType t = example(name).dtype();
        Proto shape = new Proto();
        for (int i = 0; i < dims.length; i++) {
            shape.message(1, i == 0 ? new Proto().string(2, "batch") : new Proto().varint(1, dims[i]));
        }
        Proto tensorType = new Proto().varint(1, ELEM_TYPE.get(t.isFloating() ? dtype : t)).message(2, shape);
        return new Proto().string(1, name).message(2, new Proto().message(1, tensorType));
    }

    /** The whole model: IR version 8, opset 17 of the standard domain. */
    byte[] model(String graphName, String input, String output) {
        Proto g = new Proto();
        nodes.forEach(n -> g.message(1, n));
        g.string(2, graphName);
        initializers.forEach(t -> g.message(5, t));
        g.message(11, valueInfo(input));
        g.message(12, valueInfo(output));
        return new Proto().varint(1, Onnx.IR_VERSION).string(2, "descent").string(3, Onnx.PRODUCER_VERSION)
                .message(7, g).message(8, new Proto().string(1, "").varint(2, Onnx.OPSET)).toBytes();
    }

    /** Names the value {@code value} {@code output}, the graph's output (an Identity node). */
    String output(String value) {
        Proto n = new Proto().string(1, value).string(2, "output").string(3, "output").string(4, "Identity");
        nodes.add(n);
        examples.put("output", example(value).copy());
        return "output";
    }

    void closeExamples() {
        examples.values().forEach(Tensor::close);
    }

    private static long[] longs(int[] dims) {
        long[] out = new long[dims.length];
        for (int i = 0; i < dims.length; i++) {
            out[i] = dims[i];
        }
        return out;
    }
}
