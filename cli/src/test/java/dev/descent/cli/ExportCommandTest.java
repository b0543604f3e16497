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
