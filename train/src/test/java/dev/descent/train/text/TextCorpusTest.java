package dev.descent.train.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.core.Device;
import dev.descent.core.Scope;
import dev.descent.core.Tensor;
import dev.descent.train.data.Batch;
import dev.descent.train.data.DataLoader;
import dev.descent.train.data.DataSplit;
import dev.descent.train.data.text.ByteTokenizer;
import dev.descent.train.data.text.TextCorpus;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TextCorpusTest {
    @TempDir
    Path dir;

    /** 0, 1, ..., n-1 as bytes: each window's values say where in the text it starts. */
    private static TextCorpus counting(int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) i;
        }
        return TextCorpus.of("counting", new String(b, StandardCharsets.ISO_8859_1), new ByteTokenizer());
    }

    /**
     * Training windows are every run of context + 1 tokens of the first 90% (inputs its first
     * context, targets its last context); validation windows tile the last 10% without overlap.
     */
    @Test
    void windowsSplitTheTextByPositionAndTargetsAreTheNextTokens() throws IOException {
        Path f = dir.resolve("t.txt");
        byte[] text = new byte[100];
        for (int i = 0; i < text.length; i++) {
            text[i] = (byte) ('a' + i % 26);
        }
        Files.write(f, text);
        TextCorpus corpus = TextCorpus.read(f, "byte");
        assertEquals(90, corpus.validationStart());
        try (DataSplit split = corpus.windows(4, Device.cpu()); Scope scope = Scope.open()) {
            assertEquals(86, split.train().size(), "90 tokens give 86 windows of 4 + 1");
            assertEquals(2, split.test().size(), "10 tokens give 2 windows of 4 + 1 side by side");
            int[] x = split.train().features().toIntArray();
            int[] y = split.train().targets().toIntArray();
            for (int w = 0; w < 86; w++) {
                for (int j = 0; j < 4; j++) {
                    assertEquals('a' + (w + j) % 26, x[w * 4 + j]);
                    assertEquals('a' + (w + j + 1) % 26, y[w * 4 + j]);
                }
            }
            int[] vx = split.test().features().toIntArray();
            assertArrayEquals(new int[] {'a' + 90 % 26, 'a' + 91 % 26, 'a' + 92 % 26, 'a' + 93 % 26}, Arrays.copyOf(vx, 4));
            assertEquals('a' + 94 % 26, vx[4], "the second validation window starts where the first ends");
            assertFalse(split.test().isClassification());
        }
    }

    /** A seeded sampler: the same windows per seed and epoch, others for another epoch, drawn with replacement. */
    @Test
    void randomWindowsRepeatPerSeedAndEpoch() {
        TextCorpus corpus = TextResources.corpus();
        try (DataSplit split = corpus.windows(16, Device.cpu())) {
            DataLoader a = DataLoader.withReplacement(split.train(), 8, 5, 7);
            DataLoader b = DataLoader.withReplacement(split.train(), 8, 5, 7);
            assertEquals(5, a.batchesPerEpoch());
            assertEquals(40, a.examplesPerEpoch());
            assertArrayEquals(a.order(0), b.order(0));
            assertFalse(Arrays.equals(a.order(0), a.order(1)));
            assertFalse(Arrays.equals(a.order(0), DataLoader.withReplacement(split.train(), 8, 5, 8).order(0)));
            Set<Integer> starts = new HashSet<>();
            for (int e = 0; e < 20; e++) {
                for (int i : a.order(e)) {
                    assertTrue(i >= 0 && i < split.train().size());
                    starts.add(i);
                }
            }
            assertTrue(starts.size() > 700, "draws spread over the text: " + starts.size() + " distinct of 800");
            try (Scope scope = Scope.open()) {
                Batch first = a.epoch(0).iterator().next();
                assertArrayEquals(new int[] {8, 16}, first.features().shape().dims());
                int[] x = first.features().toIntArray();
                int[] y = first.targets().toIntArray();
                assertArrayEquals(Arrays.copyOfRange(x, 1, 16), Arrays.copyOfRange(y, 0, 15),
                        "targets are the inputs shifted by one");
            }
        }
    }

    @Test
    void aTextTooShortForTheContextSaysHowLongItMustBe() {
        TextCorpus corpus = counting(100);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> corpus.windows(10, Device.cpu()));
        assertTrue(e.getMessage().contains("100 tokens, too few for a context of 10"), e.getMessage());
        assertTrue(e.getMessage().contains("at least 101 tokens, or a smaller context"), e.getMessage());
        try (DataSplit ok = counting(101).windows(10, Device.cpu())) {
            assertEquals(1, ok.test().size());
        }
    }

    @Test
    void anEmptyOrNonUtf8FileIsRefusedSayingWhatToDo() throws IOException {
        Path empty = Files.write(dir.resolve("empty.txt"), new byte[0]);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TextCorpus.read(empty, "char"));
        assertTrue(e.getMessage().contains("is empty; give a text file"), e.getMessage());
        Path latin = Files.write(dir.resolve("latin1.txt"), new byte[] {'c', 'a', 'f', (byte) 0xE9});
        e = assertThrows(IllegalArgumentException.class, () -> TextCorpus.read(latin, "char"));
        assertTrue(e.getMessage().contains("not UTF-8 text") && e.getMessage().contains("byte tokenizer"),
                e.getMessage());
        assertEquals(4, TextCorpus.read(latin, "byte").size(), "bytes read any file");
        assertThrows(IllegalArgumentException.class, () -> TextCorpus.read(latin, "word"));
    }

    @Test
    void tokensAreTheTextsIds() {
        TextCorpus corpus = counting(50);
        assertEquals(50, corpus.size());
        try (Scope scope = Scope.open(); DataSplit split = corpus.windows(2, Device.cpu())) {
            Tensor x = split.train().features();
            assertArrayEquals(new int[] {0, 1, 1, 2, 2, 3}, Arrays.copyOf(x.toIntArray(), 6));
            assertArrayEquals(new int[] {1, 2, 2, 3}, Arrays.copyOf(split.train().targets().toIntArray(), 4));
        }
    }
}
