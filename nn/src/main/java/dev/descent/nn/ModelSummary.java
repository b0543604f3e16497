package dev.descent.nn;

import dev.descent.autograd.NoGrad;
import dev.descent.autograd.Variable;
import dev.descent.core.Check;
import dev.descent.core.DType;
import dev.descent.core.Device;
import dev.descent.core.Scope;
import dev.descent.core.Shape;
import dev.descent.core.Tensor;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The table of {@link Module#summary}: one row per module, then the totals. */
final class ModelSummary {
    private ModelSummary() {
    }

    private record Row(String name, String type, String shape, long params) {
    }

    static String of(Module model, int... inputShape) {
        Check.argument(inputShape != null && inputShape.length > 0, "Module.summary",
                "expected the input's shape, batch axis first, got %s", java.util.Arrays.toString(inputShape));
        List<Variable> params = model.parameters();
        DType dtype = params.isEmpty() ? DType.FLOAT32 : params.get(0).dtype();
        Device device = params.isEmpty() ? null : params.get(0).device();
        Map<Module, Shape> shapes = new IdentityHashMap<>();
        boolean training = model.isTraining();
        model.eval();
        try (NoGrad off = NoGrad.open(); Scope scope = Scope.open()) {
            Tensor x = device == null ? Tensor.zeros(dtype, inputShape) : Tensor.zeros(device, dtype, inputShape);
            shapes.put(model, run(model, Variable.of(x), shapes).shape());
        } finally {
            model.train(training);
        }
        List<Row> rows = new ArrayList<>();
        collect(model, "", 0, shapes, rows);
        return render(model, rows, dtype);
    }

    /** Runs {@code m}, recording the output shape of every module a {@link Sequential} runs. */
    private static Variable run(Module m, Variable x, Map<Module, Shape> shapes) {
        if (m instanceof Sequential s) {
            Variable h = x;
            for (Module c : s.children().values()) {
                h = run(c, h, shapes);
                shapes.put(c, h.shape());
            }
            return h;
        }
        return m.forward(x);
    }

    private static void collect(Module m, String name, int depth, Map<Module, Shape> shapes, List<Row> rows) {
        Shape s = shapes.get(m);
        rows.add(new Row("  ".repeat(depth) + (name.isEmpty() ? "" : name + ": ") + m.getClass().getSimpleName(),
                m.getClass().getSimpleName(), s == null ? "-" : s.toString(), m.parameterCount()));
        for (Map.Entry<String, Module> c : m.children().entrySet()) {
            collect(c.getValue(), c.getKey(), depth + 1, shapes, rows);
        }
    }

    private static String render(Module model, List<Row> rows, DType dtype) {
        int width = Math.max(24, rows.stream().mapToInt(r -> r.name().length()).max().orElse(0) + 2);
        String fmt = "%-" + width + "s %-20s %14s%n";
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, fmt, "Layer (type)", "Output shape", "Param #"));
        sb.append("-".repeat(width + 36)).append('\n');
        for (Row r : rows) {
            sb.append(String.format(Locale.ROOT, fmt, r.name(), r.shape(), String.format(Locale.ROOT, "%,d", r.params())));
        }
        sb.append("-".repeat(width + 36)).append('\n');
        long total = model.parameterCount();
        long trainable = model.parameters().stream().filter(Variable::requiresGrad).mapToLong(Variable::numel).sum();
        long bufferElements = model.namedBuffers().values().stream().mapToLong(Tensor::numel).sum();
        long bytes = model.namedState().values().stream().mapToLong(t -> t.numel() * t.dtype().byteSize()).sum();
        sb.append(String.format(Locale.ROOT, "Total params: %,d (trainable %,d)%n", total, trainable));
        sb.append(String.format(Locale.ROOT, "Buffers: %,d elements%n", bufferElements));
        sb.append(String.format(Locale.ROOT, "Weights in memory: %,d bytes (%s)%n", bytes, dtype));
        return sb.toString();
    }
}
