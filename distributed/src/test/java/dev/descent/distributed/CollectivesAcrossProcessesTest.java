package dev.descent.distributed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Every collective against results computed locally, with world sizes 1 to 4, each rank its own
 * JVM on loopback, with Gloo's bcube all-reduce (the default) and its ring: float32, float64, int32 and int64; sizes 0 (empty), 1, 7, 1,001 and 65,537
 * (odd, and larger than one of Gloo's segments); every root; overlapping asynchronous all-reduces
 * on views at offsets. See {@link CollectiveChecks} for what each rank checks.
 */
class CollectivesAcrossProcessesTest {

    @BeforeEach
    void glooIsHere() {
        RankRun.assumeGloo();
    }

    @ParameterizedTest(name = "world size {0}, {1}")
    @CsvSource({"1, bcube", "2, bcube", "3, bcube", "4, bcube", "3, ring", "4, ring"})
    void everyCollectiveMatchesTheLocalResult(int worldSize, String algorithm) {
        RankRun run = RankRun.of(worldSize, Map.of("DESCENT_COLLECTIVE_TIMEOUT", "60"), List.of("-Xmx256m",
                "-XX:TieredStopAtLevel=1", "-Ddescent.gloo.algorithm=" + algorithm), CollectiveChecks.class);
        assertEquals(0, run.result.exitCode(), run.transcript());
        for (int r = 0; r < worldSize; r++) {
            assertTrue(run.out.contains("[rank " + r + "] checked "), "rank " + r + " did not finish: " + run.transcript());
        }
    }
}
