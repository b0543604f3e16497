package dev.descent.cli;

import static dev.descent.cli.TrainCommandTest.descent;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LabCommandTest {
    @TempDir
    Path dir;

    @Test
    void withoutAnExperimentItListsThem() {
        var r = descent("lab");
        assertEquals(ExitCodes.OK, r.status(), r.err());
        assertTrue(r.out().contains("quadratic") && r.out().contains("landscape"), r.out());
    }

    @Test
    void anExperimentWritesItsReportAndPrintsTable11() throws Exception {
        var r = descent("lab", "quadratic", "--out", dir.toString(), "--steps", "40");
        assertEquals(ExitCodes.OK, r.status(), r.err());
        assertTrue(Files.exists(dir.resolve("report.md")), "no report.md in " + dir);
        // x_3 = 0.512 for alpha = 0.1 (seed 000, Table 1-1).
        assertTrue(r.out().contains("0.512"), r.out());
    }

    @Test
    void anExperimentsHelpListsItsOptionsWithDefaults() {
        var r = descent("lab", "quadratic", "--help");
        assertEquals(ExitCodes.OK, r.status(), r.err());
        assertTrue(r.out().contains("--alpha 0.1"), r.out());
    }

    @Test
    void unknownExperimentsAndOptionsAreOneLineUsageErrors() {
        var unknown = descent("lab", "nope");
        assertEquals(ExitCodes.USAGE, unknown.status());
        assertTrue(unknown.err().contains("no experiment 'nope'") && unknown.err().contains("quadratic"), unknown.err());
        var option = descent("lab", "quadratic", "--bogus", "1", "--out", dir.toString());
        assertEquals(ExitCodes.USAGE, option.status());
        assertTrue(option.err().contains("no option 'bogus'"), option.err());
        assertEquals(1, option.err().strip().lines().count(), option.err());
    }
}
