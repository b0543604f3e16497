package dev.descent.distributed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Where Gloo is missing, asking for it throws {@code BackendUnavailableException} saying what to
 * install, before anything touches the network. Runs everywhere: the rank's JVM is told to look
 * for Gloo under a prefix that does not hold it.
 */
class MissingGlooTest {

    @Test
    void askingForGlooWhereItIsMissingSaysWhatToInstall() {
        RankRun run = RankRun.of(1, Map.of(), List.of("-Ddescent.gloo.home=/nonexistent-gloo"), MissingGlooMain.class);
        assertEquals(0, run.result.exitCode(), run.transcript());
        assertTrue(run.out.contains("[rank 0] unavailable: collective backend 'gloo' cannot run here: Gloo's headers "
                + "(gloo/allreduce.h) are not under [/nonexistent-gloo]: install Gloo (Debian, Ubuntu: apt-get install "
                + "libgloo-dev), or set descent.gloo.home to the prefix of a Gloo built from source"), run.transcript());
    }
}
