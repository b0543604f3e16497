package dev.descent.train.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.descent.train.data.DataSplit;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issue 17, items 1 to 4: a corrupt or crafted checkpoint is refused with the file and the part
 * named, before anything is allocated that its bytes cannot back, and a refused restore changes
 * nothing.
 */
class CheckpointIntegrityTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private DataSplit data;
    private Path ckpt;
    private byte[] original;
    private List<String> trained;

    @BeforeEach
    void train() throws IOException {
        data = TinyRun.data();
        ckpt = dir.resolve("run.ckpt");
        try (TinyRun run = new TinyRun(data, 1, ckpt, 2)) {
            run.trainer.fit();
            trained = run.snapshot();
        }
        original = Files.readAllBytes(ckpt);
    }

    @AfterEach
    void close() {
        data.close();
    }

    /** Restores {@code file} into a fresh run and checks it is refused, naming the file, with nothing changed. */
    private CheckpointException assertRefused(Path file) throws IOException {
        try (TinyRun fresh = new TinyRun(data, 77, dir.resolve("other.ckpt"), 2)) {
            List<String> before = fresh.snapshot();
            CheckpointException e = assertThrows(CheckpointException.class, () -> fresh.trainer.restore(file));
            assertTrue(e.getMessage().contains(file.toString()), "names the file: " + e.getMessage());
            assertTrue(!e.getMessage().contains("\n"), "one line: " + e.getMessage());
            assertEquals(before, fresh.snapshot(), "a refused restore changes nothing");
            return e;
        }
    }

    private Path write(String name, byte[] bytes) throws IOException {
        Path p = dir.resolve(name);
        Files.write(p, bytes);
        return p;
    }

    /** The checkpoint with {@code name} replaced by {@code bytes}, CRCs recomputed (a crafted file). */
    private Path crafted(String name, byte[] bytes) throws IOException {
        return write("crafted.ckpt", ZipLayout.zip(ZipLayout.with(ZipLayout.parts(original), name, bytes)));
    }

    private Path craftedTrainer(Consumer<ObjectNode> edit) throws IOException {
        ObjectNode t = (ObjectNode) JSON.readTree(ZipLayout.parts(original).get(CheckpointFile.TRAINER));
        edit.accept(t);
        return crafted(CheckpointFile.TRAINER, JSON.writeValueAsBytes(t));
    }

    @Test
    void theUntouchedCheckpointRestoresEverythingBitForBit() throws IOException {
        try (TinyRun fresh = new TinyRun(data, 77, dir.resolve("other.ckpt"), 2)) {
            fresh.trainer.restore(ckpt);
            assertEquals(trained, fresh.snapshot());
        }
    }

    // ---------------------------------------------------------------- 1: integrity

    @Test
    void aFlippedByteInAStoredEntryIsCaughtByItsCrc() throws IOException {
        // ZipFile.getInputStream does not check CRC-32: a stored entry's changed byte used to be read as is
        Map<String, byte[]> parts = ZipLayout.parts(original);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(out)) {
            for (Map.Entry<String, byte[]> p : parts.entrySet()) {
                ZipEntry e = new ZipEntry(p.getKey());
                e.setMethod(ZipEntry.STORED);
                e.setSize(p.getValue().length);
                CRC32 crc = new CRC32();
                crc.update(p.getValue());
                e.setCrc(crc.getValue());
                zip.putNextEntry(e);
                zip.write(p.getValue());
                zip.closeEntry();
            }
        }
        byte[] stored = out.toByteArray();
        try (TinyRun fresh = new TinyRun(data, 77, dir.resolve("other.ckpt"), 2)) {
            fresh.trainer.restore(write("stored.ckpt", stored));
            assertEquals(trained, fresh.snapshot(), "a stored checkpoint restores as well");
        }
        ZipLayout.Entry opt = ZipLayout.entry(stored, CheckpointFile.OPTIMIZER);
        // inside the last parameter's second moment (the state ends with the empty optimiser-wide entry's 8 bytes)
        stored[opt.data() + opt.compressedSize() - 13] ^= 0x40;
        CheckpointException e = assertRefused(write("flipped.ckpt", stored));
        assertTrue(e.getMessage().contains(CheckpointFile.OPTIMIZER) && e.getMessage().contains("CRC-32"),
                e.getMessage());
    }

    @Test
    void aFlippedByteInADeflatedEntryIsRefusedNamingTheFileAndPart() throws IOException {
        for (String part : List.of(CheckpointFile.WEIGHTS, CheckpointFile.OPTIMIZER, CheckpointFile.TRAINER)) {
            byte[] bytes = original.clone();
            ZipLayout.Entry e = ZipLayout.entry(bytes, part);
            bytes[e.data() + e.compressedSize() / 2] ^= 0x01;
            CheckpointException ex = assertRefused(write("flipped.ckpt", bytes));
            assertTrue(ex.getMessage().contains(part) || ex.getMessage().contains("corrupt"), ex.getMessage());
        }
    }

    @Test
    void aTruncatedCheckpointIsRefused() throws IOException {
        for (int length : new int[] {0, 10, original.length / 3, original.length - 1}) {
            assertRefused(write("cut.ckpt", java.util.Arrays.copyOf(original, length)));
        }
    }

    // ---------------------------------------------------------------- 2: sizes

    /** An optimiser state for TinyRun's four parameters whose first tensor declares {@code rank} and {@code dims}. */
    private static byte[] optimizerState(int rank, int[] dims, int values) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        DataOutputStream d = new DataOutputStream(b);
        d.writeInt(0x44_4F_50_54);
        d.writeInt(1);
        d.writeUTF("Adam");
        d.writeLong(8);
        d.writeInt(1);      // one group
        d.writeInt(4);      // of four parameters
        d.writeInt(0);      // no hyper-parameters saved
        d.writeInt(4);
        d.writeInt(0);      // the first parameter: no scalars
        d.writeInt(1);      // one tensor
        d.writeUTF("exp_avg");
        d.writeUTF("FLOAT32");
        d.writeInt(rank);
        for (int s : dims) {
            d.writeInt(s);
        }
        d.writeInt(values);
        d.writeInt(0);
        return b.toByteArray();
    }

    @Test
    void aStateTensorDeclaringAHugeShapeIsRefusedBeforeAllocating() throws IOException {
        CheckpointException e = assertRefused(crafted(CheckpointFile.OPTIMIZER,
                optimizerState(1, new int[] {Integer.MAX_VALUE}, Integer.MAX_VALUE)));
        assertTrue(e.getMessage().contains(CheckpointFile.OPTIMIZER) && e.getMessage().contains("exp_avg")
                && e.getMessage().contains("truncated"), e.getMessage());
    }

    @ParameterizedTest(name = "rank {0}")
    @ValueSource(ints = {Integer.MAX_VALUE, -1, Integer.MIN_VALUE, 1 << 20})
    void aStateTensorDeclaringAnImpossibleRankIsRefused(int rank) throws IOException {
        CheckpointException e = assertRefused(crafted(CheckpointFile.OPTIMIZER, optimizerState(rank, new int[0], 1)));
        assertTrue(e.getMessage().contains("dimensions of state tensor 'exp_avg'"), e.getMessage());
    }

    /** A zip whose weights entry is {@code inflated} zero bytes, the real parts otherwise. */
    private byte[] withZeroWeights(long inflated) throws IOException {
        Map<String, byte[]> parts = ZipLayout.parts(original);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(out)) {
            zip.setLevel(9);
            zip.putNextEntry(new ZipEntry(CheckpointFile.WEIGHTS));
            byte[] zeros = new byte[1 << 20];
            for (long done = 0; done < inflated; done += zeros.length) {
                zip.write(zeros, 0, (int) Math.min(zeros.length, inflated - done));
            }
            zip.closeEntry();
            for (String p : List.of(CheckpointFile.OPTIMIZER, CheckpointFile.TRAINER)) {
                zip.putNextEntry(new ZipEntry(p));
                zip.write(parts.get(p));
                zip.closeEntry();
            }
        }
        return out.toByteArray();
    }

    @Test
    void aZipBombIsRefusedByItsDeclaredSizeBeforeInflating() throws IOException {
        byte[] bomb = withZeroWeights(64L << 20);
        assertTrue(bomb.length < 200_000, "64 MiB of zeros deflate to " + bomb.length + " bytes");
        CheckpointException e = assertRefused(write("bomb.ckpt", bomb));
        assertTrue(e.getMessage().contains("declares " + (64L << 20) + " bytes"), e.getMessage());
        // the bomb: 2.2 GB declared (the central directory is what ZipFile believes)
        ZipLayout.putInt(bomb, ZipLayout.entry(bomb, CheckpointFile.WEIGHTS).cenSize(), (int) 2_200_000_000L);
        e = assertRefused(write("bomb.ckpt", bomb));
        assertTrue(e.getMessage().contains(CheckpointFile.WEIGHTS), e.getMessage());
    }

    @Test
    void anEntryInflatingToMoreThanItDeclaresIsRefusedWithoutReadingItAll() throws IOException {
        byte[] bomb = withZeroWeights(64L << 20);
        ZipLayout.putInt(bomb, ZipLayout.entry(bomb, CheckpointFile.WEIGHTS).cenSize(), 1000);
        CheckpointException e = assertRefused(write("liar.ckpt", bomb));
        assertTrue(e.getMessage().contains("more than the 1000 bytes"), e.getMessage());
    }

    @Test
    void anEntryDeclaringMoreThanItHoldsIsRefused() throws IOException {
        byte[] bytes = original.clone();
        ZipLayout.Entry e = ZipLayout.entry(bytes, CheckpointFile.TRAINER);
        int size = java.nio.ByteBuffer.wrap(bytes).order(java.nio.ByteOrder.LITTLE_ENDIAN).getInt(e.cenSize());
        ZipLayout.putInt(bytes, e.cenSize(), size + 100);
        CheckpointException ex = assertRefused(write("short.ckpt", bytes));
        assertTrue(ex.getMessage().contains(CheckpointFile.TRAINER) && ex.getMessage().contains("ends after"),
                ex.getMessage());
    }

    // ---------------------------------------------------------------- 3: all or nothing

    @Test
    void aGeneratorStateOfTheWrongLengthIsRefusedBeforeTheWeightsAreTouched() throws IOException {
        CheckpointException e = assertRefused(craftedTrainer(t -> ((ArrayNode) t.get("generators").get("dropout"))
                .remove(0)));
        assertTrue(e.getMessage().contains("trainer.json") && e.getMessage().contains("'dropout'")
                && e.getMessage().contains("6 longs"), e.getMessage());
    }

    @Test
    void anOptimiserStateTheOptimiserWouldRejectIsRefusedBeforeTheWeightsAreTouched() throws IOException {
        // a valid file whose group holds beta1 = 1.5: Adam's own range check refuses it
        CheckpointFile file = CheckpointFile.read(ckpt);
        var groups = file.optimizer().groups();
        assertTrue(groups.get(0).containsKey("beta1"), groups.toString());
        byte[] bytes;
        try (TinyRun other = new TinyRun(data, 1, dir.resolve("x.ckpt"), 2)) {
            other.adam.set("beta1", 0.5);
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            other.adam.saveState().write(b);
            bytes = b.toByteArray();
        }
        // 0.5 and 1.5 are one exponent bit apart: put 1.5 where the file says 0.5
        byte[] half = longBytes(Double.doubleToLongBits(0.5));
        int at = indexOf(bytes, half);
        System.arraycopy(longBytes(Double.doubleToLongBits(1.5)), 0, bytes, at, 8);
        CheckpointException e = assertRefused(crafted(CheckpointFile.OPTIMIZER, bytes));
        assertTrue(e.getMessage().contains(CheckpointFile.OPTIMIZER) && e.getMessage().contains("beta1"),
                e.getMessage());
    }

    private static byte[] longBytes(long v) {
        return java.nio.ByteBuffer.allocate(8).putLong(v).array();
    }

    private static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        throw new AssertionError("not found");
    }

    @Test
    void weightsOfAnotherShapeAreRefusedWithNothingChanged() throws IOException {
        Map<String, byte[]> parts = ZipLayout.parts(original);
        byte[] w = parts.get(CheckpointFile.WEIGHTS).clone();
        String text = new String(w, StandardCharsets.ISO_8859_1);
        int at = text.indexOf("\"shape\":[6]");
        assertTrue(at > 0, "a bias of 6 in the header");
        // [6] -> [3,2]: same bytes, another shape
        byte[] changed = (text.substring(0, at) + "\"shape\":[3,2]" + text.substring(at + "\"shape\":[6]".length()))
                .getBytes(StandardCharsets.ISO_8859_1);
        long headerLen = java.nio.ByteBuffer.wrap(w).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong(0);
        java.nio.ByteBuffer.wrap(changed).order(java.nio.ByteOrder.LITTLE_ENDIAN).putLong(0, headerLen + 2);
        CheckpointException e = assertRefused(crafted(CheckpointFile.WEIGHTS, changed));
        assertTrue(e.getMessage().contains(CheckpointFile.WEIGHTS), e.getMessage());
    }

    // ---------------------------------------------------------------- 4: types

    @Test
    void aStringWhereANumberBelongsIsRefusedNamingTheField() throws IOException {
        CheckpointException e = assertRefused(craftedTrainer(t -> t.put("steps_done", "not-a-number")));
        assertTrue(e.getMessage().contains("crafted.ckpt!trainer.json: 'steps_done' must be a whole number")
                && e.getMessage().contains("not-a-number"), e.getMessage());
        e = assertRefused(craftedTrainer(t -> ((ObjectNode) t.get("loader")).put("shuffle", "yes")));
        assertTrue(e.getMessage().contains("'loader.shuffle' must be true or false"), e.getMessage());
        e = assertRefused(craftedTrainer(t -> t.put("epochs_done", 2.5)));
        assertTrue(e.getMessage().contains("'epochs_done' must be a whole number"), e.getMessage());
        e = assertRefused(craftedTrainer(t -> t.remove("schedule_count")));
        assertTrue(e.getMessage().contains("'schedule_count' must be present"), e.getMessage());
    }

    @Test
    void countersThatDisagreeWithTheHistoryAreRefused() throws IOException {
        CheckpointException e = assertRefused(craftedTrainer(t -> t.put("steps_done", 0)));
        assertTrue(e.getMessage().contains("0 steps done, but the history holds 8 steps"), e.getMessage());
    }

    @Test
    void invalidJsonIsReportedOnOneLineWithTheFile() throws IOException {
        CheckpointException e = assertRefused(crafted(CheckpointFile.TRAINER,
                "{\"format\": 2,\n  \"epochs_done\": x}".getBytes(StandardCharsets.UTF_8)));
        assertTrue(e.getMessage().contains("crafted.ckpt!trainer.json: not valid JSON")
                && e.getMessage().contains("line 2"), e.getMessage());
    }

    @Test
    void aNewerFormatIsRefusedSayingSo() throws IOException {
        CheckpointException e = assertRefused(craftedTrainer(t -> t.put("format", 3)));
        assertTrue(e.getMessage().contains("format 2 or 1") && e.getMessage().contains("newer"), e.getMessage());
    }
}
