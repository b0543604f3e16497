package dev.descent.train.metrics;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.descent.train.AtomicFiles;
import java.io.IOException;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

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
 * {@link #write} rewrites each file whole and atomically from the history (a run does so when it
 * starts, so a resumed run's files hold exactly its history, with no lines left over from the
 * interrupted part); {@link Appender} then adds only the records that are new, so the cost of
 * keeping the files up to date does not grow with the run. Numbers are written with Java's
 * shortest round-trip form; NaN (not measured) is an empty CSV cell and JSON null.
 */
public final class MetricsFiles {
    public static final String EPOCHS_CSV = "metrics.csv";
    public static final String STEPS_CSV = "steps.csv";
    public static final String JSON_LINES = "metrics.jsonl";

    private static final ObjectMapper JSON = new ObjectMapper();

    private MetricsFiles() {
    }

    private static final String EPOCHS_HEADER =
            "epoch,steps,train_loss,train_accuracy,test_loss,test_accuracy,grad_norm,lr,seconds,samples_per_second\n";
    private static final String STEPS_HEADER = "step,epoch,loss,grad_norm,lr,batch_size\n";

    /** Writes the three files into {@code dir}, whole and atomically. */
    public static void write(MetricsHistory history, Path dir) throws IOException {
        AtomicFiles.writeString(dir.resolve(EPOCHS_CSV), epochsCsv(history));
        AtomicFiles.writeString(dir.resolve(STEPS_CSV), stepsCsv(history));
        AtomicFiles.writeString(dir.resolve(JSON_LINES), jsonLines(history));
    }

    /**
     * Keeps the files of one run directory up to date: {@link #start} writes them whole, each
     * {@link #append} adds the records the history gained since (a line each).
     */
    public static final class Appender {
        private final Path dir;
        private int steps;
        private int epochs;

        private Appender(Path dir, int steps, int epochs) {
            this.dir = dir;
            this.steps = steps;
            this.epochs = epochs;
        }

        /** Writes the files whole from {@code history} and returns an appender that continues them. */
        public static Appender start(MetricsHistory history, Path dir) throws IOException {
            write(history, dir);
            return new Appender(dir, history.steps().size(), history.epochs().size());
        }

        /** Appends the records {@code history} gained since the last call. */
        public void append(MetricsHistory history) throws IOException {
            List<StepRecord> s = history.steps().subList(steps, history.steps().size());
            List<EpochRecord> e = history.epochs().subList(epochs, history.epochs().size());
            if (s.isEmpty() && e.isEmpty()) {
                return;
            }
            StringBuilder epochsCsv = new StringBuilder();
            e.forEach(r -> epochRow(epochsCsv, r));
            StringBuilder stepsCsv = new StringBuilder();
            s.forEach(r -> stepRow(stepsCsv, r));
            StringWriter lines = new StringWriter();
            jsonLines(lines, s, e);
            appendTo(dir.resolve(EPOCHS_CSV), epochsCsv.toString());
            appendTo(dir.resolve(STEPS_CSV), stepsCsv.toString());
            appendTo(dir.resolve(JSON_LINES), lines.toString());
            steps = history.steps().size();
            epochs = history.epochs().size();
        }

        private static void appendTo(Path file, String text) throws IOException {
            if (!text.isEmpty()) {
                Files.writeString(file, text, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                        StandardOpenOption.APPEND);
            }
        }
    }

    /** The epoch table as CSV, header first. */
    public static String epochsCsv(MetricsHistory history) {
        StringBuilder sb = new StringBuilder(EPOCHS_HEADER);
        history.epochs().forEach(r -> epochRow(sb, r));
        return sb.toString();
    }

    private static void epochRow(StringBuilder sb, EpochRecord r) {
        sb.append(r.epoch()).append(',').append(r.steps()).append(',').append(num(r.trainLoss())).append(',')
                .append(num(r.trainAccuracy())).append(',').append(num(r.testLoss())).append(',')
                .append(num(r.testAccuracy())).append(',').append(num(r.gradNorm())).append(',')
                .append(num(r.lr())).append(',').append(num(r.seconds())).append(',')
                .append(num(r.samplesPerSecond())).append('\n');
    }

    /** The step table as CSV, header first. */
    public static String stepsCsv(MetricsHistory history) {
        StringBuilder sb = new StringBuilder(STEPS_HEADER);
        history.steps().forEach(r -> stepRow(sb, r));
        return sb.toString();
    }

    private static void stepRow(StringBuilder sb, StepRecord r) {
        sb.append(r.step()).append(',').append(r.epoch()).append(',').append(num(r.loss())).append(',')
                .append(num(r.gradNorm())).append(',').append(num(r.lr())).append(',').append(r.batchSize())
                .append('\n');
    }

    /** Steps and epochs as JSON lines, each epoch after its last step. */
    public static String jsonLines(MetricsHistory history) throws IOException {
        StringWriter out = new StringWriter();
        jsonLines(out, history.steps(), history.epochs());
        return out.toString();
    }

    private static void jsonLines(StringWriter out, List<StepRecord> steps, List<EpochRecord> epochs)
            throws IOException {
        int e = 0;
        for (StepRecord s : steps) {
            while (e < epochs.size() && epochs.get(e).steps() < s.step()) {
                line(out, epochJson(epochs.get(e++)));
            }
            line(out, stepJson(s));
        }
        while (e < epochs.size()) {
            line(out, epochJson(epochs.get(e++)));
        }
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
        return Double.isNaN(v) ? "" : Double.isInfinite(v) ? (v > 0 ? "inf" : "-inf") : Double.toString(v);
    }
}
