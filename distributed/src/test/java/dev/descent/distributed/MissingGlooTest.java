package dev.descent.distributed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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

    /** A Gloo whose header does not compile: the compiler's error in the message, the whole log on disk. */
    @Test
    void aBindingThatDoesNotCompileIsUnavailableWithTheCompilersError(@TempDir Path dir) throws IOException {
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/g++")), "skipped: no g++");
        Path prefix = dir.resolve("broken-gloo");
        Files.createDirectories(prefix.resolve("include/gloo"));
        Files.createDirectories(prefix.resolve("lib"));
        for (String header : new String[] {"allgather.h", "allreduce.h"}) {   // the binding's first include, and the one looked for
            Files.writeString(prefix.resolve("include/gloo").resolve(header), "#error this Gloo is broken\n");
        }
        Files.writeString(prefix.resolve("lib/libgloo.so"), "");
        RankRun run = RankRun.of(1, Map.of(), List.of("-Ddescent.gloo.home=" + prefix,
                "-Ddescent.gloo.cache=" + dir.resolve("cache")), MissingGlooMain.class);
        assertEquals(0, run.result.exitCode(), run.transcript());
        assertTrue(run.out.contains("[rank 0] unavailable: collective backend 'gloo' cannot run here: compiling "
                + "Descent's Gloo binding with g++ failed: "), run.transcript());
        assertTrue(run.out.contains("this Gloo is broken"), run.transcript());
        assertTrue(run.out.contains("(the whole log: " + dir.resolve("cache")), run.transcript());
    }
}
