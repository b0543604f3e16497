package dev.descent.train.distributed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import dev.descent.distributed.RankRun;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** train/README.md's data-parallel example is {@link ReadmeDataParallel}'s, and two ranks running it agree. */
class ReadmeDataParallelTest {
    @TempDir
    Path dir;

    @Test
    void theReadmeShowsTheExample() throws IOException {
        String readme = Files.readString(Path.of("README.md"));
        String source = Files.readString(Path.of("src/test/java/dev/descent/train/distributed/ReadmeDataParallel.java"));
        String example = source.substring(source.indexOf("// README example: begin") + 25,
                source.indexOf("            // README example: end"));
        String unindented = example.lines().map(l -> l.length() >= 12 ? l.substring(12) : l.strip())
                .collect(Collectors.joining("\n"));
        assertTrue(readme.contains(unindented), "train/README.md must show ReadmeDataParallel's code:\n" + unindented);
    }

    @Test
    void twoRanksRunningItAgree() {
        RankRun.assumeGloo();
        RankRun run = RankRun.of(2, Map.of("DESCENT_COLLECTIVE_TIMEOUT", "60"), RankRun.ONE_THREAD_JVM,
                ReadmeDataParallel.class, dir.toString());
        assertEquals(0, run.result.exitCode(), run.transcript());
        List<String> lines = run.out.lines().filter(l -> l.contains("result ")).map(l -> l.substring(l.indexOf(']') + 2))
                .distinct().toList();
        assertEquals(1, lines.size(), "both ranks print the same: " + run.out);
        assertTrue(Files.isRegularFile(dir.resolve("checkpoint.ckpt")), "rank 0 wrote the checkpoint");
    }
}
