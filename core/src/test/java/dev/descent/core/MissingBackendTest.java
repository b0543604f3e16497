package dev.descent.core;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * core's tests have no backend on the class path, as a project that depends on the API jars
 * alone: the first tensor says which artifact to add.
 */
class MissingBackendTest {
    @Test
    void theFirstTensorWithoutABackendNamesTheArtifactToAdd() {
        BackendUnavailableException e = assertThrows(BackendUnavailableException.class,
                () -> Tensor.zeros(DType.FLOAT32, 2));
        assertTrue(e.getMessage().startsWith("backend 'cpu' is not installed (installed: []): add the dependency"
                + " dev.descent:descent-cpu-backend"), e.getMessage());
        assertTrue(e.getMessage().contains("dev.descent:descent-bom"), e.getMessage());
    }

    @Test
    void aMissingBackendOfAnotherNameSaysHowToProvideOne() {
        BackendUnavailableException e = assertThrows(BackendUnavailableException.class, () -> Backends.get("tpu"));
        assertTrue(e.getMessage().contains("dev.descent.core.spi.Backend service"), e.getMessage());
    }
}
