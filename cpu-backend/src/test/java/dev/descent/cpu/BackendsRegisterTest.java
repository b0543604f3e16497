package dev.descent.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.descent.core.Backends;
import org.junit.jupiter.api.Test;

/** A backend made in code joins those found on the class path, under a name of its own. */
class BackendsRegisterTest {
    @Test
    void aSecondBackendOfAKnownNameIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Backends.register(new CpuBackend()));
        assertEquals("Backends.register: a backend named 'cpu' is already known (" + Backends.installed().keySet()
                + ")", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Backends.register(null));
    }
}
