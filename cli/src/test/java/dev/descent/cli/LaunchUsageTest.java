package dev.descent.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.cli.TrainCommandTest.Outcome;
import org.junit.jupiter.api.Test;

/** {@code descent launch}'s own options, refused in one line before anything starts. */
class LaunchUsageTest {

    private static void refused(String message, String... args) {
        Outcome o = TrainCommandTest.descent(args);
        assertEquals(ExitCodes.USAGE, o.status(), o.err());
        assertEquals("descent launch: " + message + System.lineSeparator(), o.err());
    }

    @Test
    void wrongOptionsAreNamed() {
        refused("--master: give HOST:PORT of node 0 when running on 2 machines",
                "launch", "--nproc", "1", "--nnodes", "2", "train");
        refused("--node-rank: expected 0 to 1, got 2", "launch", "--nproc", "1", "--nnodes", "2", "--node-rank", "2",
                "--master", "h:1", "train");
        refused("--master: expected HOST:PORT, got 'h'", "launch", "--nproc", "2", "--master", "h", "train");
        refused("--master: expected a port from 1 to 65535, got 70000", "launch", "--nproc", "2", "--master",
                "h:70000", "train");
        refused("--nproc: expected at least 1, got 0", "launch", "--nproc", "0", "train");
        refused("--timeout: expected seconds > 0, got -1.0", "launch", "--nproc", "1", "--timeout", "-1", "train");
    }

    @Test
    void theRanksCommandKeepsItsOwnOptions() {
        // after the command's name every word is the command's: --epochs is train's, not launch's
        Outcome o = TrainCommandTest.descent("launch", "--nproc", "1", "--master", "h:1", "launch", "--epochs", "1");
        assertEquals(ExitCodes.USAGE, o.status(), o.err());
        assertTrue(o.err().contains("the command to run is launch itself"), o.err());
    }
}
