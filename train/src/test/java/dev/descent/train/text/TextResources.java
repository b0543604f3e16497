package dev.descent.train.text;

import dev.descent.train.data.text.CharTokenizer;
import dev.descent.train.data.text.TextCorpus;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** The test texts of {@code src/test/resources/text} (see the README there). */
public final class TextResources {
    private TextResources() {
    }

    /** {@code walking.txt}: about 15 KB of English prose written for these tests. */
    public static String walking() {
        try (InputStream in = TextResources.class.getResourceAsStream("/text/walking.txt")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@link #walking()} with its own characters as the vocabulary. */
    public static TextCorpus corpus() {
        String text = walking();
        return TextCorpus.of("walking.txt", text, CharTokenizer.fit(text));
    }
}
