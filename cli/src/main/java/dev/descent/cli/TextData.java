package dev.descent.cli;

import dev.descent.train.data.text.TextCorpus;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@code --data text:FILE}: a text file for a language model, read as characters (its own
 * alphabet, {@code --tokenizer char}) or UTF-8 bytes ({@code --tokenizer byte}), split by position
 * into training (the first 90%) and validation windows ({@link TextCorpus}).
 */
final class TextData {
    static final String PREFIX = "text:";

    private TextData() {
    }

    static boolean isText(String data) {
        return data.startsWith(PREFIX);
    }

    static Path file(String data) {
        return Path.of(data.substring(PREFIX.length()));
    }

    /** The run directory's default name: the file's name without its extension. */
    static String shortName(String data) {
        Path name = file(data).getFileName();
        String s = name == null ? "text" : name.toString();
        int dot = s.lastIndexOf('.');
        return dot > 0 ? s.substring(0, dot) : s.isEmpty() ? "text" : s;
    }

    /** A one-line error unless {@code data} names a readable file. */
    static void check(String data) {
        Path f = file(data);
        if (data.length() == PREFIX.length()) {
            throw new UserError("--data: expected text:FILE, a text file to train on, got '" + data + "'");
        }
        if (!Files.isRegularFile(f)) {
            throw new UserError("--data: " + f + " is not a file; give text:FILE with a text file to train on "
                    + "(for example the fortunes package's /usr/share/games/fortunes/cookie)");
        }
        if (!Files.isReadable(f)) {
            throw new UserError("--data: " + f + " cannot be read (permissions)");
        }
    }

    /** The corpus of {@code data} with the tokenizer {@code kind}; one-line errors for empty or non-UTF-8 files. */
    static TextCorpus read(String data, String kind) throws IOException {
        check(data);
        try {
            return TextCorpus.read(file(data), kind);
        } catch (IllegalArgumentException e) {
            throw new UserError("--data: " + e.getMessage());
        }
    }
}
