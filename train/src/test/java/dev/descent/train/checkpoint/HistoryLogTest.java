package dev.descent.train.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.descent.train.data.DataSplit;
import dev.descent.train.metrics.EpochRecord;
import dev.descent.train.metrics.StepRecord;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 17, item 10: a checkpoint appends the records since the last one to its history file
 * instead of rewriting the whole history, and the history still comes back exactly.
 */
class HistoryLogTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private DataSplit data;
    private Path ckpt;

    @BeforeEach
    void setUp() {
        data = TinyRun.data();
        ckpt = dir.resolve("run.ckpt");
    }

    @AfterEach
    void close() {
        data.close();
    }

    private List<Path> historyFiles() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().endsWith(".history")).sorted().toList();
        }
    }

    private ObjectNode trainerJson(Path file) throws IOException {
        return (ObjectNode) JSON.readTree(ZipLayout.parts(Files.readAllBytes(file)).get(CheckpointFile.TRAINER));
    }

    @Test
    void eachCheckpointAppendsOnlyTheNewRecords() throws IOException {
        try (TinyRun run = new TinyRun(data, 1, ckpt, 5)) {
            run.trainer.fit();
        }
        // one epoch adds 4 step records and 1 epoch record, nothing more
        Path log = historyFiles().get(0);
        byte[] full = Files.readAllBytes(log);
        assertEquals(8 + 5 * (4 * HistoryLog.STEP_BYTES + HistoryLog.EPOCH_BYTES), full.length);
        ObjectNode ref = (ObjectNode) trainerJson(ckpt).get("history");
        assertEquals(log.getFileName().toString(), ref.get("file").asText());
        assertEquals(full.length, ref.get("bytes").asLong());
        assertEquals(20, ref.get("steps").asInt());
        assertEquals(5, ref.get("epochs").asInt());
        assertTrue(trainerJson(ckpt).get("steps") == null, "no step history inside trainer.json");
        assertEquals(1, historyFiles().size());
    }

    @Test
    void aResumedRunAppendsToTheFileItsCheckpointNamesAndTheHistoryComesBackExactly() throws IOException {
        List<String> straight;
        try (TinyRun run = new TinyRun(data, 1, dir.resolve("straight.ckpt"), 4)) {
            run.trainer.fit();
            straight = run.snapshot();
        }
        try (TinyRun first = new TinyRun(data, 1, ckpt, 2)) {
            first.trainer.fit();
        }
        List<Path> before = historyFiles().stream().filter(p -> p.getFileName().toString().startsWith("run.ckpt"))
                .toList();
        assertEquals(1, before.size());
        byte[] prefix = Files.readAllBytes(before.get(0));
        try (TinyRun resumed = new TinyRun(data, 55, ckpt, 4)) {
            resumed.trainer.restore(ckpt);
            resumed.trainer.fit();
            List<String> now = resumed.snapshot();
            // timing fields differ run to run: compare all but the epoch records' last two numbers
            assertEquals(withoutTimes(straight), withoutTimes(now));
        }
        List<Path> after = historyFiles().stream().filter(p -> p.getFileName().toString().startsWith("run.ckpt"))
                .toList();
        assertEquals(before, after, "the same file, appended to");
        byte[] grown = Files.readAllBytes(after.get(0));
        assertArrayEquals(prefix, Arrays.copyOf(grown, prefix.length), "what was written stays as it was");
        assertEquals(prefix.length + 2 * (4 * HistoryLog.STEP_BYTES + HistoryLog.EPOCH_BYTES), grown.length);
    }

    private static List<String> withoutTimes(List<String> snapshot) {
        return snapshot.stream().map(s -> s.startsWith("EpochRecord") ? s.replaceAll(", seconds=.*", "") : s).toList();
    }

    @Test
    void aFreshRunIntoTheSamePathStartsANewFileAndRemovesTheOldOnceItsCheckpointIsWritten() throws IOException {
        try (TinyRun first = new TinyRun(data, 1, ckpt, 1)) {
            first.trainer.fit();
        }
        Path old = historyFiles().get(0);
        try (TinyRun second = new TinyRun(data, 2, ckpt, 1)) {
            second.trainer.fit();
        }
        List<Path> now = historyFiles();
        assertEquals(1, now.size());
        assertTrue(!now.get(0).equals(old), "a new file: the old checkpoint kept its own until it was replaced");
        assertEquals(now.get(0).getFileName().toString(), trainerJson(ckpt).get("history").get("file").asText());
    }

    @Test
    void aMissingOrCorruptHistoryFileIsRefusedNamingIt() throws IOException {
        try (TinyRun run = new TinyRun(data, 1, ckpt, 2)) {
            run.trainer.fit();
        }
        Path log = historyFiles().get(0);
        byte[] bytes = Files.readAllBytes(log);
        bytes[bytes.length / 2] ^= 0x10;
        Files.write(log, bytes);
        try (TinyRun fresh = new TinyRun(data, 9, dir.resolve("other.ckpt"), 2)) {
            List<String> before = fresh.snapshot();
            CheckpointException e = assertThrows(CheckpointException.class, () -> fresh.trainer.restore(ckpt));
            assertTrue(e.getMessage().contains(log.toString()) && e.getMessage().contains("CRC-32"), e.getMessage());
            Files.delete(log);
            e = assertThrows(CheckpointException.class, () -> fresh.trainer.restore(ckpt));
            assertTrue(e.getMessage().contains(log.toString()) && e.getMessage().contains("missing"), e.getMessage());
            assertEquals(before, fresh.snapshot());
        }
    }

    @Test
    void aCheckpointOfFormatOneWithItsHistoryInlineStillRestores() throws IOException {
        List<String> trained;
        try (TinyRun run = new TinyRun(data, 1, ckpt, 2)) {
            run.trainer.fit();
            trained = run.snapshot();
            // format 1, as the previous version wrote it: epochs and steps as arrays, no history file
            ObjectNode t = trainerJson(ckpt);
            t.put("format", 1);
            t.remove("history");
            ArrayNode epochs = t.putArray("epochs");
            for (EpochRecord r : run.trainer.history().epochs()) {
                ArrayNode a = epochs.addArray().add(r.epoch()).add(r.steps());
                for (double v : new double[] {r.trainLoss(), r.trainAccuracy(), r.testLoss(), r.testAccuracy(),
                        r.gradNorm(), r.lr(), r.seconds(), r.samplesPerSecond()}) {
                    a.add(v);
                }
            }
            ArrayNode steps = t.putArray("steps");
            for (StepRecord r : run.trainer.history().steps()) {
                steps.addArray().add(r.step()).add(r.epoch()).add(r.loss()).add(r.gradNorm()).add(r.lr())
                        .add(r.batchSize());
            }
            var parts = ZipLayout.with(ZipLayout.parts(Files.readAllBytes(ckpt)), CheckpointFile.TRAINER,
                    JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(t));
            Files.write(dir.resolve("v1.ckpt"), ZipLayout.zip(parts));
        }
        for (Path p : historyFiles()) {
            Files.delete(p);
        }
        try (TinyRun fresh = new TinyRun(data, 9, dir.resolve("v1.ckpt"), 3)) {
            fresh.trainer.restore(dir.resolve("v1.ckpt"));
            assertEquals(trained, fresh.snapshot());
            fresh.trainer.fit();   // and its next checkpoint is of format 2, with a history file
            assertEquals(2, trainerJson(dir.resolve("v1.ckpt")).get("format").asInt());
            assertEquals(1, historyFiles().size());
        }
    }
}
