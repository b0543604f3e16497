package dev.descent.train.data.text;

/** Text holding a character that a tokenizer's vocabulary lacks: which one, and where. */
public final class UnknownTokenException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    private final int codePoint;
    private final int offset;

    public UnknownTokenException(int codePoint, int offset, int vocabSize) {
        super(String.format("the character %s (U+%04X) at offset %d is not in the vocabulary of %d characters",
                printable(codePoint), codePoint, offset, vocabSize));
        this.codePoint = codePoint;
        this.offset = offset;
    }

    private static String printable(int cp) {
        return Character.isISOControl(cp) || Character.isWhitespace(cp) ? "'\\u" + String.format("%04x", cp) + "'"
                : "'" + new String(Character.toChars(cp)) + "'";
    }

    /** The character, as a code point. */
    public int codePoint() {
        return codePoint;
    }

    /** Its position in the text, in chars (UTF-16 units). */
    public int offset() {
        return offset;
    }
}
