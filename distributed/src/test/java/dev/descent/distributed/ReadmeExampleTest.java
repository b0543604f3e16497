package dev.descent.distributed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The README's example is {@link ReadmeExample}'s, and run by three ranks it agrees on every rank. */
class ReadmeExampleTest {

    @Test
    void theReadmeShowsTheExampleThatRuns() throws IOException {
        String readme = Files.readString(Path.of("README.md"));
        String source = Files.readString(Path.of("src/test/java/dev/descent/distributed/ReadmeExample.java"));
        String example = source.substring(source.indexOf("// README example: begin") + 25,
                source.indexOf("            // README example: end"));
        String unindented = example.lines().map(l -> l.length() >= 8 ? l.substring(8) : l.strip())
                .collect(Collectors.joining("\n"));
        assertTrue(readme.contains(unindented), "distributed/README.md must show ReadmeExample's code:\n" + unindented);
    }

    @Test
    void threeRanksAgree() {
        RankRun.assumeGloo();
        RankRun run = RankRun.of(3, Map.of("DESCENT_COLLECTIVE_TIMEOUT", "60"), ReadmeExample.class);
        assertEquals(0, run.result.exitCode(), run.transcript());
        List<String> lines = run.out.lines().map(l -> l.substring(l.indexOf(']') + 2)).distinct().toList();
        assertEquals(1, lines.size(), "every rank prints the same: " + run.out);
        assertTrue(lines.get(0).startsWith("sum [3.0, 3.0] loss "), lines.get(0));
    }
}
