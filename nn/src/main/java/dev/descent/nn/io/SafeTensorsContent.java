package dev.descent.nn.io;

import dev.descent.core.Tensor;
import java.util.Map;

/**
 * What a safetensors file holds: tensors by name (in name order) and the optional
 * {@code __metadata__} strings. Closing it closes the tensors.
 *
 * @param tensors the tensors, owned by this object
 * @param metadata the free-form string map of the header (empty when absent)
 */
public record SafeTensorsContent(Map<String, Tensor> tensors, Map<String, String> metadata) implements AutoCloseable {

    @Override
    public void close() {
        for (Tensor t : tensors.values()) {
            t.close();
        }
    }
}
