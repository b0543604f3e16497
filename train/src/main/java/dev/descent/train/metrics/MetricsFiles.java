package dev.descent.train.metrics;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.descent.train.AtomicFiles;
import java.io.IOException;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Writes a {@link MetricsHistory} as files that a spreadsheet, pandas or jq read:
 *
 * <ul>
 *   <li>{@code metrics.csv}: one row per epoch (the columns of {@link EpochRecord});</li>
 *   <li>{@code steps.csv}: one row per step (the columns of {@link StepRecord});</li>
 *   <li>{@code metrics.jsonl}: one JSON object per line, {@code "type": "step"} or
 *       {@code "type": "epoch"}, in the order they happened.</li>
 * </ul>
 *
 * Each file is rewritten whole and atomically from the history (so a resumed run's files hold
 * exactly its history, with no lines left over from the interrupted part). Numbers are written
 * with Java's shortest round-trip form; NaN (not measured) is an empty CSV cell and JSON null.
 */
public final class MetricsFiles {
    public static final String EPOCHS_CSV = "metrics.csv";
    public static final String STEPS_CSV = "steps.csv";
    public static final String JSON_LINES = "metrics.jsonl";

    private static final ObjectMapper JSON = new ObjectMapper();

    private MetricsFiles() {
    }

    /** Writes the three files into {@code dir}. */
    public static void write(MetricsHistory history, Path dir) throws IOException {
        AtomicFiles.writeString(dir.resolve(EPOCHS_CSV), epochsCsv(history));
        AtomicFiles.writeString(dir.resolve(STEPS_CSV), stepsCsv(history));
        AtomicFiles.writeString(dir.resolve(JSON_LINES), jsonLines(history));
    }

    /** The epoch table as CSV, header first. */
    public static String epochsCsv(MetricsHistory history) {
        StringBuilder sb = new StringBuilder(
                "epoch,steps,train_loss,train_accuracy,test_loss,test_accuracy,grad_norm,lr,seconds,samples_per_second\n");
        for (EpochRecord r : history.epochs()) {
            sb.append(r.epoch()).append(',').append(r.steps()).append(',').append(num(r.trainLoss())).append(',')
                    .append(num(r.trainAccuracy())).append(',').append(num(r.testLoss())).append(',')
                    .append(num(r.testAccuracy())).append(',').append(num(r.gradNorm())).append(',')
                    .append(num(r.lr())).append(',').append(num(r.seconds())).append(',')
                    .append(num(r.samplesPerSecond())).append('\n');
        }
        return sb.toString();
    }

    /** The step table as CSV, header first. */
    public static String stepsCsv(MetricsHistory history) {
        StringBuilder sb = new StringBuilder("step,epoch,loss,grad_norm,lr,batch_size\n");
        for (StepRecord r : history.steps()) {
            sb.append(r.step()).append(',').append(r.epoch()).append(',').append(num(r.loss())).append(',')
                    .append(num(r.gradNorm())).append(',').append(num(r.lr())).append(',').append(r.batchSize())
                    .append('\n');
        }
        return sb.toString();
    }

    /** Steps and epochs as JSON lines, each epoch after its last step. */
    public static String jsonLines(MetricsHistory history) throws IOException {
        StringWriter out = new StringWriter();
        int e = 0;
        var epochs = history.epochs();
        for (StepRecord s : history.steps()) {
            while (e < epochs.size() && epochs.get(e).steps() < s.step()) {
                line(out, epochJson(epochs.get(e++)));
            }
            line(out, stepJson(s));
        }
        while (e < epochs.size()) {
            line(out, epochJson(epochs.get(e++)));
        }
        return out.toString();
    }

    private static void line(StringWriter out, ObjectNode node) throws IOException {
        out.write(JSON.writeValueAsString(node));
        out.write('\n');
    }

    /** One step as a JSON object. */
    public static ObjectNode stepJson(StepRecord r) {
        ObjectNode n = JSON.createObjectNode();
        n.put("type", "step");
        n.put("step", r.step());
        n.put("epoch", r.epoch());
        put(n, "loss", r.loss());
        put(n, "grad_norm", r.gradNorm());
        put(n, "lr", r.lr());
        n.put("batch_size", r.batchSize());
        return n;
    }

    /** One epoch as a JSON object. */
    public static ObjectNode epochJson(EpochRecord r) {
        ObjectNode n = JSON.createObjectNode();
        n.put("type", "epoch");
        n.put("epoch", r.epoch());
        n.put("steps", r.steps());
        put(n, "train_loss", r.trainLoss());
        put(n, "train_accuracy", r.trainAccuracy());
        put(n, "test_loss", r.testLoss());
        put(n, "test_accuracy", r.testAccuracy());
        put(n, "grad_norm", r.gradNorm());
        put(n, "lr", r.lr());
        put(n, "seconds", r.seconds());
        put(n, "samples_per_second", r.samplesPerSecond());
        return n;
    }

    /** A JSON number, or null where the value is NaN or infinite (JSON has neither). */
    public static void put(ObjectNode n, String key, double v) {
        if (Double.isFinite(v)) {
            n.put(key, v);
        } else {
            n.putNull(key);
        }
    }

    private static String num(double v) {
        return Double.isNaN(v) ? "" : Double.isInfinite(v) ? (v > 0 ? "inf" : "-inf") : String.format(Locale.ROOT, "%s", v);
    }
}
