package dev.descent.onnx;

import dev.descent.autograd.Variable;
import dev.descent.core.Check;
import dev.descent.core.DType;
import dev.descent.core.Tensor;
import dev.descent.nn.Module;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Exports a module to an ONNX file, so that it runs in ONNX Runtime, PyTorch's and other
 * tools. The graph is the module's inference computation (as in eval mode: dropout is the
 * identity, batch norm uses its running statistics), built layer by layer by the exporters of
 * {@link OnnxExporters}; the weights are stored in the file. The example input fixes every
 * axis but the first, which stays symbolic ({@code batch}), so the model takes any batch size.
 *
 * <pre>{@code
 * Onnx.export(model, Tensor.zeros(DType.FLOAT32, 1, 784), Path.of("mlp.onnx"));
 * }</pre>
 *
 * <p>Written with a protocol-buffers writer of its own ({@link Proto}): IR version
 * {@value #IR_VERSION}, opset {@value #OPSET}; input {@code input}, output {@code output}.
 */
public final class Onnx {
    /** ONNX IR version 8 (ONNX 1.10 and later). */
    public static final int IR_VERSION = 8;
    /** The standard operator set's version. */
    public static final int OPSET = 17;
    static final String PRODUCER_VERSION = "0.1.0";

    private Onnx() {
    }

    /**
     * Writes {@code module} as an ONNX model to {@code path} (atomically: a temporary file in
     * the same directory, renamed over the target).
     *
     * @param exampleInput an input of the shape the model takes (any batch size): of the weights'
     *     floating dtype, or integer indices for a model that starts with an embedding
     * @throws IllegalArgumentException naming the module when a layer has no exporter
     */
    public static void export(Module module, Tensor exampleInput, Path path) throws IOException {
        byte[] bytes = toBytes(module, exampleInput);
        Path dir = path.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, path.getFileName().toString(), ".tmp");
        try {
            Files.write(tmp, bytes);
            Files.move(tmp, path, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** The dtype of the module's weights; a module without any takes its floating input's. */
    private static DType weightDtype(Module module, Tensor example) {
        for (Variable p : module.parameters()) {
            return p.dtype();
        }
        return example.dtype().isFloating() ? example.dtype() : DType.FLOAT32;
    }

    /** The ONNX model as bytes (what {@link #export} writes). */
    public static byte[] toBytes(Module module, Tensor exampleInput) {
        Check.argument(module != null, "Onnx.export", "expected a module, got null");
        Check.argument(exampleInput != null, "Onnx.export", "expected an example input, got null");
        exampleInput.checkOpen("Onnx.export");
        Check.argument(exampleInput.rank() >= 1, "Onnx.export", "expected an example input with a batch axis, got %s%s",
                exampleInput.dtype(), exampleInput.shape());
        DType weights = weightDtype(module, exampleInput);
        Check.argument(exampleInput.dtype().isFloating() ? exampleInput.dtype() == weights
                        : exampleInput.dtype() == DType.INT64 || exampleInput.dtype() == DType.INT32, "Onnx.export",
                "expected a %s example input (the weights' dtype) or integer indices (token ids), got %s",
                weights, exampleInput.dtype());
        boolean training = module.isTraining();
        OnnxGraph g = new OnnxGraph(weights);
        module.eval();
        try {
            g.input("input", exampleInput.copy());
            String out = g.export(module, "input");
            return g.model(module.getClass().getSimpleName(), "input", g.output(out));
        } finally {
            module.train(training);
            g.closeExamples();
        }
    }
}
