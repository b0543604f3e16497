package dev.descent.nn.io;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.descent.core.Check;
import dev.descent.core.DType;
import dev.descent.core.Scope;
import dev.descent.core.Tensor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Tensors on disk in the safetensors format (Hugging Face), which PyTorch, JAX, TensorFlow and
 * the {@code safetensors} readers of other languages load. The layout:
 *
 * <pre>
 * 8 bytes   N, an unsigned 64-bit little-endian integer: the size of the header
 * N bytes   the header, UTF-8 JSON: {"name": {"dtype": "F32", "shape": [2, 3],
 *           "data_offsets": [begin, end]}, ..., "__metadata__": {"key": "value"}},
 *           padded with spaces (0x20) so that the data starts 8-byte aligned
 * rest      the byte buffer: every tensor's elements, row-major, little-endian;
 *           data_offsets are relative to its start, and the tensors cover it exactly
 *           (no gaps, no overlaps)
 * </pre>
 *
 * <p>Descent writes the header keys in sorted order, and the data of 8-byte dtypes before that
 * of 4-byte ones (each group by name), so that every tensor starts at an offset that is a
 * multiple of its element size without padding inside the buffer. Supported dtypes: F32, F64,
 * I32, I64. {@link #write} is atomic: the bytes go to a temporary file in the same directory,
 * which is forced to disk and then renamed over the target ({@code ATOMIC_MOVE}), so a reader
 * sees the old file or the new one, never a part; on failure nothing on disk changes.
 * {@link #read} checks the whole file before it makes any tensor.
 */
public final class SafeTensors {
    /** The header size limit of the reference implementation (100 MB), against absurd sizes in corrupt files. */
    static final long MAX_HEADER_BYTES = 100_000_000L;
    static final String METADATA_KEY = "__metadata__";

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private SafeTensors() {
    }

    // ---------------------------------------------------------------- writing

    /** Writes {@code tensors} (by name) with no metadata; see {@link #write(Path, Map, Map)}. */
    public static void write(Path path, Map<String, Tensor> tensors) throws IOException {
        write(path, tensors, Map.of());
    }

    /**
     * Writes {@code tensors} and the string map {@code metadata} to {@code path} atomically,
     * replacing any file there.
     */
    public static void write(Path path, Map<String, Tensor> tensors, Map<String, String> metadata) throws IOException {
        byte[] bytes = encode(tensors, metadata);
        Path target = path.toAbsolutePath();
        Path dir = target.getParent();
        Path tmp = null;
        try {
            tmp = createTemporary(dir, target.getFileName().toString());
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                ByteBuffer buf = ByteBuffer.wrap(bytes);
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
                ch.force(true);
            }
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException | RuntimeException e) {
            if (tmp != null) {
                Files.deleteIfExists(tmp);
            }
            throw e;
        }
        syncDirectory(dir);
    }

    /**
     * A new empty file {@code .NAME.RANDOM.tmp} in {@code dir}, with the permissions of any new
     * file there (not {@code Files.createTempFile}'s owner-only ones, which the rename would
     * pass on to the weights file).
     */
    private static Path createTemporary(Path dir, String name) throws IOException {
        while (true) {
            Path candidate = dir.resolve("." + name + "." + Long.toHexString(RANDOM.nextLong()) + ".tmp");
            try {
                return Files.createFile(candidate);
            } catch (FileAlreadyExistsException taken) {
                // another writer's temporary file: draw another name
            }
        }
    }

    /** Makes the rename itself durable where the platform allows opening a directory; best effort elsewhere. */
    private static void syncDirectory(Path dir) {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException | UnsupportedOperationException e) {
            // Windows cannot open a directory as a channel; the rename has happened all the same.
        }
    }

    /** The bytes of a safetensors file holding {@code tensors} and {@code metadata}. */
    public static byte[] encode(Map<String, Tensor> tensors, Map<String, String> metadata) {
        String op = "SafeTensors.write";
        List<String> order = new ArrayList<>(tensors.keySet());
        for (String name : order) {
            Check.argument(name != null && !name.isEmpty() && !name.equals(METADATA_KEY), op,
                    "expected tensor names other than '' and '%s', got '%s'", METADATA_KEY, name);
            Tensor t = tensors.get(name);
            Check.argument(t != null, op, "tensor '%s' is null", name);
            t.checkOpen(op + " '" + name + "'");
            Check.argument(t.numel() * t.dtype().byteSize() <= Integer.MAX_VALUE, op,
                    "tensor '%s' (%s) is too large for one file buffer", name, t.describe());
        }
        order.sort(Comparator.comparingInt((String n) -> -tensors.get(n).dtype().byteSize())
                .thenComparing(Comparator.naturalOrder()));

        Map<String, Object> header = new TreeMap<>();
        if (!metadata.isEmpty()) {
            header.put(METADATA_KEY, new TreeMap<>(metadata));
        }
        long offset = 0;
        for (String name : order) {
            Tensor t = tensors.get(name);
            long size = t.numel() * t.dtype().byteSize();
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("dtype", code(t.dtype()));
            entry.put("shape", t.shape().dims());
            entry.put("data_offsets", new long[] {offset, offset + size});
            header.put(name, entry);
            offset += size;
        }
        Check.argument(offset <= Integer.MAX_VALUE - 1024, op, "the tensors hold %d bytes, too many for one file",
                offset);
        byte[] json;
        try {
            json = JSON.writeValueAsBytes(header);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(op + ": could not write the JSON header: " + e.getMessage(), e);
        }
        int padded = (json.length + 7) / 8 * 8;
        ByteBuffer out = ByteBuffer.allocate(Math.toIntExact(8 + padded + offset)).order(ByteOrder.LITTLE_ENDIAN);
        out.putLong(padded);
        out.put(json);
        for (int i = json.length; i < padded; i++) {
            out.put((byte) ' ');
        }
        for (String name : order) {
            putData(out, tensors.get(name));
        }
        return out.array();
    }

    private static void putData(ByteBuffer out, Tensor t) {
        switch (t.dtype()) {
            case FLOAT32 -> {
                for (float v : t.toFloatArray()) {
                    out.putFloat(v);
                }
            }
            case FLOAT64 -> {
                for (double v : t.toDoubleArray()) {
                    out.putDouble(v);
                }
            }
            case INT32 -> {
                for (int v : t.toIntArray()) {
                    out.putInt(v);
                }
            }
            case INT64 -> {
                for (long v : t.toLongArray()) {
                    out.putLong(v);
                }
            }
        }
    }

    /** The format's name of a dtype: F32, F64, I32, I64. */
    public static String code(DType dtype) {
        return switch (dtype) {
            case FLOAT32 -> "F32";
            case FLOAT64 -> "F64";
            case INT32 -> "I32";
            case INT64 -> "I64";
        };
    }

    // ---------------------------------------------------------------- reading

    /** Reads and checks the file at {@code path}; see {@link #decode}. */
    public static SafeTensorsContent read(Path path) throws IOException {
        if (Files.isDirectory(path)) {
            throw new SafeTensorsException(path + ": a directory, expected a safetensors file");
        }
        long size = Files.size(path);
        if (size > Integer.MAX_VALUE - 8) {
            throw new SafeTensorsException(path + ": " + size + " bytes are more than this reader holds in memory");
        }
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(path);
        } catch (NoSuchFileException e) {
            throw e;
        } catch (IOException e) {
            throw new SafeTensorsException(path + ": cannot be read: " + e.getMessage(), e);
        }
        return decode(bytes, path.toString());
    }

    /**
     * Parses a safetensors file's bytes; {@code source} names it in errors. The whole header is
     * checked (sizes, JSON, dtypes, shapes, offsets covering the buffer exactly) before any
     * tensor is made. The tensors are made on the default device.
     *
     * @throws SafeTensorsException naming the file and what is wrong
     */
    public static SafeTensorsContent decode(byte[] bytes, String source) throws SafeTensorsException {
        if (bytes.length < 8) {
            throw new SafeTensorsException(source + ": " + bytes.length
                    + " bytes, shorter than the 8-byte header size that starts a safetensors file (truncated?)");
        }
        ByteBuffer buf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        long n = buf.getLong(0);
        long rest = bytes.length - 8L;
        if (n < 0 || n > MAX_HEADER_BYTES) {
            throw new SafeTensorsException(source + ": header size " + Long.toUnsignedString(n)
                    + " is beyond the format's limit of " + MAX_HEADER_BYTES + " bytes (corrupt file?)");
        }
        if (n > rest) {
            throw new SafeTensorsException(source + ": header size " + n + " exceeds the " + rest
                    + " bytes that follow it (truncated file?)");
        }
        int headerEnd = (int) (8 + n);
        List<Entry> entries = new ArrayList<>();
        Map<String, String> metadata = parseHeader(bytes, headerEnd, source, entries);
        long dataLength = bytes.length - (long) headerEnd;
        checkCoverage(entries, dataLength, source);

        Map<String, Tensor> tensors = new TreeMap<>();
        try (Scope scope = Scope.open()) {
            for (Entry e : entries) {
                ByteBuffer slice = buf.duplicate().order(ByteOrder.LITTLE_ENDIAN);
                slice.position((int) (headerEnd + e.begin));
                tensors.put(e.name, scope.keep(tensorOf(e, slice)));
            }
        }
        return new SafeTensorsContent(tensors, metadata);
    }

    /** One tensor's header entry. */
    private record Entry(String name, DType dtype, int[] shape, long begin, long end) {
    }

    private static Map<String, String> parseHeader(byte[] bytes, int headerEnd, String source, List<Entry> entries)
            throws SafeTensorsException {
        if (headerEnd == 8 || bytes[8] != '{') {
            throw new SafeTensorsException(source + ": the header must be a JSON object starting with '{'");
        }
        JsonNode root;
        try {
            root = JSON.readTree(new String(bytes, 8, headerEnd - 8, StandardCharsets.UTF_8));
        } catch (JsonProcessingException e) {
            throw new SafeTensorsException(source + ": the header is not valid JSON: " + e.getOriginalMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new SafeTensorsException(source + ": the header must be a JSON object");
        }
        Map<String, String> metadata = new TreeMap<>();
        for (Map.Entry<String, JsonNode> field : root.properties()) {
            String name = field.getKey();
            JsonNode node = field.getValue();
            if (name.equals(METADATA_KEY)) {
                readMetadata(node, source, metadata);
            } else {
                entries.add(readEntry(name, node, source));
            }
        }
        return metadata;
    }

    private static void readMetadata(JsonNode node, String source, Map<String, String> into)
            throws SafeTensorsException {
        if (!node.isObject()) {
            throw new SafeTensorsException(source + ": " + METADATA_KEY + " must be an object of strings");
        }
        for (Map.Entry<String, JsonNode> m : node.properties()) {
            if (!m.getValue().isTextual()) {
                throw new SafeTensorsException(source + ": " + METADATA_KEY + " value of '" + m.getKey()
                        + "' must be a string, got " + m.getValue());
            }
            into.put(m.getKey(), m.getValue().textValue());
        }
    }

    private static Entry readEntry(String name, JsonNode node, String source) throws SafeTensorsException {
        String where = source + ": tensor '" + name + "'";
        if (!node.isObject()) {
            throw new SafeTensorsException(where + ": expected an object with dtype, shape and data_offsets, got "
                    + node);
        }
        JsonNode dtypeNode = node.get("dtype");
        if (dtypeNode == null || !dtypeNode.isTextual()) {
            throw new SafeTensorsException(where + ": expected a string dtype, got " + dtypeNode);
        }
        DType dtype = switch (dtypeNode.textValue()) {
            case "F32" -> DType.FLOAT32;
            case "F64" -> DType.FLOAT64;
            case "I32" -> DType.INT32;
            case "I64" -> DType.INT64;
            default -> throw new SafeTensorsException(where + ": dtype '" + dtypeNode.textValue()
                    + "' is not supported (expected F32, F64, I32 or I64)");
        };
        JsonNode shapeNode = node.get("shape");
        if (shapeNode == null || !shapeNode.isArray()) {
            throw new SafeTensorsException(where + ": expected a shape array, got " + shapeNode);
        }
        int[] shape = new int[shapeNode.size()];
        long numel = 1;
        for (int i = 0; i < shape.length; i++) {
            JsonNode d = shapeNode.get(i);
            if (!d.canConvertToInt() || !d.isIntegralNumber() || d.intValue() < 0) {
                throw new SafeTensorsException(where + ": shape " + shapeNode + " must hold integers >= 0");
            }
            shape[i] = d.intValue();
            numel = multiplyChecked(numel, shape[i], where);
        }
        JsonNode offsets = node.get("data_offsets");
        if (offsets == null || !offsets.isArray() || offsets.size() != 2 || !offsets.get(0).canConvertToLong()
                || !offsets.get(1).canConvertToLong() || !offsets.get(0).isIntegralNumber()
                || !offsets.get(1).isIntegralNumber()) {
            throw new SafeTensorsException(where + ": expected data_offsets [begin, end], got " + offsets);
        }
        long begin = offsets.get(0).longValue();
        long end = offsets.get(1).longValue();
        if (begin < 0 || end < begin) {
            throw new SafeTensorsException(where + ": data_offsets [" + begin + ", " + end
                    + "] must satisfy 0 <= begin <= end");
        }
        long expected = multiplyChecked(numel, dtype.byteSize(), where);
        if (end - begin != expected) {
            throw new SafeTensorsException(where + ": data_offsets [" + begin + ", " + end + "] span "
                    + (end - begin) + " bytes, but " + dtypeNode.textValue() + Arrays.toString(shape) + " needs "
                    + expected);
        }
        return new Entry(name, dtype, shape, begin, end);
    }

    private static long multiplyChecked(long a, long b, String where) throws SafeTensorsException {
        try {
            return Math.multiplyExact(a, b);
        } catch (ArithmeticException e) {
            throw new SafeTensorsException(where + ": the shape's size overflows");
        }
    }

    /** The tensors must cover the data buffer exactly, with neither gaps nor overlaps. */
    private static void checkCoverage(List<Entry> entries, long dataLength, String source)
            throws SafeTensorsException {
        List<Entry> byOffset = new ArrayList<>(entries);
        byOffset.sort(Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
        long at = 0;
        for (Entry e : byOffset) {
            if (e.begin != at) {
                throw new SafeTensorsException(source + ": tensor '" + e.name + "' starts at byte " + e.begin
                        + " of the data buffer, expected " + at + " ("
                        + (e.begin > at ? "a gap" : "an overlap") + " in data_offsets)");
            }
            at = e.end;
        }
        if (at != dataLength) {
            throw new SafeTensorsException(source + ": the header's tensors cover " + at
                    + " bytes but the data buffer holds " + dataLength
                    + (dataLength < at ? " (truncated file?)" : " (trailing bytes)"));
        }
    }

    private static Tensor tensorOf(Entry e, ByteBuffer data) {
        int count = Math.toIntExact((e.end - e.begin) / e.dtype.byteSize());
        Tensor flat = switch (e.dtype) {
            case FLOAT32 -> {
                float[] v = new float[count];
                data.asFloatBuffer().get(v);
                yield Tensor.of(v, count);
            }
            case FLOAT64 -> {
                double[] v = new double[count];
                data.asDoubleBuffer().get(v);
                yield Tensor.of(v, count);
            }
            case INT32 -> {
                int[] v = new int[count];
                data.asIntBuffer().get(v);
                yield Tensor.of(v, count);
            }
            case INT64 -> {
                long[] v = new long[count];
                data.asLongBuffer().get(v);
                yield Tensor.of(v, count);
            }
        };
        try (flat) {
            return flat.reshape(e.shape);
        }
    }
}
