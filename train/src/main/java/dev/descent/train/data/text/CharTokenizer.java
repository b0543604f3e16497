package dev.descent.train.data.text;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * One id per character (Unicode code point) of an alphabet, as nanoGPT's character-level
 * models: the alphabet is the sorted set of the characters of a training text, so id order is
 * code-point order. Text with a character outside it cannot be encoded
 * ({@link UnknownTokenException}).
 */
public final class CharTokenizer implements Tokenizer {
    /** The most characters an alphabet may have: every Unicode code point. */
    private static final int MAX_CODE_POINT = Character.MAX_CODE_POINT;

    private final int[] alphabet;
    private final Map<Integer, Integer> ids = new HashMap<>();

    private CharTokenizer(int[] alphabet) {
        this.alphabet = alphabet;
        for (int i = 0; i < alphabet.length; i++) {
            ids.put(alphabet[i], i);
        }
    }

    /** The alphabet of {@code text}: its distinct characters, sorted. */
    public static CharTokenizer fit(String text) {
        int[] distinct = text.codePoints().distinct().sorted().toArray();
        if (distinct.length == 0) {
            throw new IllegalArgumentException("cannot build a character vocabulary from an empty text");
        }
        return new CharTokenizer(distinct);
    }

    /** An alphabet given as code points: non-empty, valid, strictly increasing. */
    public static CharTokenizer of(int[] codePoints) {
        if (codePoints.length == 0) {
            throw new IllegalArgumentException("expected at least one character in the vocabulary");
        }
        for (int i = 0; i < codePoints.length; i++) {
            if (codePoints[i] < 0 || codePoints[i] > MAX_CODE_POINT) {
                throw new IllegalArgumentException("character " + i + " of the vocabulary is " + codePoints[i]
                        + ", not a Unicode code point");
            }
            if (i > 0 && codePoints[i] <= codePoints[i - 1]) {
                throw new IllegalArgumentException("the vocabulary's characters must be distinct and increasing: "
                        + codePoints[i - 1] + " then " + codePoints[i] + " at " + i);
            }
        }
        return new CharTokenizer(codePoints.clone());
    }

    static CharTokenizer fromJson(JsonNode node) {
        JsonNode list = node.get("characters");
        if (list == null || !list.isArray()) {
            throw new IllegalArgumentException("a char tokenizer needs a \"characters\" array of code points");
        }
        int[] cps = new int[list.size()];
        for (int i = 0; i < cps.length; i++) {
            JsonNode c = list.get(i);
            if (!c.isInt()) {
                throw new IllegalArgumentException("character " + i + " of the vocabulary is " + c
                        + ", not a code point");
            }
            cps[i] = c.intValue();
        }
        return of(cps);
    }

    /** The alphabet, in id order. */
    public int[] alphabet() {
        return alphabet.clone();
    }

    @Override
    public String kind() {
        return "char";
    }

    @Override
    public int vocabSize() {
        return alphabet.length;
    }

    @Override
    public int[] encode(String text) {
        int[] out = new int[text.codePointCount(0, text.length())];
        int k = 0;
        for (int at = 0; at < text.length(); ) {
            int cp = text.codePointAt(at);
            Integer id = ids.get(cp);
            if (id == null) {
                throw new UnknownTokenException(cp, at, alphabet.length);
            }
            out[k++] = id;
            at += Character.charCount(cp);
        }
        return out;
    }

    @Override
    public String decode(int[] tokens) {
        StringBuilder sb = new StringBuilder(tokens.length);
        for (int id : tokens) {
            if (id < 0 || id >= alphabet.length) {
                throw new IllegalArgumentException("token " + id + " is outside the vocabulary of " + alphabet.length);
            }
            sb.appendCodePoint(alphabet[id]);
        }
        return sb.toString();
    }

    @Override
    public ObjectNode toJson() {
        ObjectNode o = new ObjectMapper().createObjectNode();
        o.put("kind", kind());
        ArrayNode chars = o.putArray("characters");
        for (int cp : alphabet) {
            chars.add(cp);
        }
        return o;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CharTokenizer c && Arrays.equals(alphabet, c.alphabet);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(alphabet);
    }

    @Override
    public String toString() {
        return "char tokenizer (" + alphabet.length + " characters)";
    }
}
