package dev.descent.nn.io;

import dev.descent.core.Check;
import dev.descent.nn.Module;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * A module's parameters and buffers in a safetensors file, under their dotted names
 * ({@link Module#namedState()}), so that other frameworks read them by the same keys.
 */
public final class Weights {
    private Weights() {
    }

    /** Writes every parameter and buffer of {@code module} to {@code path}, atomically. */
    public static void save(Module module, Path path) throws IOException {
        save(module, path, Map.of());
    }

    /** As {@link #save(Module, Path)}, with free-form {@code metadata} in the header. */
    public static void save(Module module, Path path, Map<String, String> metadata) throws IOException {
        SafeTensors.write(path, module.namedState(), metadata);
    }

    /**
     * Reads {@code path} into {@code module}'s parameters and buffers. The file is checked
     * completely, then compared with the module; only if every name, dtype and shape matches is
     * anything copied, so a bad file leaves the module as it was.
     *
     * @return the file's metadata
     * @throws SafeTensorsException if the file is not valid safetensors
     * @throws IllegalArgumentException if it does not match the module, naming the first
     *     mismatching parameter or buffer in the module's order
     */
    public static Map<String, String> load(Module module, Path path) throws IOException {
        try (SafeTensorsContent content = SafeTensors.read(path)) {
            try {
                module.loadState(content.tensors());
            } catch (IllegalArgumentException e) {
                throw Check.fail("Weights.load", "%s does not match the module: %s", path,
                        e.getMessage().replaceFirst("^loadState: ", ""));
            }
            return content.metadata();
        }
    }
}
