package dev.descent.distributed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link DataParallel} across processes: rank 0's parameters reach every rank, and after its
 * backward pass every rank holds the full batch's gradient and loss, with uneven shares, many
 * buckets, an unused and a twice-used parameter. See {@link DataParallelChecks}.
 */
class DataParallelTest {

    @BeforeEach
    void glooIsHere() {
        RankRun.assumeGloo();
    }

    @ParameterizedTest(name = "world size {0}")
    @ValueSource(ints = {1, 3})
    void everyRankEndsWithTheFullBatchsGradient(int worldSize) {
        RankRun run = RankRun.of(worldSize, Map.of("DESCENT_COLLECTIVE_TIMEOUT", "60"), DataParallelChecks.class);
        assertEquals(0, run.result.exitCode(), run.transcript());
        for (int r = 0; r < worldSize; r++) {
            assertTrue(run.out.contains("[rank " + r + "] agreed"), run.transcript());
        }
    }
}
