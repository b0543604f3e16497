package dev.descent.train.checkpoint;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;

/**
 * Typed reads of a JSON tree that refuse a value of the wrong type instead of coercing it
 * (Jackson's {@code asInt()} reads {@code "not-a-number"} as 0): each error names the file and
 * the field's path, says what was expected and shows what was found, on one line.
 */
final class StrictJson {
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY);

    private final String source;

    /** Reads for the file or part named {@code source}. */
    StrictJson(String source) {
        this.source = source;
    }

    /** Parses {@code bytes} as one JSON object; Jackson's message is cut down to one line with the file's name. */
    JsonNode parseObject(byte[] bytes) throws CheckpointException {
        JsonNode root;
        try {
            root = JSON.readTree(bytes);
        } catch (JsonProcessingException e) {
            throw new CheckpointException(source + ": not valid JSON: " + oneLine(e), e);
        } catch (IOException e) {
            throw new CheckpointException(source + ": cannot be read as JSON: " + e.getMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new CheckpointException(source + ": expected a JSON object, got "
                    + (root == null || root.isMissingNode() ? "nothing" : shown(root)));
        }
        return root;
    }

    /** Jackson's message without its source excerpt, with the line and column. */
    static String oneLine(JsonProcessingException e) {
        String m = String.valueOf(e.getOriginalMessage()).replaceAll("\\s+", " ").trim();
        JsonLocation at = e.getLocation();
        return at == null ? m : m + " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")";
    }

    CheckpointException bad(String path, String expected, JsonNode got) {
        return new CheckpointException(source + ": '" + path + "' must be " + expected + ", got " + shown(got));
    }

    CheckpointException bad(String message) {
        return new CheckpointException(source + ": " + message);
    }

    private static String shown(JsonNode n) {
        if (n == null || n.isMissingNode()) {
            return "nothing (the field is missing)";
        }
        String s = n.toString();
        return s.length() > 60 ? s.substring(0, 57) + "..." : s;
    }

    static String path(String parent, String field) {
        return parent.isEmpty() ? field : parent + "." + field;
    }

    /** A field that must be present (null only where {@code optional} and absent). */
    JsonNode field(JsonNode parent, String parentPath, String name, boolean optional) throws CheckpointException {
        JsonNode n = parent.get(name);
        if (n == null && !optional) {
            throw bad(path(parentPath, name), "present", null);
        }
        return n;
    }

    JsonNode object(JsonNode parent, String parentPath, String name, boolean optional) throws CheckpointException {
        JsonNode n = field(parent, parentPath, name, optional);
        if (n != null && !n.isObject()) {
            throw bad(path(parentPath, name), "an object", n);
        }
        return n;
    }

    JsonNode array(JsonNode parent, String parentPath, String name) throws CheckpointException {
        JsonNode n = field(parent, parentPath, name, false);
        if (!n.isArray()) {
            throw bad(path(parentPath, name), "an array", n);
        }
        return n;
    }

    long integer(JsonNode n, String path, long min, long max) throws CheckpointException {
        if (n == null || !n.isIntegralNumber() || !n.canConvertToLong() || n.longValue() < min || n.longValue() > max) {
            throw bad(path, "a whole number from " + min + " to " + max, n);
        }
        return n.longValue();
    }

    long integer(JsonNode parent, String parentPath, String name, long min, long max) throws CheckpointException {
        return integer(field(parent, parentPath, name, false), path(parentPath, name), min, max);
    }

    int int32(JsonNode parent, String parentPath, String name, int min) throws CheckpointException {
        return (int) integer(parent, parentPath, name, min, Integer.MAX_VALUE);
    }

    boolean bool(JsonNode parent, String parentPath, String name) throws CheckpointException {
        JsonNode n = field(parent, parentPath, name, false);
        if (!n.isBoolean()) {
            throw bad(path(parentPath, name), "true or false", n);
        }
        return n.booleanValue();
    }

    String text(JsonNode n, String path) throws CheckpointException {
        if (n == null || !n.isTextual()) {
            throw bad(path, "a string", n);
        }
        return n.textValue();
    }

    String text(JsonNode parent, String parentPath, String name) throws CheckpointException {
        return text(field(parent, parentPath, name, false), path(parentPath, name));
    }

    /** 1 to 16 hex digits: a long's bits (how doubles that must come back bit for bit are stored). */
    long hexBits(JsonNode n, String path) throws CheckpointException {
        if (n == null || !n.isTextual() || !n.textValue().matches("[0-9a-f]{1,16}")) {
            throw bad(path, "1 to 16 lower-case hex digits (a value's bits)", n);
        }
        return Long.parseUnsignedLong(n.textValue(), 16);
    }

    double hexDouble(JsonNode parent, String parentPath, String name) throws CheckpointException {
        return Double.longBitsToDouble(hexBits(field(parent, parentPath, name, false), path(parentPath, name)));
    }

    /** A number, or null for NaN (how the history's doubles are stored). */
    double numberOrNull(JsonNode n, String path) throws CheckpointException {
        if (n != null && n.isNull()) {
            return Double.NaN;
        }
        if (n == null || !n.isNumber()) {
            throw bad(path, "a number or null", n);
        }
        return n.doubleValue();
    }
}
