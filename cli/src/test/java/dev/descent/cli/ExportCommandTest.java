package dev.descent.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.descent.train.data.DataSplit;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code descent export} writes a trained run as an ONNX model that ONNX Runtime runs on the raw
 * test set with the run's own test accuracy (the standardisation is inside the model).
 */
class ExportCommandTest {
    @TempDir
    Path dir;

    @Test
    void anExportedRunClassifiesTheRawTestSetAsTheRunDid() throws Exception {
        Path run = dir.resolve("run");
        TrainCommandTest.Outcome t = TrainCommandTest.descent("train", "--progress", "plain", "--out", run.toString(),
                "--epochs", "3", "--batch-norm", "--dropout", "0.1");
        assertEquals(ExitCodes.OK, t.status(), t.err());
        Path onnx = dir.resolve("spirals.onnx");
        TrainCommandTest.Outcome e = TrainCommandTest.descent("export", "--checkpoint",
                run.resolve("checkpoint.ckpt").toString(), "--onnx", onnx.toString());
        assertEquals(ExitCodes.OK, e.status(), e.err());
        assertTrue(e.out().contains("raw features, standardised in the model"), e.out());
        assertTrue(Files.size(onnx) > 0);

        JsonNode summary = new ObjectMapper().readTree(run.resolve("summary.json").toFile());
        double runAccuracy = summary.get("final").get("test_accuracy").asDouble();
        int right = 0;
        int n;
        try (DataSplit raw = DataSpec.loadRaw("spirals", 42)) {
            n = raw.test().size();
            float[] x = raw.test().features().toFloatArray();
            int[] y = raw.test().targets().toIntArray();
            OrtEnvironment env = OrtEnvironment.getEnvironment();
            try (OrtSession s = env.createSession(onnx.toString(), new OrtSession.SessionOptions());
                 OnnxTensor in = OnnxTensor.createTensor(env, FloatBuffer.wrap(x), new long[] {n, 2});
                 OrtSession.Result r = s.run(Map.of("input", in))) {
                float[][] logits = (float[][]) r.get(0).getValue();
                for (int i = 0; i < n; i++) {
                    int arg = logits[i][0] >= logits[i][1] ? 0 : 1;
                    right += arg == y[i] ? 1 : 0;
                }
            }
        }
        assertEquals(runAccuracy, (double) right / n, 1.5 / n, "ONNX Runtime's accuracy on the raw test set");
    }

    /** A cnn run (conv, batch norm, pooling, global average pooling) exports with its images' shape. */
    @Test
    void anExportedCnnClassifiesTheRawTestImagesAsTheRunDid() throws Exception {
        Path data = dir.resolve("tiny-images");
        TrainCommandTest.tinyImages(data);
        Path run = dir.resolve("cnn");
        TrainCommandTest.Outcome t = TrainCommandTest.descent("train", "--progress", "plain", "--out", run.toString(),
                "--data", data.toString(), "--model", "cnn:c4k3,bn,relu,pool2,c8k3s2p1,relu,avgpool2,c8k1,gap,fc10",
                "--epochs", "4", "--batch-size", "10", "--lr", "0.01");
        assertEquals(ExitCodes.OK, t.status(), t.err());
        Path onnx = dir.resolve("cnn.onnx");
        TrainCommandTest.Outcome e = TrainCommandTest.descent("export", "--checkpoint",
                run.resolve("checkpoint.ckpt").toString(), "--onnx", onnx.toString());
        assertEquals(ExitCodes.OK, e.status(), e.err());
        assertTrue(e.out().contains("[batch, 1, 28, 28] (raw images, standardised in the model)"), e.out());

        double runAccuracy = new ObjectMapper().readTree(run.resolve("summary.json").toFile()).get("final")
                .get("test_accuracy").asDouble();
        try (DataSplit raw = DataSpec.loadRaw(data.toString(), 42)) {
            int n = raw.test().size();
            float[] x = raw.test().features().toFloatArray();
            int[] y = raw.test().targets().toIntArray();
            OrtEnvironment env = OrtEnvironment.getEnvironment();
            try (OrtSession s = env.createSession(onnx.toString(), new OrtSession.SessionOptions());
                 OnnxTensor in = OnnxTensor.createTensor(env, FloatBuffer.wrap(x), new long[] {n, 1, 28, 28});
                 OrtSession.Result r = s.run(Map.of("input", in))) {
                float[][] logits = (float[][]) r.get(0).getValue();
                int right = 0;
                for (int i = 0; i < n; i++) {
                    int arg = 0;
                    for (int k = 1; k < logits[i].length; k++) {
                        arg = logits[i][k] > logits[i][arg] ? k : arg;
                    }
                    right += arg == y[i] ? 1 : 0;
                }
                assertEquals(runAccuracy, (double) right / n, 1e-9, "ONNX Runtime's accuracy on the raw test images");
            }
        }
    }

    @Test
    void aFileThatIsNotACheckpointIsRefusedInOneLine() throws Exception {
        Path bogus = Files.writeString(dir.resolve("x.ckpt"), "not a checkpoint");
        TrainCommandTest.Outcome e = TrainCommandTest.descent("export", "--checkpoint", bogus.toString(), "--onnx",
                dir.resolve("x.onnx").toString());
        assertEquals(ExitCodes.FAILED, e.status(), e.err());
        assertTrue(e.err().contains("x.ckpt"), e.err());
        assertTrue(!Files.exists(dir.resolve("x.onnx")));
    }
}
