package dev.descent.nn.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.descent.core.DType;
import dev.descent.core.Scope;
import dev.descent.core.Tensor;
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
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafeTensorsTest {
    @TempDir
    Path dir;

    private static Map<String, Tensor> sample() {
        Map<String, Tensor> m = new LinkedHashMap<>();
        m.put("layer.weight", Tensor.of(new float[] {1.5f, -2f, 3.25f, 0f, 1e-30f, Float.MAX_VALUE}, 2, 3));
        m.put("b64", Tensor.of(new double[] {Math.PI, -0.0, 1e300}));
        m.put("counts", Tensor.of(new int[] {7, -8, Integer.MAX_VALUE, 0}, 2, 2));
        m.put("step", Tensor.of(new long[] {Long.MAX_VALUE}).reshape());
        m.put("empty", Tensor.zeros(DType.FLOAT32, 0, 4));
        m.put("a.bias", Tensor.of(new float[] {0.5f}));
        return m;
    }

    @Test
    void roundTripKeepsNamesDTypesShapesValuesAndMetadata() throws IOException {
        Path file = dir.resolve("w.safetensors");
        try (Scope scope = Scope.open()) {
            Map<String, Tensor> written = sample();
            SafeTensors.write(file, written, Map.of("format", "pt", "note", "ünïcode"));
            try (SafeTensorsContent read = SafeTensors.read(file)) {
                assertEquals(new java.util.TreeSet<>(written.keySet()), read.tensors().keySet());
                assertEquals(Map.of("format", "pt", "note", "ünïcode"), read.metadata());
                for (Map.Entry<String, Tensor> e : written.entrySet()) {
                    Tensor back = read.tensors().get(e.getKey());
                    assertEquals(e.getValue().dtype(), back.dtype(), e.getKey());
                    assertEquals(e.getValue().shape(), back.shape(), e.getKey());
                    assertArrayEquals(e.getValue().toDoubleArray(), back.toDoubleArray(), e.getKey());
                }
                assertArrayEquals(new long[] {Long.MAX_VALUE}, read.tensors().get("step").toLongArray());
            }
        }
    }

    /**
     * The bytes, parsed here from the format's definition without the reader: an 8-byte
     * little-endian header size N (a multiple of 8), N bytes of JSON padded with spaces, keys in
     * sorted order, offsets that tile the buffer, each tensor aligned to its element size, and
     * little-endian element data.
     */
    @Test
    void writtenBytesFollowTheFormat() throws IOException {
        Path file = dir.resolve("spec.safetensors");
        try (Scope scope = Scope.open()) {
            Map<String, Tensor> written = sample();
            SafeTensors.write(file, written, Map.of("format", "pt"));
            byte[] bytes = Files.readAllBytes(file);
            ByteBuffer le = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
            long n = le.getLong(0);
            assertEquals(0, n % 8, "header size is a multiple of 8");
            String header = new String(bytes, 8, (int) n, StandardCharsets.UTF_8);
            assertTrue(header.startsWith("{"));
            String json = header.stripTrailing();
            assertTrue(json.endsWith("}"));
            assertTrue(header.substring(json.length()).chars().allMatch(c -> c == ' '), "padding is spaces");
            assertTrue(header.length() - json.length() < 8, "no more padding than needed");

            JsonNode root = new ObjectMapper().readTree(json);
            List<String> keys = new ArrayList<>();
            root.fieldNames().forEachRemaining(keys::add);
            List<String> sorted = new ArrayList<>(keys);
            sorted.sort(null);
            assertEquals(sorted, keys, "header keys are sorted");
            assertEquals("pt", root.get("__metadata__").get("format").textValue());

            long dataStart = 8 + n;
            long[][] spans = new long[written.size()][];
            int k = 0;
            for (Map.Entry<String, JsonNode> e : root.properties()) {
                if (e.getKey().equals("__metadata__")) {
                    continue;
                }
                Tensor t = written.get(e.getKey());
                JsonNode info = e.getValue();
                String code = Map.of(DType.FLOAT32, "F32", DType.FLOAT64, "F64", DType.INT32, "I32", DType.INT64, "I64")
                        .get(t.dtype());
                assertEquals(code, info.get("dtype").textValue());
                int[] shape = new int[info.get("shape").size()];
                for (int i = 0; i < shape.length; i++) {
                    shape[i] = info.get("shape").get(i).intValue();
                }
                assertArrayEquals(t.shape().dims(), shape, e.getKey());
                long begin = info.get("data_offsets").get(0).longValue();
                long end = info.get("data_offsets").get(1).longValue();
                int size = t.dtype().byteSize();
                assertEquals(t.numel() * size, end - begin, e.getKey());
                assertEquals(0, (dataStart + begin) % size, e.getKey() + " is aligned to its element size");
                spans[k++] = new long[] {begin, end};
                double[] expected = t.toDoubleArray();
                for (int i = 0; i < expected.length; i++) {
                    int at = (int) (dataStart + begin) + i * size;
                    double v = switch (code) {
                        case "F32" -> le.getFloat(at);
                        case "F64" -> le.getDouble(at);
                        case "I32" -> le.getInt(at);
                        default -> le.getLong(at);
                    };
                    assertEquals(expected[i], v, 0.0, e.getKey() + "[" + i + "]");
                }
            }
            assertEquals(written.size(), k);
            Arrays.sort(spans, (a, b) -> Long.compare(a[0], b[0]));
            long at = 0;
            for (long[] s : spans) {
                assertEquals(at, s[0], "no gap or overlap");
                at = s[1];
            }
            assertEquals(bytes.length - dataStart, at, "the tensors cover the buffer");
        }
    }

    /** A file built here byte by byte, with an unpadded header (readers accept any N), loads. */
    @Test
    void aHandBuiltFileLoads() throws IOException {
        String header = "{\"__metadata__\":{\"by\":\"hand\"},"
                + "\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,16]},"
                + "\"n\":{\"dtype\":\"I64\",\"shape\":[1],\"data_offsets\":[0,8]}}";
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + 16).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(h.length).put(h).putLong(42).putFloat(0.5f).putFloat(-3f);
        Path file = dir.resolve("hand.safetensors");
        Files.write(file, b.array());
        try (SafeTensorsContent c = SafeTensors.read(file)) {
            assertArrayEquals(new float[] {0.5f, -3f}, c.tensors().get("w").toFloatArray());
            assertArrayEquals(new long[] {42}, c.tensors().get("n").toLongArray());
            assertEquals(DType.INT64, c.tensors().get("n").dtype());
            assertEquals(Map.of("by", "hand"), c.metadata());
        }
    }

    private static byte[] file(String header, int dataBytes) {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(8 + h.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN).putLong(h.length).put(h)
                .array();
    }

    private static String failure(byte[] bytes) {
        return assertThrows(SafeTensorsException.class, () -> SafeTensors.decode(bytes, "f")).getMessage();
    }

    @Test
    void truncatedFilesGiveClearErrors() throws IOException {
        byte[] whole;
        try (Scope scope = Scope.open()) {
            whole = SafeTensors.encode(sample(), Map.of());
        }
        assertTrue(failure(Arrays.copyOf(whole, 5)).contains("shorter than the 8-byte header size"));
        assertTrue(failure(Arrays.copyOf(whole, 40)).contains("exceeds the 32 bytes that follow it (truncated file?)"));
        String cut = failure(Arrays.copyOf(whole, whole.length - 3));
        assertTrue(cut.contains("but the data buffer holds") && cut.contains("truncated"), cut);
        assertTrue(failure(new byte[0]).contains("0 bytes"));
    }

    @Test
    void inconsistentHeadersGiveClearErrors() {
        String span = failure(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", 8));
        assertTrue(span.contains("tensor 'a': data_offsets [0, 8] span 8 bytes, but F32[3] needs 12"), span);
        String gap = failure(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", 8));
        assertTrue(gap.contains("tensor 'a' starts at byte 4 of the data buffer, expected 0 (a gap"), gap);
        String overlap = failure(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", 8));
        assertTrue(overlap.contains("an overlap"), overlap);
        String trailing = failure(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", 8));
        assertTrue(trailing.contains("cover 4 bytes but the data buffer holds 8 (trailing bytes)"), trailing);
        String dtype = failure(file("{\"a\":{\"dtype\":\"BF16\",\"shape\":[1],\"data_offsets\":[0,2]}}", 2));
        assertTrue(dtype.contains("dtype 'BF16' is not supported (expected F32, F64, I32 or I64)"), dtype);
        String shape = failure(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,4]}}", 4));
        assertTrue(shape.contains("must hold integers >= 0"), shape);
        String json = failure(file("{\"a\":{\"dtype\":\"F32\",", 0));
        assertTrue(json.contains("the header is not valid JSON"), json);
        String start = failure(file("[1, 2]", 0));
        assertTrue(start.contains("must be a JSON object starting with '{'"), start);
        String duplicate = failure(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[0,0]},"
                + "\"a\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[0,0]}}", 0));
        assertTrue(duplicate.contains("not valid JSON") && duplicate.contains("Duplicate"), duplicate);
        String offsets = failure(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0]}}", 4));
        assertTrue(offsets.contains("expected data_offsets [begin, end]"), offsets);
        byte[] huge = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(-5).array();
        assertTrue(failure(huge).contains("beyond the format's limit"));
    }

    @Test
    void aFailedWriteLeavesTheOldFileAndNoTemporaryFile() throws IOException {
        Path file = dir.resolve("keep.safetensors");
        try (Scope scope = Scope.open()) {
            SafeTensors.write(file, Map.of("x", Tensor.ones(3)));
        }
        byte[] before = Files.readAllBytes(file);
        Tensor closed = Tensor.ones(2);
        closed.close();
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> SafeTensors.write(file, Map.of("x", closed)));
        assertTrue(e.getMessage().contains("'x'"), e.getMessage());
        assertArrayEquals(before, Files.readAllBytes(file));
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of(file), files.toList());
        }
        assertThrows(IOException.class, () -> SafeTensors.write(dir.resolve("no/such/dir/w.safetensors"),
                Map.of("x", Tensor.ones(1))));
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of(file), files.toList());
        }
    }

    /** The file gets the permissions of any new file here, not a temporary file's owner-only ones. */
    @Test
    void theWrittenFileHasOrdinaryPermissions() throws IOException {
        Path file = dir.resolve("perm.safetensors");
        Path reference = Files.createFile(dir.resolve("reference"));
        try (Scope scope = Scope.open()) {
            SafeTensors.write(file, Map.of("x", Tensor.ones(2)));
        }
        if (file.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            assertEquals(Files.getPosixFilePermissions(reference), Files.getPosixFilePermissions(file));
        }
    }

    @Test
    void rewritingReplacesTheFile() throws IOException {
        Path file = dir.resolve("w.safetensors");
        try (Scope scope = Scope.open()) {
            SafeTensors.write(file, Map.of("x", Tensor.ones(3)));
            SafeTensors.write(file, Map.of("y", Tensor.zeros(DType.FLOAT64, 2)));
            try (SafeTensorsContent c = SafeTensors.read(file)) {
                assertEquals(List.of("y"), List.copyOf(c.tensors().keySet()));
            }
        }
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(1, files.count());
        }
    }

    /** Issue 17, item 6: the error names the path (it used to say "Is a directory" alone). */
    @Test
    void readingADirectoryNamesIt() throws IOException {
        Path sub = Files.createDirectories(dir.resolve("weights.safetensors"));
        SafeTensorsException e = assertThrows(SafeTensorsException.class, () -> SafeTensors.read(sub));
        assertTrue(e.getMessage().contains(sub.toString()) && e.getMessage().contains("directory"), e.getMessage());
    }
}
