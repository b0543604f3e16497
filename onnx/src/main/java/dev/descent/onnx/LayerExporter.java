package dev.descent.onnx;

import dev.descent.nn.Module;

/**
 * Writes one kind of module as ONNX nodes: given the module and the name of its input value,
 * adds nodes and initialisers to the graph and returns the name of the output value. One per
 * layer type, registered in {@link OnnxExporters}; the exported graph is the module's
 * inference (eval-mode) computation.
 *
 * @param <M> the module type
 */
@FunctionalInterface
public interface LayerExporter<M extends Module> {
    String export(M module, String input, OnnxGraph graph);
}
