package dev.descent.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFilesTest {
    @TempDir
    Path dir;

    private List<String> names() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void aWriteReplacesTheFileWhole() throws IOException {
        Path f = dir.resolve("metrics.csv");
        AtomicFiles.writeString(f, "old\n");
        AtomicFiles.writeString(f, "new\n");
        assertEquals("new\n", Files.readString(f));
        assertEquals(List.of("metrics.csv"), names(), "no temporary file is left");
    }

    @Test
    void aWriteThatFailsHalfwayLeavesTheOldFileAndNoTemporaryFile() throws IOException {
        Path f = dir.resolve("checkpoint.ckpt");
        AtomicFiles.writeString(f, "the last good checkpoint");
        IOException e = assertThrows(IOException.class, () -> AtomicFiles.write(f, out -> {
            out.write("half of a new one".getBytes(StandardCharsets.UTF_8));
            throw new IOException("disk full");
        }));
        assertEquals("disk full", e.getMessage());
        assertEquals("the last good checkpoint", Files.readString(f));
        assertEquals(List.of("checkpoint.ckpt"), names());
    }

    @Test
    void theParentDirectoryIsCreated() throws IOException {
        Path f = dir.resolve("runs/a/summary.json");
        AtomicFiles.writeString(f, "{}");
        assertEquals("{}", Files.readString(f));
    }
}
