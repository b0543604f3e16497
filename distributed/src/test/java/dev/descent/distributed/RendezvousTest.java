package dev.descent.distributed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The variables torchrun, Slurm and the Kubernetes operators set, read into a {@link Rendezvous}. */
class RendezvousTest {

    @Test
    void torchrunsVariables() {
        Rendezvous r = Rendezvous.fromEnvironment(Map.of("MASTER_ADDR", "10.0.0.1", "MASTER_PORT", "29500", "RANK",
                "5", "WORLD_SIZE", "8", "LOCAL_RANK", "1", "DESCENT_COLLECTIVE_TIMEOUT", "2.5"));
        assertEquals(new Rendezvous("10.0.0.1", 29500, 5, 8, 1, Duration.ofMillis(2500)), r);
        assertTrue(Rendezvous.inEnvironment(Map.of("WORLD_SIZE", "8")));
        assertFalse(Rendezvous.inEnvironment(Map.of("RANK", "0")));
    }

    @Test
    void slurmsVariablesStandInAndTheTimeoutDefaultsToFiveMinutes() {
        Rendezvous r = Rendezvous.fromEnvironment(Map.of("MASTER_ADDR", "node1", "MASTER_PORT", "29500",
                "SLURM_PROCID", "3", "SLURM_NTASKS", "4", "SLURM_LOCALID", "1"));
        assertEquals(new Rendezvous("node1", 29500, 3, 4, 1, Duration.ofMinutes(5)), r);
    }

    @Test
    void aMissingOrMalformedVariableIsNamed() {
        assertEquals("Rendezvous: MASTER_ADDR is not set: export the address of the machine rank 0 runs on (torchrun "
                + "and 'descent launch' set it)", assertThrows(IllegalArgumentException.class,
                        () -> Rendezvous.fromEnvironment(Map.of("RANK", "0", "WORLD_SIZE", "2"))).getMessage());
        assertEquals("Rendezvous: RANK is not set (nor Slurm's SLURM_PROCID) (torchrun and 'descent launch' set it)",
                assertThrows(IllegalArgumentException.class, () -> Rendezvous.fromEnvironment(Map.of("WORLD_SIZE",
                        "2", "MASTER_ADDR", "h", "MASTER_PORT", "1"))).getMessage());
        assertEquals("Rendezvous: MASTER_PORT: expected a number, got 'x'", assertThrows(
                IllegalArgumentException.class, () -> Rendezvous.fromEnvironment(Map.of("RANK", "0", "WORLD_SIZE",
                        "2", "MASTER_ADDR", "h", "MASTER_PORT", "x"))).getMessage());
        assertEquals("Rendezvous: expected a rank from 0 to 1 (world size 2), got 2", assertThrows(
                IllegalArgumentException.class, () -> Rendezvous.fromEnvironment(Map.of("RANK", "2", "WORLD_SIZE",
                        "2", "MASTER_ADDR", "h", "MASTER_PORT", "29500"))).getMessage());
        assertEquals("Rendezvous: DESCENT_COLLECTIVE_TIMEOUT: expected seconds > 0, got 0", assertThrows(
                IllegalArgumentException.class, () -> Rendezvous.fromEnvironment(Map.of("RANK", "0", "WORLD_SIZE",
                        "1", "MASTER_ADDR", "h", "MASTER_PORT", "29500", "DESCENT_COLLECTIVE_TIMEOUT", "0")))
                .getMessage());
    }
}
