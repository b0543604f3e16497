package dev.descent.train.data.text;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;

/**
 * Text to token ids and back. {@link CharTokenizer}: one id per character of a training text's
 * alphabet; {@link ByteTokenizer}: one id per UTF-8 byte (256 ids, any text). A tokenizer is
 * saved with a model ({@link #toJson}) and read back checked ({@link #fromJson}), so that a
 * checkpoint carries the vocabulary its weights were trained on.
 */
public sealed interface Tokenizer permits CharTokenizer, ByteTokenizer {

    /** {@code char} or {@code byte}. */
    String kind();

    /** The number of ids, 0 to {@code vocabSize() - 1}. */
    int vocabSize();

    /**
     * The ids of {@code text}.
     *
     * @throws UnknownTokenException naming the first piece of text the vocabulary lacks
     */
    int[] encode(String text);

    /** The text of {@code ids} (each in 0 to {@code vocabSize() - 1}). */
    String decode(int[] ids);

    /** The tokenizer as a JSON object ({@code {"kind": ..., ...}}), for a checkpoint's metadata. */
    ObjectNode toJson();

    /** {@code kind} as {@code --tokenizer} spells it: {@code char} or {@code byte}; else an IllegalArgumentException. */
    static void checkKind(String kind) {
        if (!kind.equals("char") && !kind.equals("byte")) {
            throw new IllegalArgumentException("expected a tokenizer char or byte, got '" + kind + "'");
        }
    }

    /**
     * A tokenizer read back from {@link #toJson}'s text, checked: a known kind, and for
     * characters a non-empty list of distinct valid code points in increasing order.
     *
     * @throws IllegalArgumentException saying what is wrong with it
     */
    static Tokenizer fromJson(String json) {
        JsonNode node;
        try {
            node = new ObjectMapper().readTree(json);
        } catch (IOException e) {
            throw new IllegalArgumentException("the tokenizer is not valid JSON: "
                    + e.getMessage().replaceAll("\\s+", " "));
        }
        if (node == null || !node.isObject() || !node.path("kind").isTextual()) {
            throw new IllegalArgumentException("the tokenizer is not a JSON object with a \"kind\"");
        }
        String kind = node.get("kind").asText();
        return switch (kind) {
            case "byte" -> new ByteTokenizer();
            case "char" -> CharTokenizer.fromJson(node);
            default -> throw new IllegalArgumentException("unknown tokenizer kind '" + kind + "' (expected char or byte)");
        };
    }
}
