package dev.descent.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.descent.core.Backends;
import dev.descent.train.AtomicFiles;
import dev.descent.train.TrainingResult;
import dev.descent.train.metrics.EpochRecord;
import dev.descent.train.metrics.MetricsFiles;
import java.io.IOException;
import java.nio.file.Path;

/**
 * {@code summary.json}: how the run ended, its final losses and accuracies (those of its last
 * complete epoch), its throughput and wall time, and the exact configuration that made it.
 */
final class RunSummary {
    private RunSummary() {
    }

    /** @param tokensPerExample a language model's context (its examples are windows of it), else 0 */
    static void write(Path file, TrainingResult r, ObjectNode config, long parameters, double wallSeconds,
            int tokensPerExample) throws IOException {
        ObjectMapper json = new ObjectMapper();
        ObjectNode s = json.createObjectNode();
        s.put("status", r.reason().name().toLowerCase());
        s.put("message", r.message());
        s.put("epochs", r.epochs());
        s.put("steps", r.steps());
        EpochRecord last = r.lastEpoch();
        ObjectNode fin = s.putObject("final");
        // null throughout when a step budget ended the run before its first epoch was complete
        MetricsFiles.put(fin, "train_loss", last == null ? Double.NaN : last.trainLoss());
        MetricsFiles.put(fin, "train_accuracy", last == null ? Double.NaN : last.trainAccuracy());
        MetricsFiles.put(fin, "test_loss", last == null ? Double.NaN : last.testLoss());
        MetricsFiles.put(fin, "test_accuracy", last == null ? Double.NaN : last.testAccuracy());
        double best = Double.NaN;
        for (EpochRecord e : r.history().epochs()) {
            if (!(e.testAccuracy() <= best)) {
                best = e.testAccuracy();
            }
        }
        MetricsFiles.put(s, "best_test_accuracy", best);
        MetricsFiles.put(s, "samples_per_second", r.samplesPerSecond());
        if (tokensPerExample > 0) {
            MetricsFiles.put(s, "tokens_per_second", r.samplesPerSecond() * tokensPerExample);
        }
        MetricsFiles.put(s, "training_seconds", r.wallSeconds());
        MetricsFiles.put(s, "wall_seconds", wallSeconds);
        s.put("parameters", parameters);
        s.set("config", config);
        ObjectNode env = s.putObject("environment");
        env.put("backend", Backends.defaultName());
        env.put("device", Backends.defaultDevice().toString());
        env.put("java", System.getProperty("java.version"));
        env.put("os", System.getProperty("os.name") + " " + System.getProperty("os.arch"));
        env.put("cores", Runtime.getRuntime().availableProcessors());
        AtomicFiles.writeString(file, json.writerWithDefaultPrettyPrinter().writeValueAsString(s) + "\n");
    }
}
