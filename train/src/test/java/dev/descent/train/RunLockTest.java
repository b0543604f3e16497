package dev.descent.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 17, item 9: one writer per run directory, and the leftovers of killed writes cleaned. */
class RunLockTest {
    @TempDir
    Path dir;

    /** Holds the lock on args[0] until its standard input closes: the other process of the test. */
    public static final class Holder {
        public static void main(String[] args) throws Exception {
            try (RunLock lock = RunLock.acquire(Path.of(args[0]))) {
                System.out.println("locked");
                System.out.flush();
                System.in.read();
            }
        }
    }

    @Test
    void aSecondRunInThisProcessIsRefusedUntilTheFirstEnds() throws IOException {
        try (RunLock first = RunLock.acquire(dir)) {
            RunLock.HeldException e = assertThrows(RunLock.HeldException.class, () -> RunLock.acquire(dir));
            assertTrue(e.getMessage().contains(dir.resolve(RunLock.FILE).toString())
                    && e.getMessage().contains("pid " + ProcessHandle.current().pid()), e.getMessage());
        }
        RunLock.acquire(dir).close();
    }

    @Test
    void anotherProcessHoldingTheDirectoryIsNamedAndItsDeathReleasesIt() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process other = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), Holder.class.getName(),
                dir.toString()).redirectErrorStream(true).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(other.getInputStream(),
                    StandardCharsets.UTF_8));
            assertEquals("locked", out.readLine());
            RunLock.HeldException e = assertThrows(RunLock.HeldException.class, () -> RunLock.acquire(dir));
            assertTrue(e.getMessage().contains("pid " + other.pid()) && e.getMessage().contains(dir.toString()),
                    e.getMessage());
        } finally {
            other.destroyForcibly();   // as kill -9: the operating system releases the lock
            other.waitFor(30, TimeUnit.SECONDS);
        }
        RunLock.acquire(dir).close();
    }

    @Test
    void staleTemporaryFilesOfOurNamingAreDeletedAndNothingElse() throws IOException {
        for (String n : List.of(".checkpoint.ckpt.1xywk4jz9yjcs.tmp", ".model.safetensors.3fa9c2b1d4e5f607.tmp",
                "notes.tmp", ".hidden", "checkpoint.ckpt", ".checkpoint.ckpt.NOT-OURS.tmp")) {
            Files.writeString(dir.resolve(n), n);
        }
        List<Path> deleted = AtomicFiles.deleteStaleTemporaries(dir);
        assertEquals(2, deleted.size(), deleted.toString());
        try (Stream<Path> s = Files.list(dir)) {
            assertEquals(List.of(".checkpoint.ckpt.NOT-OURS.tmp", ".hidden", "checkpoint.ckpt", "notes.tmp"),
                    s.map(p -> p.getFileName().toString()).sorted().toList());
        }
    }
}
