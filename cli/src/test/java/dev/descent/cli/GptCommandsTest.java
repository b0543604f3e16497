package dev.descent.cli;

import static dev.descent.cli.TrainCommandTest.descent;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.descent.cli.TrainCommandTest.Outcome;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** {@code descent train --data text:FILE --model gpt:...} and {@code descent sample}, and their one-line errors. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class GptCommandsTest {
    private static final String MODEL = "gpt:layers=1,heads=2,dim=16,context=16";

    @TempDir
    static Path dir;
    private Path text;
    private Path run;

    /** A small text of a few sentences, repeated, and a short GPT run on it that the sample tests read. */
    @BeforeAll
    void trainOnce() throws IOException {
        StringBuilder sb = new StringBuilder();
        String[] lines = {"the cat sat on the mat.", "the dog sat on the log.", "a bird sang in the tree.",
            "the sun rose over the hill."};
        for (int i = 0; i < 120; i++) {
            sb.append(lines[i % lines.length]).append(i % 3 == 0 ? "\n" : " ");
        }
        text = Files.writeString(dir.resolve("lines.txt"), sb.toString());
        run = dir.resolve("run");
        Outcome o = train(run, "--epochs", "2", "--steps-per-epoch", "5");
        assertEquals(ExitCodes.OK, o.status(), o.err());
    }

    private Outcome train(Path out, String... extra) {
        List<String> args = new ArrayList<>(List.of("train", "--progress", "plain", "--out", out.toString(), "--data",
                "text:" + text, "--model", MODEL, "--batch-size", "4"));
        args.addAll(Arrays.asList(extra));
        return descent(args.toArray(String[]::new));
    }

    private Outcome sample(String... extra) {
        List<String> args = new ArrayList<>(List.of("sample", "--checkpoint", run.resolve("checkpoint.ckpt").toString()));
        args.addAll(Arrays.asList(extra));
        return descent(args.toArray(String[]::new));
    }

    @Test
    void aGptRunWritesTheUsualFilesWithItsTokenizerAndNanoGptsDefaults() throws IOException {
        for (String f : List.of("metrics.csv", "steps.csv", "metrics.jsonl", "summary.json", "checkpoint.ckpt",
                "loss.png", "step-loss.png", "learning-rate.png")) {
            assertTrue(Files.isRegularFile(run.resolve(f)), f + " missing");
        }
        JsonNode summary = new ObjectMapper().readTree(run.resolve("summary.json").toFile());
        assertEquals(10, summary.get("steps").asInt());
        JsonNode config = summary.get("config");
        assertEquals(MODEL, config.get("model").asText());
        assertEquals("adamw", config.get("optimizer").asText());
        assertEquals(0.1, config.get("weight_decay").asDouble());
        assertEquals("warmup-cosine:100", config.get("schedule").asText());
        assertEquals(1.0, config.get("clip_norm").asDouble());
        assertEquals("char", config.get("tokenizer").asText());
        assertTrue(summary.get("tokens_per_second").asDouble() > 0, summary.toString());
        double validation = summary.get("final").get("test_loss").asDouble();
        assertTrue(validation > 0 && validation < Math.log(20), "below a uniform guess over the characters: "
                + validation);
    }

    @Test
    void samplingContinuesThePromptAndRepeatsPerSeed() {
        Outcome a = sample("--prompt", "the ", "--tokens", "40", "--seed", "3", "--top-k", "5", "--temperature", "0.8");
        assertEquals(ExitCodes.OK, a.status(), a.err());
        assertTrue(a.out().startsWith("the "), a.out());
        assertEquals("the ".length() + 40, a.out().length() - System.lineSeparator().length(),
                "the prompt and 40 characters: " + a.out());
        assertTrue(a.err().contains("tokens/s"), a.err());
        Outcome b = sample("--prompt", "the ", "--tokens", "40", "--seed", "3", "--top-k", "5", "--temperature", "0.8");
        assertEquals(a.out(), b.out(), "the same seed, the same sample");
        Outcome c = sample("--prompt", "the ", "--tokens", "40", "--seed", "4", "--top-k", "5", "--temperature", "0.8");
        assertNotEquals(a.out(), c.out(), "another seed, another sample");
        Outcome greedy = sample("--prompt", "the ", "--tokens", "20", "--temperature", "0");
        assertEquals(greedy.out(), sample("--prompt", "the ", "--tokens", "20", "--temperature", "0").out());
    }

    /** More tokens than the context: the cache is refilled with the last half, and generation goes on. */
    @Test
    void samplesLongerThanTheContextGoOn() {
        Outcome o = sample("--prompt", "a bird sang in the tree. the", "--tokens", "50", "--seed", "1");
        assertEquals(ExitCodes.OK, o.status(), o.err());
        assertTrue(o.out().length() >= 28 + 50, o.out());
    }

    @Test
    void exportingAGptRunIsRefusedInOneLine() {
        Outcome o = descent("export", "--checkpoint", run.resolve("checkpoint.ckpt").toString(), "--onnx",
                run.resolve("gpt.onnx").toString());
        assertEquals(ExitCodes.USAGE, o.status(), o.err());
        assertTrue(o.err().contains("is a GPT run") && o.err().contains("no ONNX exporter yet"), o.err());
        assertEquals(1, o.err().strip().lines().count(), "one line: " + o.err());
        assertTrue(!java.nio.file.Files.exists(run.resolve("gpt.onnx")));
    }

    @Test
    void aPromptWithACharacterTheModelNeverSawIsRefusedSayingWhatToDo() {
        Outcome o = sample("--prompt", "the Zebra");
        assertEquals(ExitCodes.USAGE, o.status());
        assertTrue(o.err().contains("'Z' (U+005A) at offset 4 is not in the vocabulary")
                && o.err().contains("--tokenizer byte"), o.err());
        assertEquals(1, o.err().strip().lines().count(), "one line: " + o.err());
    }

    @Test
    void anEmptyOrShortTextIsRefusedSayingWhatToDo() throws IOException {
        Path empty = Files.writeString(dir.resolve("empty.txt"), "");
        Outcome o = descent("train", "--out", dir.resolve("e").toString(), "--data", "text:" + empty, "--model", MODEL);
        assertEquals(ExitCodes.USAGE, o.status());
        assertTrue(o.err().contains("is empty; give a text file"), o.err());
        Path shortText = Files.writeString(dir.resolve("short.txt"), "just a few words here");
        o = descent("train", "--out", dir.resolve("s").toString(), "--data", "text:" + shortText, "--model", MODEL);
        assertEquals(ExitCodes.USAGE, o.status());
        assertTrue(o.err().contains("too few for a context of 16") && o.err().contains("or a smaller context"),
                o.err());
        assertEquals(1, o.err().strip().lines().count(), "one line: " + o.err());
        o = descent("train", "--data", "text:" + dir.resolve("missing.txt"), "--model", MODEL);
        assertEquals(ExitCodes.USAGE, o.status());
        assertTrue(o.err().contains("is not a file"), o.err());
    }

    @Test
    void aCheckpointOfAnotherModelIsRefusedSayingWhatToDo() throws IOException {
        Path mlp = dir.resolve("mlp");
        Outcome o = descent("train", "--progress", "plain", "--out", mlp.toString(), "--epochs", "1", "--model",
                "mlp:4");
        assertEquals(ExitCodes.OK, o.status(), o.err());
        o = descent("sample", "--checkpoint", mlp.resolve("checkpoint.ckpt").toString());
        assertEquals(ExitCodes.USAGE, o.status(), o.err());
        assertTrue(o.err().contains("holds a mlp:4 model, not a GPT"), o.err());

        // resuming a run with another shape
        o = descent("train", "--out", run.toString(), "--data", "text:" + text, "--batch-size", "4", "--epochs", "3",
                "--steps-per-epoch", "5", "--resume", "--model", "gpt:layers=2,heads=2,dim=16,context=16");
        assertEquals(ExitCodes.USAGE, o.status());
        assertTrue(o.err().contains("was made with other settings") && o.err().contains("layers=2"), o.err());
    }

    @Test
    void mismatchedDataAndModelAreRefused() {
        Outcome o = descent("train", "--data", "spirals", "--model", MODEL);
        assertEquals(ExitCodes.USAGE, o.status());
        assertTrue(o.err().contains("is a language model: give it --data text:FILE"), o.err());
        o = descent("train", "--data", "text:" + text, "--model", "mlp:8");
        assertEquals(ExitCodes.USAGE, o.status());
        assertTrue(o.err().contains("is a text: give it a language model"), o.err());
        o = descent("train", "--data", "text:" + text, "--model", "gpt:layers=2,heads=3,dim=16");
        assertEquals(ExitCodes.USAGE, o.status());
        assertTrue(o.err().contains("dim (16) must be a multiple of heads (3)"), o.err());
        o = descent("train", "--data", "text:" + text, "--model", "gpt:depth=2");
        assertEquals(ExitCodes.USAGE, o.status());
        assertFalse(o.err().isBlank());
    }
}
