package dev.descent.train.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.descent.core.DType;
import dev.descent.core.Tensor;
import dev.descent.nn.io.SafeTensors;
import dev.descent.nn.io.SafeTensorsContent;
import dev.descent.optim.OptimizerState;
import dev.descent.train.data.DataSplit;
import dev.descent.train.data.IdxReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.BiConsumer;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Mutates valid files of every reader (byte flips, truncations, size fields set to extremes,
 * fields of the wrong type) and checks the contract of issue 17 for each mutant:
 *
 * <ul>
 *   <li>a <b>checkpoint</b> (the file as on disk, CRCs and all) is refused with an exception
 *       that names the file, leaving the run it was restored into exactly as it was, or is
 *       restored with content identical to the original's;</li>
 *   <li>a <b>crafted checkpoint</b> (one part mutated, the archive's CRCs recomputed, so the
 *       mutation reaches the part's reader) is refused so, or restored whole: what the run then
 *       holds is what the file says (its state saved again reads back equal to the file's);</li>
 *   <li>the <b>optimiser state, trainer state, safetensors and IDX</b> readers, given mutants
 *       directly, refuse with an {@code IOException} naming the source, or read them.</li>
 * </ul>
 *
 * Never an {@code Error} (an {@code OutOfMemoryError} from a size believed), never another
 * exception, never a partial restore. Seeded and deterministic; a few thousand mutants in
 * seconds by default, {@code -Ddescent.fuzz.scale=N} for N times as many (flips with other
 * values and at more positions).
 */
class ReaderFuzzTest {
    private static final int SCALE = Integer.getInteger("descent.fuzz.scale", 1);
    private static final long SEED = Long.getLong("descent.fuzz.seed", 17);
    private static final int[] EXTREME_INTS = {0, 1, -1, Integer.MAX_VALUE, Integer.MIN_VALUE, 0xFFFF, 1 << 16};
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;
    static DataSplit data;
    static Path ckpt;
    static byte[] original;
    static List<String> trained;
    static final Map<String, int[]> tally = new TreeMap<>();

    @BeforeAll
    static void train() throws IOException {
        data = TinyRun.data();
        ckpt = dir.resolve("run.ckpt");
        // stopped at step 10, inside epoch 3: the checkpoint holds an epoch in progress too
        try (TinyRun run = new TinyRun(data, 1, ckpt, 3, 10)) {
            run.trainer.fit();
            trained = run.snapshot();
        }
        original = Files.readAllBytes(ckpt);
    }

    @AfterAll
    static void report() {
        data.close();
        StringBuilder sb = new StringBuilder("ReaderFuzzTest (scale " + SCALE + ", seed " + SEED + "):");
        int total = 0;
        for (Map.Entry<String, int[]> e : tally.entrySet()) {
            sb.append(String.format("%n  %-22s %6d mutants: %6d refused, %6d accepted", e.getKey(),
                    e.getValue()[0] + e.getValue()[1], e.getValue()[0], e.getValue()[1]));
            total += e.getValue()[0] + e.getValue()[1];
        }
        System.out.println(sb.append(String.format("%n  %-22s %6d mutants", "all", total)));
    }

    private static void count(String reader, boolean refused) {
        tally.computeIfAbsent(reader, k -> new int[2])[refused ? 0 : 1]++;
    }

    // ---------------------------------------------------------------- mutations

    /** A named change of a file's bytes. */
    record Mutant(String what, byte[] bytes) {
    }

    static byte[] flipped(byte[] b, int at, int xor) {
        byte[] c = b.clone();
        c[at] ^= (byte) xor;
        return c;
    }

    static byte[] withInt(byte[] b, int at, int v, ByteOrder order) {
        byte[] c = b.clone();
        ByteBuffer.wrap(c).order(order).putInt(at, v);
        return c;
    }

    /** Every byte flipped ({@code SCALE} values each, one bit or a random byte), and truncations. */
    static List<Mutant> flipsAndCuts(byte[] b, Random r, int cutEvery) {
        List<Mutant> m = new ArrayList<>();
        for (int i = 0; i < b.length; i++) {
            for (int k = 0; k < SCALE; k++) {
                int xor = k == 0 ? 1 << r.nextInt(8) : 1 + r.nextInt(255);
                m.add(new Mutant("byte " + i + " ^ " + xor, flipped(b, i, xor)));
            }
        }
        for (int n = 0; n < b.length; n += Math.max(1, cutEvery / SCALE)) {
            m.add(new Mutant("cut to " + n, Arrays.copyOf(b, n)));
        }
        return m;
    }

    /** Random flips of 1 to 4 bytes: for the crafted parts, fewer than every position. */
    static List<Mutant> randomFlips(byte[] b, Random r, int count) {
        List<Mutant> m = new ArrayList<>();
        for (int i = 0; i < count * SCALE; i++) {
            byte[] c = b.clone();
            StringBuilder what = new StringBuilder("bytes");
            for (int k = 1 + r.nextInt(4); k > 0; k--) {
                int at = r.nextInt(c.length);
                int xor = 1 + r.nextInt(255);
                c[at] ^= (byte) xor;
                what.append(' ').append(at).append('^').append(xor);
            }
            m.add(new Mutant(what.toString(), c));
        }
        return m;
    }

    /** Each 4-byte window (every {@code step}-th) set to each extreme: counts, ranks, dimensions, sizes. */
    static List<Mutant> extremeInts(byte[] b, int step, ByteOrder order) {
        List<Mutant> m = new ArrayList<>();
        for (int at = 0; at + 4 <= b.length; at += Math.max(1, step / SCALE)) {
            for (int v : EXTREME_INTS) {
                m.add(new Mutant("int at " + at + " = " + v, withInt(b, at, v, order)));
            }
        }
        return m;
    }

    /** Every value of a JSON tree replaced by values of other types and extremes, and every field removed. */
    static List<Mutant> jsonMutants(byte[] json) throws IOException {
        JsonNode root = JSON.readTree(json);
        List<String> paths = new ArrayList<>();
        collect(root, "", paths);
        JsonNodeFactory f = JsonNodeFactory.instance;
        List<JsonNode> replacements = List.of(f.textNode("not-a-number"), f.numberNode(-1), f.numberNode(2147483648L),
                f.numberNode(Long.MIN_VALUE), f.numberNode(1.5), f.numberNode(new java.math.BigInteger("1" + "0".repeat(30))),
                f.nullNode(), f.booleanNode(true), f.arrayNode(), f.objectNode(), f.textNode("ffffffffffffffffff"));
        List<Mutant> m = new ArrayList<>();
        for (String path : paths) {
            for (JsonNode v : replacements) {
                JsonNode copy = root.deepCopy();
                set(copy, path, v);
                m.add(new Mutant(path + " = " + v, JSON.writeValueAsBytes(copy)));
            }
            JsonNode copy = root.deepCopy();
            set(copy, path, null);
            m.add(new Mutant(path + " removed", JSON.writeValueAsBytes(copy)));
        }
        return m;
    }

    private static void collect(JsonNode n, String path, List<String> out) {
        if (n.isObject()) {
            n.properties().forEach(e -> collect(e.getValue(), path + "/" + e.getKey(), out));
        } else if (n.isArray()) {
            // the first and last elements of long arrays stand for the rest
            for (int i = 0; i < n.size(); i++) {
                if (i < 2 || i == n.size() - 1) {
                    collect(n.get(i), path + "/" + i, out);
                }
            }
        }
        if (!path.isEmpty()) {
            out.add(path);
        }
    }

    private static void set(JsonNode root, String path, JsonNode v) {
        int cut = path.lastIndexOf('/');
        JsonNode parent = cut == 0 ? root : root.at(path.substring(0, cut));
        String key = path.substring(cut + 1);
        if (parent instanceof ObjectNode o) {
            if (v == null) {
                o.remove(key);
            } else {
                o.set(key, v);
            }
        } else if (parent instanceof ArrayNode a) {
            int i = Integer.parseInt(key);
            if (v == null) {
                a.remove(i);
            } else {
                a.set(i, v);
            }
        }
    }

    // ---------------------------------------------------------------- the checkpoint as on disk

    /** Restores {@code mutant} into {@code target} and checks the contract; returns whether it was restored. */
    private static boolean restoreChecked(String reader, Mutant mutant, TinyRun target, List<String> targetBefore,
            BiConsumer<Path, TinyRun> whenRestored) throws IOException {
        Path file = dir.resolve("mutant.ckpt");
        Files.write(file, mutant.bytes());
        try {
            target.trainer.restore(file);
        } catch (CheckpointException e) {
            if (!e.getMessage().contains(file.toString())) {
                fail(reader + ", " + mutant.what() + ": the message does not name the file: " + e.getMessage());
            }
            List<String> after = target.snapshot();
            if (!after.equals(targetBefore)) {
                fail(reader + ", " + mutant.what() + ": refused (" + e.getMessage() + ") after changing the run");
            }
            count(reader, true);
            return false;
        } catch (Throwable t) {
            throw new AssertionError(reader + ", " + mutant.what() + ": " + t, t);
        }
        try {
            whenRestored.accept(file, target);
        } catch (AssertionError e) {
            throw new AssertionError(reader + ", " + mutant.what() + ": restored, but " + e.getMessage(), e);
        }
        count(reader, false);
        return true;
    }

    private void fuzzCheckpoint(String reader, List<Mutant> mutants, BiConsumer<Path, TinyRun> whenRestored)
            throws IOException {
        TinyRun target = new TinyRun(data, 77, dir.resolve("target.ckpt"), 3);
        List<String> before = target.snapshot();
        try {
            for (Mutant m : mutants) {
                if (restoreChecked(reader, m, target, before, whenRestored)) {
                    target.close();    // it holds the restored state now: the next mutant gets a fresh run
                    target = new TinyRun(data, 77, dir.resolve("target.ckpt"), 3);
                    before = target.snapshot();
                }
            }
        } finally {
            target.close();
        }
    }

    @Test
    void checkpointFileMutantsAreRefusedNamingTheFileOrRestoredIdentically() throws IOException {
        Random r = new Random(SEED);
        List<Mutant> mutants = new ArrayList<>(flipsAndCuts(original, r, 7));
        // the archive's own size and offset fields, at the extremes
        for (ZipLayout.Entry e : ZipLayout.entries(original)) {
            for (int at : new int[] {e.cenCompressedSize(), e.cenSize(), e.cenCrc(), e.cen() + 42, e.locNameLength(),
                    e.loc() + 18, e.loc() + 22}) {
                for (int v : EXTREME_INTS) {
                    mutants.add(new Mutant(e.name() + " field at " + at + " = " + v,
                            withInt(original, at, v, ByteOrder.LITTLE_ENDIAN)));
                }
            }
        }
        int end = original.length - 22;
        for (int at = end + 8; at < original.length - 2; at += 2) {
            for (int v : EXTREME_INTS) {
                mutants.add(new Mutant("end record at " + at + " = " + v, withInt(original, at, v,
                        ByteOrder.LITTLE_ENDIAN)));
            }
        }
        fuzzCheckpoint("checkpoint file", mutants, (file, target) -> assertEquals(trained, target.snapshot(),
                "content other than the original's"));
        int[] outcome = tally.get("checkpoint file");
        assertTrue(outcome[1] < mutants.size() / 4, outcome[1] + " of " + mutants.size() + " restored: the bytes "
                + "that carry nothing (local headers' copies of names and sizes) are a small part of the file");
    }

    // ---------------------------------------------------------------- crafted checkpoints

    private static byte[] crafted(String part, byte[] bytes) {
        return ZipLayout.zip(ZipLayout.with(ZipLayout.parts(original), part, bytes));
    }

    /** A restored crafted checkpoint: the run must now hold what the file says (saved again, it reads back equal). */
    private static void assertFaithful(Path file, TinyRun target) {
        try {
            CheckpointFile given = CheckpointFile.read(file);
            Path resaved = dir.resolve("resaved.ckpt");
            target.trainer.saveCheckpoint(resaved);
            CheckpointFile back = CheckpointFile.read(resaved);
            assertEquals(describe(given.optimizer()), describe(back.optimizer()), "optimiser state");
            assertEquals(weights(given.weights()), weights(back.weights()), "weights");
            assertEquals(comparable(given.trainer()), comparable(back.trainer()), "trainer state");
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    /**
     * An optimiser state as text, without the groups' learning rates: with a schedule attached the
     * rate is the schedule's at the restored counter (the file's copy of it is not taken).
     */
    private static String describe(OptimizerState s) {
        StringBuilder sb = new StringBuilder(s.optimizer() + " step " + s.stepCount());
        for (Map<String, Object> g : s.groups()) {
            Map<String, Object> copy = new TreeMap<>(g);
            copy.remove("lr");
            sb.append(' ').append(copy);
        }
        for (OptimizerState.Entry e : s.params()) {
            sb.append(' ').append(e.scalars());
            e.tensors().forEach((k, t) -> sb.append(' ').append(k).append(t.dtype()).append(Arrays.toString(t.shape()))
                    .append(t.data() instanceof float[] f ? Arrays.toString(f) : Arrays.toString((double[]) t.data())));
        }
        return sb.toString();
    }

    private static Map<String, String> weights(byte[] bytes) throws IOException {
        Map<String, String> out = new TreeMap<>();
        try (SafeTensorsContent c = SafeTensors.decode(bytes, "weights")) {
            c.tensors().forEach((k, t) -> out.put(k, t.dtype() + t.shape().toString() + Arrays.toString(t.toDoubleArray())));
        }
        return out;
    }

    /** The trainer state's JSON without what a restore does not take from the file (timing, the caller's metadata). */
    private static String comparable(TrainerState s) {
        ObjectNode n = TrainerStateJson.toJson(s, new HistoryLog.Reference("-", 0, 0, 0, 0));
        if (n.get("epoch_in_progress") instanceof ObjectNode p) {
            p.remove("elapsed_nanos");
        }
        n.remove("metadata");
        return n + " " + s.history().steps() + " " + s.history().epochs();
    }

    @Test
    void craftedOptimizerStatesAreRefusedOrRestoredWhole() throws IOException {
        byte[] part = ZipLayout.parts(original).get(CheckpointFile.OPTIMIZER);
        Random r = new Random(SEED + 1);
        List<Mutant> mutants = new ArrayList<>();
        for (Mutant m : randomFlips(part, r, 200)) {
            mutants.add(new Mutant(m.what(), crafted(CheckpointFile.OPTIMIZER, m.bytes())));
        }
        // every window is tried on the reader alone (optimizerStateReader...); here every 9th, through a restore
        for (Mutant m : extremeInts(part, 9, ByteOrder.BIG_ENDIAN)) {
            mutants.add(new Mutant(m.what(), crafted(CheckpointFile.OPTIMIZER, m.bytes())));
        }
        fuzzCheckpoint("crafted optimizer.bin", mutants, ReaderFuzzTest::assertFaithful);
    }

    @Test
    void craftedTrainerStatesAreRefusedOrRestoredWhole() throws IOException {
        byte[] part = ZipLayout.parts(original).get(CheckpointFile.TRAINER);
        List<Mutant> mutants = new ArrayList<>();
        for (Mutant m : jsonMutants(part)) {
            mutants.add(new Mutant(m.what(), crafted(CheckpointFile.TRAINER, m.bytes())));
        }
        for (Mutant m : randomFlips(part, new Random(SEED + 2), 150)) {
            mutants.add(new Mutant(m.what(), crafted(CheckpointFile.TRAINER, m.bytes())));
        }
        fuzzCheckpoint("crafted trainer.json", mutants, ReaderFuzzTest::assertFaithful);
    }

    @Test
    void craftedWeightsAreRefusedOrRestoredWhole() throws IOException {
        byte[] part = ZipLayout.parts(original).get(CheckpointFile.WEIGHTS);
        List<Mutant> mutants = new ArrayList<>();
        for (Mutant m : safetensorsMutants(part, new Random(SEED + 3))) {
            mutants.add(new Mutant(m.what(), crafted(CheckpointFile.WEIGHTS, m.bytes())));
        }
        fuzzCheckpoint("crafted weights", mutants, ReaderFuzzTest::assertFaithful);
    }

    @Test
    void historyFileMutantsAreRefusedNamingTheCheckpointOrRestoredIdentically() throws IOException {
        Path log;
        try (var files = Files.list(dir)) {
            log = files.filter(p -> p.getFileName().toString().startsWith("run.ckpt.")
                    && p.getFileName().toString().endsWith(".history")).findFirst().orElseThrow();
        }
        byte[] bytes = Files.readAllBytes(log);
        Random r = new Random(SEED + 4);
        List<Mutant> mutants = new ArrayList<>(randomFlips(bytes, r, 300));
        for (int n = 0; n < bytes.length; n += Math.max(1, 13 / SCALE)) {
            mutants.add(new Mutant("history cut to " + n, Arrays.copyOf(bytes, n)));
        }
        try {
            TinyRun target = new TinyRun(data, 77, dir.resolve("target.ckpt"), 3);
            List<String> before = target.snapshot();
            for (Mutant m : mutants) {
                Files.write(log, m.bytes());
                try {
                    target.trainer.restore(ckpt);
                    assertEquals(trained, target.snapshot(), m.what());
                    count("history file", false);
                    target.close();
                    target = new TinyRun(data, 77, dir.resolve("target.ckpt"), 3);
                    before = target.snapshot();
                } catch (CheckpointException e) {
                    assertTrue(e.getMessage().contains(ckpt.toString()), m.what() + ": " + e.getMessage());
                    assertEquals(before, target.snapshot(), m.what() + ": refused after changing the run");
                    count("history file", true);
                }
            }
            target.close();
        } finally {
            Files.write(log, bytes);
        }
    }

    // ---------------------------------------------------------------- the readers alone

    /** Reads {@code bytes}; a refusal must be an IOException naming {@code source}. Returns whether it was read. */
    private interface Reader {
        void read(byte[] bytes, String source) throws IOException;
    }

    private static void fuzzReader(String reader, List<Mutant> mutants, Reader read) {
        fuzzReader(reader, "fuzz/" + reader.replace(' ', '-'), mutants, read);
    }

    private static void fuzzReader(String reader, String source, List<Mutant> mutants, Reader read) {
        for (Mutant m : mutants) {
            try {
                read.read(m.bytes(), source);
                count(reader, false);
            } catch (IOException e) {
                if (e.getMessage() == null || !e.getMessage().contains(source)) {
                    fail(reader + ", " + m.what() + ": the message does not name the source: " + e.getMessage());
                }
                count(reader, true);
            } catch (Throwable t) {
                throw new AssertionError(reader + ", " + m.what() + ": " + t, t);
            }
        }
    }

    @Test
    void optimizerStateReaderRefusesNamingTheSourceOrReads() {
        byte[] good = ZipLayout.parts(original).get(CheckpointFile.OPTIMIZER);
        Random r = new Random(SEED + 5);
        List<Mutant> mutants = new ArrayList<>(flipsAndCuts(good, r, 3));
        mutants.addAll(extremeInts(good, 1, ByteOrder.BIG_ENDIAN));
        fuzzReader("optimizer state", mutants, OptimizerState::read);
    }

    @Test
    void trainerStateReaderRefusesNamingTheSourceOrReads() throws IOException {
        byte[] good = ZipLayout.parts(original).get(CheckpointFile.TRAINER);
        List<Mutant> mutants = new ArrayList<>(jsonMutants(good));
        mutants.addAll(randomFlips(good, new Random(SEED + 6), 300));
        for (int n = 0; n < good.length; n += 9) {
            mutants.add(new Mutant("cut to " + n, Arrays.copyOf(good, n)));
        }
        fuzzReader("trainer state", mutants, TrainerStateJson::read);
    }

    /** Flips of every header byte and of random data bytes, truncations, the header size and JSON numbers at extremes. */
    static List<Mutant> safetensorsMutants(byte[] good, Random r) {
        int headerEnd = (int) (8 + ByteBuffer.wrap(good).order(ByteOrder.LITTLE_ENDIAN).getLong(0));
        List<Mutant> m = new ArrayList<>();
        for (Mutant f : flipsAndCuts(Arrays.copyOf(good, headerEnd), r, 5)) {
            if (f.what().startsWith("byte")) {
                byte[] c = good.clone();
                System.arraycopy(f.bytes(), 0, c, 0, headerEnd);
                m.add(new Mutant("header " + f.what(), c));
            }
        }
        m.addAll(randomFlips(good, r, 100));
        for (int n = 0; n < good.length; n += Math.max(1, 11 / SCALE)) {
            m.add(new Mutant("cut to " + n, Arrays.copyOf(good, n)));
        }
        for (long v : new long[] {0, 1, -1, 7, Long.MAX_VALUE, Long.MIN_VALUE, 1L << 31, 100_000_001, headerEnd,
                good.length}) {
            byte[] c = good.clone();
            ByteBuffer.wrap(c).order(ByteOrder.LITTLE_ENDIAN).putLong(0, v);
            m.add(new Mutant("header size = " + v, c));
        }
        String header = new String(good, 8, headerEnd - 8, StandardCharsets.ISO_8859_1);
        java.util.regex.Matcher num = java.util.regex.Pattern.compile("-?[0-9]+").matcher(header);
        while (num.find()) {
            for (String v : new String[] {"2147483647", "-1", "4294967296", "99999999999999999999", "1e9", "0"}) {
                String h = header.substring(0, num.start()) + v + header.substring(num.end());
                byte[] hb = h.getBytes(StandardCharsets.ISO_8859_1);
                ByteBuffer c = ByteBuffer.allocate(8 + hb.length + good.length - headerEnd).order(ByteOrder.LITTLE_ENDIAN);
                c.putLong(hb.length).put(hb).put(good, headerEnd, good.length - headerEnd);
                m.add(new Mutant("header number at " + num.start() + " = " + v, c.array()));
            }
        }
        return m;
    }

    @Test
    void safetensorsReaderRefusesNamingTheSourceOrReads() throws IOException {
        byte[] good;
        try (Tensor a = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3); Tensor b = Tensor.of(new double[] {1, 2}, 2);
             Tensor c = Tensor.of(new int[] {7, 8, 9}, 3); Tensor d = Tensor.zeros(DType.INT64, 1, 2)) {
            Map<String, Tensor> t = new LinkedHashMap<>();
            t.put("a", a);
            t.put("b", b);
            t.put("c", c);
            t.put("d", d);
            good = SafeTensors.encode(t, Map.of("format", "pt"));
        }
        fuzzReader("safetensors", safetensorsMutants(good, new Random(SEED + 7)), (bytes, source) -> {
            try (SafeTensorsContent content = SafeTensors.decode(bytes, source)) {
                assertTrue(content.tensors().size() <= 4);
            }
        });
    }

    /** Flips, cuts, every dimension and the magic's bytes at extremes, for a plain and a gzipped IDX file. */
    @Test
    void idxReaderRefusesNamingTheFileOrReads() throws IOException {
        byte[] plain = ByteBuffer.allocate(4 + 12 + 5 * 3 * 4).put(new byte[] {0, 0, 0x08, 3}).putInt(5).putInt(3)
                .putInt(4).put(new byte[60]).array();
        for (int i = 16; i < plain.length; i++) {
            plain[i] = (byte) (i * 7);
        }
        byte[] floats = ByteBuffer.allocate(4 + 8 + 24).put(new byte[] {0, 0, 0x0D, 2}).putInt(2).putInt(3)
                .putFloat(1).putFloat(2).putFloat(3).putFloat(4).putFloat(5).putFloat(6).array();
        Random r = new Random(SEED + 8);
        List<Mutant> mutants = new ArrayList<>();
        for (byte[] good : List.of(plain, floats)) {
            mutants.addAll(flipsAndCuts(good, r, 1));
            for (int at = 4; at + 4 <= 4 + 4 * good[3]; at += 4) {
                for (int v : EXTREME_INTS) {
                    mutants.add(new Mutant("dimension at " + at + " = " + v, withInt(good, at, v, ByteOrder.BIG_ENDIAN)));
                }
            }
            for (int v = 0; v < 256; v += Math.max(1, 17 / SCALE)) {
                mutants.add(new Mutant("type = " + v, withByte(good, 2, v)));
                mutants.add(new Mutant("rank = " + v, withByte(good, 3, v)));
            }
        }
        List<Mutant> gz = new ArrayList<>();
        for (Mutant m : mutants) {
            gz.add(new Mutant("gzip of " + m.what(), gzip(m.bytes())));
        }
        byte[] zipped = gzip(plain);
        for (Mutant m : flipsAndCuts(zipped, r, 2)) {
            gz.add(new Mutant("gzip " + m.what(), m.bytes()));
        }
        mutants.addAll(gz);
        Path file = dir.resolve("fuzz-idx3-ubyte");
        fuzzReader("idx", file.toString(), mutants, (bytes, source) -> {
            Files.write(file, bytes);
            IdxReader.read(file);
        });
    }

    private static byte[] withByte(byte[] b, int at, int v) {
        byte[] c = b.clone();
        c[at] = (byte) v;
        return c;
    }

    private static byte[] gzip(byte[] b) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream z = new GZIPOutputStream(out)) {
            z.write(b);
        }
        return out.toByteArray();
    }
}
