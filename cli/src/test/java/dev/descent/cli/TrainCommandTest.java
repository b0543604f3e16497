package dev.descent.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.descent.bench.BenchMain;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class TrainCommandTest {
    @TempDir
    Path dir;

    /** What one invocation printed and returned. */
    record Outcome(int status, String out, String err) {
    }

    static Outcome descent(String... args) {
        CommandLine cl = Main.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int status = cl.execute(args);
        return new Outcome(status, out.toString(), err.toString());
    }

    private Outcome train(Path out, String... extra) {
        List<String> args = new ArrayList<>(List.of("train", "--progress", "plain", "--out", out.toString()));
        args.addAll(Arrays.asList(extra));
        return descent(args.toArray(String[]::new));
    }

    @Test
    void aShortDefaultRunWritesItsMetricsChartsSummaryAndCheckpoint() throws IOException {
        Path out = dir.resolve("run");
        Outcome o = train(out, "--epochs", "2");
        assertEquals(ExitCodes.OK, o.status(), o.err());
        for (String f : List.of("metrics.csv", "steps.csv", "metrics.jsonl", "summary.json", "checkpoint.ckpt",
                "loss.png", "loss.svg", "accuracy.png", "step-loss.png", "grad-norm.png", "learning-rate.png")) {
            assertTrue(Files.isRegularFile(out.resolve(f)), f + " missing");
        }
        JsonNode summary = new ObjectMapper().readTree(out.resolve("summary.json").toFile());
        assertEquals("max_epochs", summary.get("status").asText());
        assertEquals(2, summary.get("epochs").asInt());
        assertEquals(42, summary.get("config").get("seed").asLong());
        assertEquals("mlp:64,64", summary.get("config").get("model").asText());
        assertTrue(summary.get("samples_per_second").asDouble() > 0);
        double acc = summary.get("final").get("test_accuracy").asDouble();
        assertTrue(acc > 0.5 && acc <= 1, "two epochs beat chance on two spirals: " + acc);
        assertTrue(o.out().contains(out.resolve("summary.json").toString()), "says where the files went: " + o.out());
    }

    @Test
    void aResumedRunEqualsAnUninterruptedOne() throws IOException {
        Path straight = dir.resolve("straight");
        Path resumed = dir.resolve("resumed");
        String[] settings = {"--optimizer", "momentum", "--lr", "0.05", "--schedule", "step:1:0.5", "--dropout", "0.1",
            "--batch-size", "64", "--model", "mlp:16"};
        assertEquals(ExitCodes.OK, train(straight, concat(settings, "--epochs", "4")).status());
        assertEquals(ExitCodes.OK, train(resumed, concat(settings, "--epochs", "2")).status());
        Outcome o = train(resumed, concat(settings, "--epochs", "4", "--resume"));
        assertEquals(ExitCodes.OK, o.status(), o.err());
        assertEquals(lossColumns(straight.resolve("steps.csv")), lossColumns(resumed.resolve("steps.csv")));
        assertEquals(lossColumns(straight.resolve("metrics.csv")), lossColumns(resumed.resolve("metrics.csv")));
    }

    @Test
    void aStepBudgetStopsARunInsideAnEpochAndResumingWithoutOneFinishesIt() throws IOException {
        Path straight = dir.resolve("straight");
        Path budget = dir.resolve("budget");
        assertEquals(ExitCodes.OK, train(straight, "--model", "mlp:8", "--epochs", "3").status());
        // 2,000 spirals in batches of 32: 63 steps per epoch, so step 80 is the 17th of epoch 2
        Outcome stopped = train(budget, "--model", "mlp:8", "--epochs", "2", "--max-steps", "80",
                "--checkpoint-every", "25");
        assertEquals(ExitCodes.OK, stopped.status(), stopped.err());
        JsonNode summary = new ObjectMapper().readTree(budget.resolve("summary.json").toFile());
        assertEquals("max_steps", summary.get("status").asText());
        assertEquals(80, summary.get("steps").asInt());
        assertEquals(1, summary.get("epochs").asInt());
        assertTrue(summary.get("message").asText().contains("17 of its 63 batches"), summary.toString());
        assertEquals(80, summary.get("config").get("max_steps").asInt());

        Outcome o = train(budget, "--model", "mlp:8", "--epochs", "3", "--resume");
        assertEquals(ExitCodes.OK, o.status(), o.err());
        summary = new ObjectMapper().readTree(budget.resolve("summary.json").toFile());
        assertEquals("max_epochs", summary.get("status").asText());
        assertEquals(189, summary.get("steps").asInt());
        assertEquals(lossColumns(straight.resolve("steps.csv")), lossColumns(budget.resolve("steps.csv")));
        assertEquals(lossColumns(straight.resolve("metrics.csv")), lossColumns(budget.resolve("metrics.csv")));
    }

    @Test
    void aStepBudgetShorterThanAnEpochLeavesTheFinalMetricsNull() throws IOException {
        Path out = dir.resolve("short");
        Outcome o = train(out, "--model", "mlp:8", "--max-steps", "5");
        assertEquals(ExitCodes.OK, o.status(), o.err());
        assertTrue(o.out().contains("done (") && o.out().contains("5 steps"), o.out());
        JsonNode summary = new ObjectMapper().readTree(out.resolve("summary.json").toFile());
        assertEquals("max_steps", summary.get("status").asText());
        assertEquals(0, summary.get("epochs").asInt());
        assertEquals(5, summary.get("steps").asInt());
        assertTrue(summary.get("final").get("test_accuracy").isNull(), summary.toString());
        assertTrue(summary.get("best_test_accuracy").isNull(), summary.toString());
    }

    /** Every CSV column but the timing ones (wall time and throughput differ run to run). */
    private static List<String> lossColumns(Path csv) throws IOException {
        List<String> rows = new ArrayList<>();
        for (String line : Files.readAllLines(csv)) {
            String[] cells = line.split(",", -1);
            rows.add(String.join(",", Arrays.copyOf(cells, csv.getFileName().toString().equals("metrics.csv") ? 8
                    : cells.length)));
        }
        return rows;
    }

    private static String[] concat(String[] a, String... b) {
        List<String> all = new ArrayList<>(Arrays.asList(a));
        all.addAll(Arrays.asList(b));
        return all.toArray(String[]::new);
    }

    /** The bytes of an IDX file of unsigned bytes. */
    private static byte[] idx(int[] dims, byte[] data) {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(4 + 4 * dims.length + data.length);
        b.put((byte) 0).put((byte) 0).put((byte) 0x08).put((byte) dims.length);
        for (int d : dims) {
            b.putInt(d);
        }
        return b.put(data).array();
    }

    @Test
    void aDirectoryOfIdxFilesIsADataSet() throws IOException {
        Path data = dir.resolve("tiny-mnist");
        Files.createDirectories(data);
        for (String prefix : List.of("train", "t10k")) {
            int n = prefix.equals("train") ? 30 : 10;
            byte[] pixels = new byte[n * 784];
            byte[] labels = new byte[n];
            for (int i = 0; i < n; i++) {
                labels[i] = (byte) (i % 10);
                pixels[i * 784 + labels[i]] = (byte) 255;   // class k lights pixel k
            }
            Files.write(data.resolve(prefix + "-images-idx3-ubyte"), idx(new int[] {n, 28, 28}, pixels));
            Files.write(data.resolve(prefix + "-labels-idx1-ubyte"), idx(new int[] {n}, labels));
        }
        Path out = dir.resolve("out");
        Outcome o = train(out, "--data", data.toString(), "--model", "mlp:8", "--epochs", "2", "--batch-size", "10");
        assertEquals(ExitCodes.OK, o.status(), o.err());
        assertTrue(o.out().contains("30 examples, 10 test"), o.out());
        Files.write(data.resolve("t10k-labels-idx1-ubyte"), new byte[] {0, 0, 8, 1, 0, 0});
        Outcome broken = train(out, "--data", data.toString(), "--model", "mlp:8", "--epochs", "1");
        assertEquals(ExitCodes.FAILED, broken.status());
        assertTrue(broken.err().contains("t10k-labels-idx1-ubyte") && broken.err().contains("truncated"), broken.err());
        assertOneLine(broken.err());
    }

    /** A tiny IDX set in {@code data}: class k lights pixel k of its 28×28 image. */
    static void tinyImages(Path data) throws IOException {
        Files.createDirectories(data);
        for (String prefix : List.of("train", "t10k")) {
            int n = prefix.equals("train") ? 30 : 10;
            byte[] pixels = new byte[n * 784];
            byte[] labels = new byte[n];
            for (int i = 0; i < n; i++) {
                labels[i] = (byte) (i % 10);
                pixels[i * 784 + labels[i]] = (byte) 255;
            }
            Files.write(data.resolve(prefix + "-images-idx3-ubyte"), idx(new int[] {n, 28, 28}, pixels));
            Files.write(data.resolve(prefix + "-labels-idx1-ubyte"), idx(new int[] {n}, labels));
        }
    }

    /** A cnn spec on images, augmented, with He initialisation; its spec and augmentation land in the summary. */
    @Test
    void aCnnTrainsOnImagesWithAugmentation() throws IOException {
        Path data = dir.resolve("tiny-images");
        tinyImages(data);
        Path out = dir.resolve("cnn");
        String spec = "cnn:c4k3,bn,relu,pool2,c8k3s2,relu,gap,fc16,relu,drop0.1";
        Outcome o = train(out, "--data", data.toString(), "--model", spec, "--augment", "crop:2,flip", "--init", "he",
                "--epochs", "2", "--batch-size", "10");
        assertEquals(ExitCodes.OK, o.status(), o.err());
        JsonNode config = new ObjectMapper().readTree(out.resolve("summary.json").toFile()).get("config");
        assertEquals(spec, config.get("model").asText());
        assertEquals("crop:2,flip", config.get("augment").asText());
        assertTrue(o.out().contains(spec), o.out());
    }

    /** --cpu-convolutions onednn trains the same CNN to the same loss as Descent's convolutions, up to rounding. */
    @Test
    void aCnnTrainsOnOneDnnConvolutions() throws IOException {
        Path data = dir.resolve("noisy-images");
        Files.createDirectories(data);
        Random random = new Random(5);
        for (String prefix : List.of("train", "t10k")) {
            int n = 20;
            byte[] pixels = new byte[n * 784];
            byte[] labels = new byte[n];
            random.nextBytes(pixels);   // sums of noise round differently in another order (one lit pixel would not)
            for (int i = 0; i < n; i++) {
                labels[i] = (byte) (i % 10);
            }
            Files.write(data.resolve(prefix + "-images-idx3-ubyte"), idx(new int[] {n, 28, 28}, pixels));
            Files.write(data.resolve(prefix + "-labels-idx1-ubyte"), idx(new int[] {n}, labels));
        }
        String spec = "cnn:c4k3,bn,relu,pool2,c8k3,relu,gap,fc16";
        double[] loss = new double[2];
        double[] firstGradNorm = new double[2];
        String[] impls = {"descent", "onednn"};
        try {
            for (int i = 0; i < 2; i++) {
                Path out = dir.resolve("conv-" + impls[i]);
                Outcome o = train(out, "--data", data.toString(), "--model", spec, "--epochs", "2", "--batch-size", "10",
                        "--cpu-convolutions", impls[i]);
                assertEquals(ExitCodes.OK, o.status(), o.err());
                loss[i] = new ObjectMapper().readTree(out.resolve("summary.json").toFile()).get("final").get("test_loss")
                        .asDouble();
                String firstStep = Files.readAllLines(out.resolve("steps.csv")).get(1);   // step,epoch,loss,grad_norm,...
                firstGradNorm[i] = Double.parseDouble(firstStep.split(",")[3]);
            }
        } finally {
            System.clearProperty("descent.cpu.convolutions");
        }
        assertEquals(loss[0], loss[1], 1e-4 * Math.abs(loss[0]), "test loss, Descent's convolutions vs oneDNN's");
        assertEquals(firstGradNorm[0], firstGradNorm[1], 1e-5 * firstGradNorm[0], "first step's gradient norm");
        // the weight gradients sum over the batch in another order: oneDNN's convolutions ran
        assertNotEquals(firstGradNorm[0], firstGradNorm[1], "first step's gradient norm");
    }

    @Test
    void cnnOptionsThatDoNotFitAreOneLineUsageErrors() throws IOException {
        Path data = dir.resolve("tiny-images");
        tinyImages(data);
        String[][] cases = {
            {"--model", "cnn:c4k3,relu", "--data", "spirals"},
            {"--model", "cnn:c4k3,relu", "--data", data.toString(), "--batch-norm"},
            {"--model", "mlp:8", "--data", data.toString(), "--augment", "flip"},
            {"--model", "cnn:c4k3,fc8,pool2", "--data", data.toString()},
            {"--model", "cnn:c4k3", "--data", data.toString(), "--augment", "rotate"},
        };
        String[] named = {"a cnn needs images", "--batch-norm: an MLP option", "--augment: changes images",
            "'pool2' needs images", "--augment: expected none"};
        for (int i = 0; i < cases.length; i++) {
            Outcome o = train(dir.resolve("bad" + i), concat(cases[i], "--epochs", "1"));
            assertEquals(ExitCodes.USAGE, o.status(), String.join(" ", cases[i]) + ": " + o.err());
            assertTrue(o.err().contains(named[i]), o.err());
            assertOneLine(o.err());
        }
    }

    /** Label smoothing reaches the loss (a smoothed loss is larger on the same run) and the config, only when set. */
    @Test
    void labelSmoothingChangesTheLossAndIsRecorded() throws IOException {
        Path plain = dir.resolve("plain");
        Path smoothed = dir.resolve("smoothed");
        assertEquals(ExitCodes.OK, train(plain, "--epochs", "1", "--model", "mlp:8").status());
        assertEquals(ExitCodes.OK, train(smoothed, "--epochs", "1", "--model", "mlp:8", "--label-smoothing", "0.2").status());
        ObjectMapper json = new ObjectMapper();
        JsonNode a = json.readTree(plain.resolve("summary.json").toFile());
        JsonNode b = json.readTree(smoothed.resolve("summary.json").toFile());
        assertFalse(a.get("config").has("label_smoothing"), a.toString());
        assertEquals(0.2, b.get("config").get("label_smoothing").asDouble());
        double lossA = a.get("final").get("test_loss").asDouble();
        double lossB = b.get("final").get("test_loss").asDouble();
        assertTrue(lossB > lossA, "smoothed test loss " + lossB + " vs plain " + lossA);
    }

    @Test
    void resumingWithOtherSettingsIsRefusedNamingThem() {
        Path out = dir.resolve("run");
        assertEquals(ExitCodes.OK, train(out, "--epochs", "1", "--model", "mlp:8").status());
        Outcome o = train(out, "--epochs", "2", "--model", "mlp:8", "--lr", "0.1", "--resume");
        assertEquals(ExitCodes.USAGE, o.status());
        assertTrue(o.err().contains("lr: null -> 0.1"), o.err());
        assertOneLine(o.err());
    }

    @Test
    void resumingWithoutACheckpointIsRefused() {
        Outcome o = train(dir.resolve("empty"), "--resume");
        assertEquals(ExitCodes.USAGE, o.status());
        assertTrue(o.err().contains("no checkpoint"), o.err());
    }

    @Test
    void aDivergentRunExitsWithThreeAndSuggestsASmallerRate() throws IOException {
        Path out = dir.resolve("div");
        Outcome o = train(out, "--epochs", "2", "--optimizer", "sgd", "--lr", "1e6", "--model", "mlp:8");
        assertEquals(ExitCodes.DIVERGED, o.status());
        JsonNode summary = new ObjectMapper().readTree(out.resolve("summary.json").toFile());
        assertEquals("diverged", summary.get("status").asText());
        assertTrue(summary.get("message").asText().contains("smaller learning rate"), summary.toString());
    }

    @Test
    void wrongOptionsAndValuesGiveOneLineAndStatusTwo() {
        for (String[] args : List.of(new String[] {"train", "--bogus"}, new String[] {"train", "--epochs", "0"},
                new String[] {"train", "--lr", "abc"}, new String[] {"train", "--optimizer", "sgdd"},
                new String[] {"train", "--model", "cnn:3"}, new String[] {"train", "--schedule", "step:2"},
                new String[] {"train", "--max-steps", "-1"}, new String[] {"train", "--checkpoint-every", "-5"},
                new String[] {"train", "--data", dir.resolve("nowhere").toString()}, new String[] {"frobnicate"})) {
            Outcome o = descent(args);
            assertEquals(ExitCodes.USAGE, o.status(), String.join(" ", args) + ": " + o.err());
            assertOneLine(o.err());
        }
    }

    /** Issue 17, item 6: each of these gives one line that names the option and what it expects, and status 2. */
    @Test
    void theCommandLinesOfIssue17AreOneLineUsageErrorsNamingTheOption() throws IOException {
        Path file = Files.writeString(dir.resolve("a-file"), "not a directory");
        String[][] cases = {
            {"--data /", "--data", "lacks train-images-idx3-ubyte"},
            {"--threads 40000", "--threads", "32767"},
            {"--schedule linear:-1", "--schedule", "END_LR must be a learning rate >= 0"},
            {"--schedule cosine:-0.5", "--schedule", "MIN_LR must be a learning rate >= 0"},
            {"--momentum NaN", "--momentum", "finite"},
            {"--lr Infinity", "--lr", "finite"},
            {"--weight-decay NaN", "--weight-decay", "finite"},
            {"--label-smoothing 1.5", "--label-smoothing", "[0, 1]"},
            {"--cpu-convolutions mkl", "--cpu-convolutions", "descent or onednn"},
            {"--loss-tolerance -1", "--loss-tolerance", ">= 0"},
            {"--out " + file, "--out", "not a directory"},
        };
        for (String[] c : cases) {
            List<String> args = new ArrayList<>(List.of("train", "--progress", "plain"));
            args.addAll(Arrays.asList(c[0].split(" ")));
            if (!c[0].startsWith("--out")) {
                args.addAll(List.of("--out", dir.resolve("never").toString()));
            }
            Outcome o = descent(args.toArray(String[]::new));
            assertEquals(ExitCodes.USAGE, o.status(), c[0] + ": " + o.err());
            assertOneLine(o.err());
            assertTrue(o.err().contains(c[1] + ":") && o.err().contains(c[2]), c[0] + ": " + o.err());
        }
        assertFalse(Files.exists(dir.resolve("never")), "nothing is written for a wrong command line");
    }

    @Test
    void anEmptyDataSetIsAOneLineFailureNamingTheFile() throws IOException {
        Path data = dir.resolve("empty-mnist");
        Files.createDirectories(data);
        for (String prefix : List.of("train", "t10k")) {
            Files.write(data.resolve(prefix + "-images-idx3-ubyte"), idx(new int[] {0, 28, 28}, new byte[0]));
            Files.write(data.resolve(prefix + "-labels-idx1-ubyte"), idx(new int[] {0}, new byte[0]));
        }
        Outcome o = train(dir.resolve("out"), "--data", data.toString());
        assertEquals(ExitCodes.FAILED, o.status(), o.err());
        assertOneLine(o.err());
        assertTrue(o.err().contains("train-images-idx3-ubyte: holds no images"), o.err());
    }

    /** Issue 17, items 3 and 6: a bad checkpoint is a failure (1), not a wrong option (2), and names the file. */
    @Test
    void aCorruptOrForeignCheckpointIsAOneLineFailureNamingTheFile() throws IOException {
        Path out = dir.resolve("run");
        assertEquals(ExitCodes.OK, train(out, "--epochs", "1", "--model", "mlp:8").status());
        Path ckpt = out.resolve(TrainCommand.CHECKPOINT);
        byte[] good = Files.readAllBytes(ckpt);
        java.util.Map<String, byte[]> parts = new java.util.LinkedHashMap<>();
        try (var zin = new java.util.zip.ZipInputStream(new java.io.ByteArrayInputStream(good))) {
            for (var e = zin.getNextEntry(); e != null; e = zin.getNextEntry()) {
                parts.put(e.getName(), zin.readAllBytes());
            }
        }
        String trainer = new String(parts.get("trainer.json"), java.nio.charset.StandardCharsets.UTF_8);
        for (String broken : List.of(trainer.replaceFirst("\\{", "{ oops"),
                trainer.replaceFirst("\"dropout\" : \\[ \"[0-9a-f]+\",", "\"dropout\" : ["))) {
            assertTrue(!broken.equals(trainer), "the edit applies");
            parts.put("trainer.json", broken.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            var bytes = new java.io.ByteArrayOutputStream();
            try (var zout = new java.util.zip.ZipOutputStream(bytes)) {
                for (var p : parts.entrySet()) {
                    zout.putNextEntry(new java.util.zip.ZipEntry(p.getKey()));
                    zout.write(p.getValue());
                    zout.closeEntry();
                }
            }
            Files.write(ckpt, bytes.toByteArray());
            Outcome o = train(out, "--epochs", "2", "--model", "mlp:8", "--resume");
            assertEquals(ExitCodes.FAILED, o.status(), o.err());
            assertOneLine(o.err());
            assertTrue(o.err().contains(ckpt + "!trainer.json"), o.err());
        }
        byte[] flipped = good.clone();
        flipped[flipped.length / 3] ^= 0x20;
        Files.write(ckpt, flipped);
        Outcome o = train(out, "--epochs", "2", "--model", "mlp:8", "--resume");
        assertEquals(ExitCodes.FAILED, o.status(), o.err());
        assertOneLine(o.err());
        assertTrue(o.err().contains(ckpt.toString()), o.err());
    }

    /** Issue 17, item 9. */
    @Test
    void aSecondWriterOfOneOutIsRefusedAndLeftoversOfKilledWritesAreCleaned() throws IOException {
        Path out = dir.resolve("shared");
        try (dev.descent.train.RunLock held = dev.descent.train.RunLock.acquire(out)) {
            Outcome o = train(out, "--epochs", "1", "--model", "mlp:8");
            assertEquals(ExitCodes.FAILED, o.status(), o.err());
            assertOneLine(o.err());
            assertTrue(o.err().contains("in use by another run") && o.err().contains(
                    out.resolve(dev.descent.train.RunLock.FILE).toString()), o.err());
        }
        Path stale = Files.writeString(out.resolve(".checkpoint.ckpt.1xywk4jz9yjcs.tmp"), "half a checkpoint");
        Path mine = Files.writeString(out.resolve("notes.txt"), "mine");
        assertEquals(ExitCodes.OK, train(out, "--epochs", "1", "--model", "mlp:8").status());
        assertFalse(Files.exists(stale), "a killed write's temporary file is removed");
        assertTrue(Files.exists(mine), "other files stay");
    }

    @Test
    void aNonFiniteRateIsRefusedBeforeTraining() {
        for (String rate : List.of("Infinity", "NaN", "-Infinity")) {
            Outcome o = train(dir.resolve("inf"), "--lr", rate);
            assertEquals(ExitCodes.USAGE, o.status(), rate + ": " + o.err());
            assertTrue(o.err().contains("--lr: expected a finite rate > 0, got " + rate), o.err());
            assertOneLine(o.err());
        }
        Outcome clip = train(dir.resolve("inf"), "--clip-norm", "Infinity");
        assertEquals(ExitCodes.USAGE, clip.status(), clip.err());
        assertTrue(clip.err().contains("--clip-norm: expected a finite norm"), clip.err());
        Outcome momentum = train(dir.resolve("inf"), "--optimizer", "momentum", "--momentum", "Infinity");
        assertEquals(ExitCodes.USAGE, momentum.status(), momentum.err());
        assertTrue(momentum.err().contains("expected a finite momentum, got Infinity"), momentum.err());
        assertFalse(Files.exists(dir.resolve("inf").resolve("checkpoint.ckpt")));
    }

    @Test
    void anUnavailableBackendIsAOneLineFailure() {
        Outcome o = descent("train", "--backend", "cuda", "--out", dir.toString());
        assertEquals(ExitCodes.FAILED, o.status());
        assertTrue(o.err().contains("cuda"), o.err());
        assertOneLine(o.err());
    }

    @Test
    void everyCommandHasHelp() {
        for (String[] args : List.of(new String[] {"--help"}, new String[] {"train", "--help"},
                new String[] {"bench", "--help"}, new String[] {"help", "train"})) {
            Outcome o = descent(args);
            assertEquals(ExitCodes.OK, o.status(), String.join(" ", args));
            assertTrue(o.out().startsWith("Usage: descent"), o.out());
        }
        assertTrue(descent("train", "--help").out().contains("--optimizer"));
    }

    @Test
    void aBenchmarkPatternThatMatchesNothingIsAOneLineUsageError() {
        Outcome o = descent("bench", "--json", "NoSuchBenchmarkAnywhere");
        assertEquals(ExitCodes.USAGE, o.status(), o.err());
        assertTrue(o.err().contains("no benchmark matches 'NoSuchBenchmarkAnywhere'"), o.err());
        assertOneLine(o.err());
    }

    @Test
    void theCudaBenchmarksWhereCudaCannotRunAreAOneLineError() {
        Assumptions.assumeTrue(BenchMain.cudaUnavailable() != null, "CUDA can run here: the GPU set would run");
        for (String[] args : List.of(new String[] {"bench", "--cuda"}, new String[] {"bench", "--cuda", "--json"})) {
            Outcome o = descent(args);
            assertEquals(ExitCodes.USAGE, o.status(), o.err());
            assertTrue(o.err().contains("cannot run the CUDA benchmarks"), o.err());
            assertOneLine(o.err());
        }
    }

    private static void assertOneLine(String err) {
        String[] lines = err.strip().split("\n");
        assertEquals(1, lines.length, "expected one line, got: " + err);
        assertFalse(err.contains("\tat "), "a stack trace: " + err);
        assertTrue(lines[0].startsWith("descent"), lines[0]);
    }
}
