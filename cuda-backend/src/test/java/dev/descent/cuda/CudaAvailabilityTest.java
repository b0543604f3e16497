package dev.descent.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.descent.core.BackendUnavailableException;
import dev.descent.core.Backends;
import dev.descent.core.DType;
import dev.descent.core.Device;
import dev.descent.core.spi.Backend;
import org.junit.jupiter.api.Test;

/** How the backend presents itself on any machine, with or without a GPU. */
class CudaAvailabilityTest {

    @Test
    void theBackendIsFoundByServiceLoaderUnderTheNameCuda() {
        Backend b = Backends.installed().get("cuda");
        assertTrue(b instanceof CudaBackend, "installed: " + Backends.installed().keySet());
    }

    @Test
    void availabilityIsStableAndAlwaysHasAReasonWhenNo() {
        Backend b = Backends.installed().get("cuda");
        Backend.Availability first = b.availability();
        assertEquals(first, b.availability());
        assertTrue(first.available() || !first.reason().isBlank(), "an unavailable backend must say why");
    }

    @Test
    void withoutAGpuGetThrowsAnExceptionThatSaysWhatIsMissing() {
        Backend b = Backends.installed().get("cuda");
        assumeFalse(b.availability().available(), "a GPU is present here");
        BackendUnavailableException e = assertThrows(BackendUnavailableException.class, () -> Backends.get("cuda"));
        String m = e.getMessage();
        System.out.println("Backends.get(\"cuda\") on this machine: " + m);
        assertTrue(m.contains("'cuda'"), m);
        assertTrue(m.contains("NVIDIA driver") || m.contains("GPU") || m.contains("could not be loaded"),
                "the message must name the driver, the GPU or the library that is missing: " + m);
        assertTrue(b.devices().isEmpty());
    }

    @Test
    void withoutAGpuOpsThrowInsteadOfCrashing() {
        CudaBackend b = new CudaBackend();
        assumeFalse(b.availability().available(), "a GPU is present here");
        BackendUnavailableException e = assertThrows(BackendUnavailableException.class,
                () -> b.allocate(new Device("cuda", 0), DType.FLOAT32, 4));
        assertTrue(e.getMessage().contains(b.availability().reason()), e.getMessage());
        assertEquals(0, b.liveBytes());
        b.releaseCachedMemory();
    }

    @Test
    void withAGpuTheBackendOffersDeviceZero() {
        Backend b = Backends.installed().get("cuda");
        assumeTrue(b.availability().available(), () -> "no GPU here: " + b.availability().reason());
        assertEquals(new Device("cuda", 0), Backends.get("cuda").devices().get(0));
        assertFalse(((CudaBackend) b).tf32(), "TF32 must be off unless descent.cuda.tf32=true");
    }
}
