package dev.descent.distributed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A rank that exits, hangs or never joins makes every other rank fail with a
 * {@link CollectiveException} that names it. Each rank runs in its own JVM and finds the failure
 * itself (nothing stops the others). See {@link FailureChecks}.
 */
class FailureTest {

    @BeforeEach
    void glooIsHere() {
        RankRun.assumeGloo();
    }

    /**
     * With a 5-minute timeout the survivors can only finish this test by noticing the exit at
     * once (the dead rank's connections close), not by waiting the timeout out.
     */
    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void aRankThatExitsIsNamedByEveryOtherAtOnce() {
        RankRun run = RankRun.eachOnItsOwn(3, Map.of("DESCENT_COLLECTIVE_TIMEOUT", "300"), FailureChecks.class, "die");
        assertEquals(2, run.result.failedRank(), run.transcript());
        assertEquals(137, run.result.failedStatus(), run.transcript());
        for (int r = 0; r < 2; r++) {
            assertEquals(3, run.result.exitCodes()[r], run.transcript());
            assertTrue(run.out.contains("[rank " + r + "] FAILED ranks=[2] "), run.transcript());
        }
        assertTrue(run.out.contains("rank 2 exited"), run.transcript());
    }

    /** As when one rank stops for an error of its own and closes its group: the others name it at once. */
    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void aRankThatLeavesEarlyIsNamed() {
        RankRun run = RankRun.eachOnItsOwn(3, Map.of("DESCENT_COLLECTIVE_TIMEOUT", "300"), FailureChecks.class,
                "leave");
        for (int r = 0; r < 2; r++) {
            assertEquals(3, run.result.exitCodes()[r], run.transcript());
            assertTrue(run.out.contains("[rank " + r + "] FAILED ranks=[2] "), run.transcript());
        }
        assertTrue(run.out.contains("rank 2 left the group (closed it, after allReduce #20)"), run.transcript());
    }

    @Test
    void aRankThatHangsIsNamedWhenTheTimeoutPasses() {
        RankRun run = RankRun.eachOnItsOwn(3, Map.of("DESCENT_COLLECTIVE_TIMEOUT", "8"), FailureChecks.class, "hang");
        for (int r = 0; r < 2; r++) {
            assertEquals(3, run.result.exitCodes()[r], run.transcript());
            assertTrue(run.out.contains("[rank " + r + "] FAILED ranks=[2] "), run.transcript());
        }
        assertTrue(run.out.contains("rank 2 has not reached it"), run.transcript());
        assertEquals(0, run.result.exitCodes()[2], "the hung rank wakes and leaves quietly: " + run.transcript());
    }

    @Test
    void aRankThatNeverJoinsIsNamed() {
        RankRun run = RankRun.eachOnItsOwn(3, Map.of("DESCENT_COLLECTIVE_TIMEOUT", "8"), FailureChecks.class,
                "absent");
        for (int r = 0; r < 2; r++) {
            assertEquals(3, run.result.exitCodes()[r], run.transcript());
            assertTrue(run.out.contains("[rank " + r + "] FAILED ranks=[2] "), run.transcript());
        }
        assertTrue(run.out.contains("rank 2 never joined"), run.transcript());
    }
}
