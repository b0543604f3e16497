package dev.descent.train.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.descent.core.Generator;
import dev.descent.nn.Linear;
import dev.descent.nn.Sequential;
import dev.descent.nn.activation.Tanh;
import dev.descent.nn.loss.CrossEntropyLoss;
import dev.descent.optim.Adam;
import dev.descent.train.StopRules;
import dev.descent.train.Trainer;
import dev.descent.train.TrainingResult;
import dev.descent.train.data.DataLoader;
import dev.descent.train.data.DataSplit;
import dev.descent.train.data.GeneratedData;
import dev.descent.train.progress.ProgressCallback;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;

/** One small run writes its metrics, charts and progress lines; the files are checked as a reader would. */
class OutputsTest {
    private static final int EPOCHS = 3;

    @TempDir
    static Path dir;
    static TrainingResult result;
    static String plainOutput;

    @BeforeAll
    static void train() throws IOException {
        ByteArrayOutputStream lines = new ByteArrayOutputStream();
        try (DataSplit data = GeneratedData.gaussianBlobs(20, 10, 3, 2, 3, 0.5, new Generator(1));
             Sequential model = new Sequential(new Linear(2, 8, new Generator(2)), new Tanh(),
                     new Linear(8, 3, new Generator(3)));
             Adam adam = new Adam(model.parameters(), 0.05);
             PrintStream out = new PrintStream(lines, true, StandardCharsets.UTF_8)) {
            result = Trainer.builder(model, new CrossEntropyLoss(), adam, new DataLoader(data.train(), 16, 4))
                    .test(data.test()).stopRules(StopRules.epochs(EPOCHS))
                    .callback(new MetricsCallback(dir, "blobs", false)).callback(new ProgressCallback(out, false))
                    .build().fit();
        }
        plainOutput = lines.toString(StandardCharsets.UTF_8);
    }

    @Test
    void metricsCsvHasAHeaderAndOneRowPerEpochWithTheHistorysValues() throws IOException {
        List<String> rows = Files.readAllLines(dir.resolve("metrics.csv"));
        assertEquals("epoch,steps,train_loss,train_accuracy,test_loss,test_accuracy,grad_norm,lr,seconds,"
                + "samples_per_second", rows.get(0));
        assertEquals(EPOCHS + 1, rows.size());
        for (int i = 0; i < EPOCHS; i++) {
            String[] cells = rows.get(i + 1).split(",", -1);
            EpochRecord r = result.history().epochs().get(i);
            assertEquals(i + 1, Integer.parseInt(cells[0]));
            assertEquals(4L * (i + 1), Long.parseLong(cells[1]), "60 examples in batches of 16: 4 steps per epoch");
            assertEquals(r.trainLoss(), Double.parseDouble(cells[2]));
            assertEquals(r.testAccuracy(), Double.parseDouble(cells[5]));
        }
        List<String> steps = Files.readAllLines(dir.resolve("steps.csv"));
        assertEquals("step,epoch,loss,grad_norm,lr,batch_size", steps.get(0));
        assertEquals(4 * EPOCHS + 1, steps.size());
        assertTrue(steps.get(4).endsWith(",12"), "the last batch of 60 in 16s holds 12: " + steps.get(4));
    }

    @Test
    void jsonLinesHoldEveryStepThenItsEpochAsValidJson() throws IOException {
        ObjectMapper json = new ObjectMapper();
        List<String> lines = Files.readAllLines(dir.resolve("metrics.jsonl"));
        assertEquals(5 * EPOCHS, lines.size(), "4 steps and 1 epoch line per epoch");
        for (int i = 0; i < lines.size(); i++) {
            JsonNode n = json.readTree(lines.get(i));
            assertEquals(i % 5 == 4 ? "epoch" : "step", n.get("type").asText(), "line " + i);
        }
        JsonNode last = json.readTree(lines.get(lines.size() - 1));
        assertEquals(result.lastEpoch().testLoss(), last.get("test_loss").asDouble());
    }

    @Test
    void notMeasuredValuesAreEmptyCellsAndJsonNulls() throws IOException {
        MetricsHistory h = new MetricsHistory();
        h.add(new EpochRecord(1, 1, 0.5, Double.NaN, Double.NaN, Double.NaN, 1, 0.1, 1, 10));
        assertEquals("1,1,0.5,,,,1.0,0.1,1.0,10.0", MetricsFiles.epochsCsv(h).split("\n")[1]);
        JsonNode n = new ObjectMapper().readTree(MetricsFiles.jsonLines(h));
        assertTrue(n.get("test_loss").isNull());
    }

    @Test
    void chartsAreValidPngAndSvgFiles() throws Exception {
        for (String name : List.of("loss", "accuracy", "step-loss", "grad-norm", "learning-rate")) {
            BufferedImage png = ImageIO.read(dir.resolve(name + ".png").toFile());
            assertNotNull(png, name + ".png is not a readable PNG");
            assertEquals(800, png.getWidth());
            assertEquals(500, png.getHeight());
            DocumentBuilderFactory xml = DocumentBuilderFactory.newInstance();
            // the SVG names the W3C's DTD; a well-formedness check needs no network
            xml.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
            Document svg = xml.newDocumentBuilder().parse(dir.resolve(name + ".svg").toFile());
            assertEquals("svg", svg.getDocumentElement().getTagName(), name + ".svg");
        }
    }

    @Test
    void plainProgressIsOneSummaryLinePerEpoch() {
        String[] lines = plainOutput.strip().split("\n");
        assertEquals(EPOCHS, lines.length, plainOutput);
        for (int i = 0; i < EPOCHS; i++) {
            assertTrue(lines[i].startsWith("epoch " + (i + 1) + "/" + EPOCHS + "  train loss "), lines[i]);
            assertTrue(lines[i].contains("test loss") && lines[i].contains("samples/s"), lines[i]);
        }
        assertTrue(!plainOutput.contains("\r") && !plainOutput.contains("\u001b"), "no control characters");
    }
}
