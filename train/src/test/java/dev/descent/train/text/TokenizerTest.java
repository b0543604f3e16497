package dev.descent.train.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.train.data.text.ByteTokenizer;
import dev.descent.train.data.text.CharTokenizer;
import dev.descent.train.data.text.Tokenizer;
import dev.descent.train.data.text.UnknownTokenException;
import org.junit.jupiter.api.Test;

class TokenizerTest {

    /** The alphabet is the text's distinct characters in code-point order; ids index it. */
    @Test
    void charactersAreNumberedInCodePointOrder() {
        CharTokenizer t = CharTokenizer.fit("banana, bread");
        assertArrayEquals(" ,abdenr".codePoints().toArray(), t.alphabet());
        assertArrayEquals(new int[] {3, 2, 6, 2, 6, 2}, t.encode("banana"));
        assertEquals("bread", t.decode(t.encode("bread")));
        assertEquals(8, t.vocabSize());
    }

    @Test
    void charactersBeyondTheBasicPlaneAreOneToken() {
        String text = "a\uD83D\uDE00b";   // a, an emoji (two chars, one code point), b
        CharTokenizer t = CharTokenizer.fit(text);
        assertEquals(3, t.vocabSize());
        assertEquals(3, t.encode(text).length);
        assertEquals(text, t.decode(t.encode(text)));
    }

    @Test
    void anUnknownCharacterIsNamedWithItsPlace() {
        CharTokenizer t = CharTokenizer.fit("abc");
        UnknownTokenException e = assertThrows(UnknownTokenException.class, () -> t.encode("abxc"));
        assertEquals('x', e.codePoint());
        assertEquals(2, e.offset());
        assertTrue(e.getMessage().contains("'x' (U+0078) at offset 2 is not in the vocabulary of 3 characters"),
                e.getMessage());
    }

    @Test
    void bytesCoverEveryTextAndSurviveARoundTrip() {
        ByteTokenizer t = new ByteTokenizer();
        String text = "héllo\n";
        int[] ids = t.encode(text);
        assertArrayEquals(new int[] {'h', 0xC3, 0xA9, 'l', 'l', 'o', '\n'}, ids);
        assertEquals(text, t.decode(ids));
        assertEquals(256, t.vocabSize());
    }

    /** A checkpoint keeps the tokenizer as JSON; reading it back gives the same one, checked. */
    @Test
    void theJsonFormRoundTripsAndBadOnesAreRefused() {
        CharTokenizer t = CharTokenizer.fit("hello world");
        assertEquals(t, Tokenizer.fromJson(t.toJson().toString()));
        assertEquals(new ByteTokenizer(), Tokenizer.fromJson(new ByteTokenizer().toJson().toString()));
        for (String bad : new String[] {"not json", "[]", "{\"kind\": \"word\"}", "{\"kind\": \"char\"}",
            "{\"kind\": \"char\", \"characters\": []}", "{\"kind\": \"char\", \"characters\": [98, 97]}",
            "{\"kind\": \"char\", \"characters\": [97, 97]}", "{\"kind\": \"char\", \"characters\": [-1]}",
            "{\"kind\": \"char\", \"characters\": [1114112]}", "{\"kind\": \"char\", \"characters\": [\"a\"]}"}) {
            assertThrows(IllegalArgumentException.class, () -> Tokenizer.fromJson(bad), bad);
        }
    }
}
