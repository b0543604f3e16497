package dev.descent.train.data.text;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;

/**
 * One id per byte of the text's UTF-8 encoding: 256 ids, and every text can be encoded. Decoding
 * ids that are not valid UTF-8 (a sample cut inside a character) gives U+FFFD for the broken part.
 */
public final class ByteTokenizer implements Tokenizer {

    @Override
    public String kind() {
        return "byte";
    }

    @Override
    public int vocabSize() {
        return 256;
    }

    @Override
    public int[] encode(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        int[] out = new int[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            out[i] = bytes[i] & 0xFF;
        }
        return out;
    }

    @Override
    public String decode(int[] tokens) {
        byte[] bytes = new byte[tokens.length];
        for (int i = 0; i < tokens.length; i++) {
            if (tokens[i] < 0 || tokens[i] > 255) {
                throw new IllegalArgumentException("token " + tokens[i] + " is not a byte (0 to 255)");
            }
            bytes[i] = (byte) tokens[i];
        }
        return new String(bytes, StandardCharsets.UTF_8);
    }

    @Override
    public ObjectNode toJson() {
        return new ObjectMapper().createObjectNode().put("kind", kind());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ByteTokenizer;
    }

    @Override
    public int hashCode() {
        return 256;
    }

    @Override
    public String toString() {
        return "byte tokenizer (256 bytes)";
    }
}
