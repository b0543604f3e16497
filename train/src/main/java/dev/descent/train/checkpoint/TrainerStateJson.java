package dev.descent.train.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.descent.optim.schedule.ReduceLrOnPlateau;
import dev.descent.train.metrics.EpochRecord;
import dev.descent.train.metrics.MetricsHistory;
import dev.descent.train.metrics.StepRecord;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@link TrainerState} as JSON. Doubles are stored as their IEEE bit patterns in hex where they
 * must come back bit for bit (the watched loss, an epoch in progress's sums); NaN is null.
 * {@code epoch_in_progress} is present only for a checkpoint written inside an epoch, so a file
 * without it is one written at an epoch boundary, as every file before it was.
 *
 * <p>Format 2 (this one) keeps the step and epoch records in the run's {@link HistoryLog} and
 * only a reference to them here ({@code history}); format 1 held them here, as arrays
 * ({@code epochs}, {@code steps}), and is still read.
 *
 * <p>Reading is strict: a field of the wrong type ({@code "steps_done": "not-a-number"}), out of
 * range or missing is refused with the file and the field named, never read as 0.
 */
public final class TrainerStateJson {
    /** The version of this layout. */
    public static final int FORMAT = 2;
    /** The layout with the history inline, still read. */
    public static final int FORMAT_INLINE_HISTORY = 1;
    private static final ObjectMapper JSON = new ObjectMapper();

    private TrainerStateJson() {
    }

    /** The state as JSON of this format, its history referred to by {@code history}. */
    public static ObjectNode toJson(TrainerState s, HistoryLog.Reference history) {
        ObjectNode n = JSON.createObjectNode();
        n.put("format", FORMAT);
        n.put("epochs_done", s.epochsDone());
        n.put("steps_done", s.stepsDone());
        if (s.epochInProgress() != null) {
            TrainerState.PartialEpoch e = s.epochInProgress();
            ObjectNode p = n.putObject("epoch_in_progress");
            p.put("batches_done", e.batchesDone());
            p.put("loss_sum_bits", bits(e.lossSum()));
            p.put("correct", e.correct());
            p.put("examples", e.examples());
            p.put("grad_norm_sum_bits", bits(e.gradNormSum()));
            p.put("last_lr_bits", bits(e.lastLr()));
            p.put("train_nanos", e.trainNanos());
            p.put("elapsed_nanos", e.elapsedNanos());
        }
        n.put("schedule_count", s.scheduleCount());
        if (s.plateau() != null) {
            ObjectNode p = n.putObject("plateau");
            p.put("best_bits", bits(s.plateau().best()));
            p.put("bad_epochs", s.plateau().badEpochs());
            p.put("cooldown_left", s.plateau().cooldownLeft());
        }
        ObjectNode gens = n.putObject("generators");
        s.generators().forEach((name, state) -> {
            ArrayNode a = gens.putArray(name);
            for (long v : state) {
                a.add(Long.toHexString(v));
            }
        });
        n.put("best_watched_bits", bits(s.bestWatched()));
        n.put("epochs_without_improvement", s.epochsWithoutImprovement());
        ObjectNode loader = n.putObject("loader");
        loader.put("batch_size", s.loader().batchSize());
        loader.put("shuffle", s.loader().shuffle());
        loader.put("drop_last", s.loader().dropLast());
        loader.put("seed", s.loader().seed());
        loader.put("examples", s.loader().examples());
        ObjectNode h = n.putObject("history");
        h.put("file", history.file());
        h.put("bytes", history.bytes());
        h.put("crc32", Long.toHexString(history.crc32()));
        h.put("steps", history.steps());
        h.put("epochs", history.epochs());
        ObjectNode meta = n.putObject("metadata");
        s.metadata().forEach(meta::put);
        return n;
    }

    private static String bits(double v) {
        return Long.toHexString(Double.doubleToRawLongBits(v));
    }

    /**
     * A state read back: its history inline (format 1), or null with a reference to the
     * {@link HistoryLog} that holds it (format 2).
     */
    public record Decoded(TrainerState state, HistoryLog.Reference history) {
    }

    /** Parses and reads the bytes of a {@code trainer.json}; {@code source} names it in errors. */
    public static Decoded read(byte[] json, String source) throws CheckpointException {
        return fromJson(new StrictJson(source).parseObject(json), source);
    }

    /** Reads a state written by {@link #toJson} (or by format 1); {@code source} names the file in errors. */
    public static Decoded fromJson(JsonNode n, String source) throws CheckpointException {
        StrictJson j = new StrictJson(source);
        if (n == null || !n.isObject()) {
            throw j.bad("expected a trainer state (a JSON object)");
        }
        JsonNode formatNode = n.get("format");
        if (formatNode == null || !formatNode.isIntegralNumber()
                || formatNode.asLong() != FORMAT && formatNode.asLong() != FORMAT_INLINE_HISTORY) {
            throw j.bad("not a trainer state of format " + FORMAT + " or " + FORMAT_INLINE_HISTORY + " ('format' is "
                    + formatNode + "; written by a newer Descent?)");
        }
        boolean inline = formatNode.asLong() == FORMAT_INLINE_HISTORY;

        Map<String, long[]> gens = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : j.object(n, "", "generators", false).properties()) {
            String path = "generators." + e.getKey();
            JsonNode a = e.getValue();
            if (!a.isArray()) {
                throw j.bad(path, "an array of hex strings", a);
            }
            long[] state = new long[a.size()];
            for (int i = 0; i < state.length; i++) {
                state[i] = j.hexBits(a.get(i), path + "[" + i + "]");
            }
            gens.put(e.getKey(), state);
        }
        JsonNode l = j.object(n, "", "loader", false);
        TrainerState.LoaderSettings loader = new TrainerState.LoaderSettings(j.int32(l, "loader", "batch_size", 1),
                j.bool(l, "loader", "shuffle"), j.bool(l, "loader", "drop_last"),
                j.integer(l, "loader", "seed", Long.MIN_VALUE, Long.MAX_VALUE), j.int32(l, "loader", "examples", 0));

        JsonNode ip = j.object(n, "", "epoch_in_progress", true);
        String ipp = "epoch_in_progress";
        TrainerState.PartialEpoch partial = ip == null ? null : new TrainerState.PartialEpoch(
                j.int32(ip, ipp, "batches_done", 0), j.hexDouble(ip, ipp, "loss_sum_bits"),
                j.integer(ip, ipp, "correct", 0, Long.MAX_VALUE), j.integer(ip, ipp, "examples", 0, Long.MAX_VALUE),
                j.hexDouble(ip, ipp, "grad_norm_sum_bits"), j.hexDouble(ip, ipp, "last_lr_bits"),
                j.integer(ip, ipp, "train_nanos", 0, Long.MAX_VALUE),
                j.integer(ip, ipp, "elapsed_nanos", Long.MIN_VALUE, Long.MAX_VALUE));
        JsonNode p = j.object(n, "", "plateau", true);
        ReduceLrOnPlateau.State plateau = p == null ? null : new ReduceLrOnPlateau.State(
                j.hexDouble(p, "plateau", "best_bits"), j.int32(p, "plateau", "bad_epochs", 0),
                j.int32(p, "plateau", "cooldown_left", 0));
        Map<String, String> meta = new LinkedHashMap<>();
        JsonNode m = j.object(n, "", "metadata", true);
        if (m != null) {
            for (Map.Entry<String, JsonNode> e : m.properties()) {
                meta.put(e.getKey(), j.text(e.getValue(), "metadata." + e.getKey()));
            }
        }

        MetricsHistory history = inline ? inlineHistory(n, j) : null;
        HistoryLog.Reference ref = null;
        if (!inline) {
            JsonNode h = j.object(n, "", "history", false);
            ref = new HistoryLog.Reference(j.text(h, "history", "file"),
                    j.integer(h, "history", "bytes", 0, Long.MAX_VALUE),
                    j.hexBits(j.field(h, "history", "crc32", false), "history.crc32"),
                    j.integer(h, "history", "steps", 0, Integer.MAX_VALUE),
                    j.integer(h, "history", "epochs", 0, Integer.MAX_VALUE));
        }
        TrainerState state = new TrainerState(j.int32(n, "", "epochs_done", 0),
                j.integer(n, "", "steps_done", 0, Long.MAX_VALUE), partial,
                j.integer(n, "", "schedule_count", -1, Long.MAX_VALUE), plateau, gens,
                j.hexDouble(n, "", "best_watched_bits"), j.int32(n, "", "epochs_without_improvement", 0), loader,
                history, meta);
        return new Decoded(state, ref);
    }

    /** Format 1's {@code epochs} and {@code steps} arrays. */
    private static MetricsHistory inlineHistory(JsonNode n, StrictJson j) throws CheckpointException {
        MetricsHistory history = new MetricsHistory();
        JsonNode epochs = j.array(n, "", "epochs");
        for (int i = 0; i < epochs.size(); i++) {
            String path = "epochs[" + i + "]";
            JsonNode a = row(j, epochs.get(i), path, 10);
            history.add(new EpochRecord((int) j.integer(a.get(0), path + "[0]", 1, Integer.MAX_VALUE),
                    j.integer(a.get(1), path + "[1]", 0, Long.MAX_VALUE), j.numberOrNull(a.get(2), path + "[2]"),
                    j.numberOrNull(a.get(3), path + "[3]"), j.numberOrNull(a.get(4), path + "[4]"),
                    j.numberOrNull(a.get(5), path + "[5]"), j.numberOrNull(a.get(6), path + "[6]"),
                    j.numberOrNull(a.get(7), path + "[7]"), j.numberOrNull(a.get(8), path + "[8]"),
                    j.numberOrNull(a.get(9), path + "[9]")));
        }
        JsonNode steps = j.array(n, "", "steps");
        for (int i = 0; i < steps.size(); i++) {
            String path = "steps[" + i + "]";
            JsonNode a = row(j, steps.get(i), path, 6);
            history.add(new StepRecord(j.integer(a.get(0), path + "[0]", 1, Long.MAX_VALUE),
                    (int) j.integer(a.get(1), path + "[1]", 1, Integer.MAX_VALUE), j.numberOrNull(a.get(2), path + "[2]"),
                    j.numberOrNull(a.get(3), path + "[3]"), j.numberOrNull(a.get(4), path + "[4]"),
                    (int) j.integer(a.get(5), path + "[5]", 1, Integer.MAX_VALUE)));
        }
        return history;
    }

    private static JsonNode row(StrictJson j, JsonNode a, String path, int length) throws CheckpointException {
        if (a == null || !a.isArray() || a.size() != length) {
            throw j.bad(path, "an array of " + length + " values", a);
        }
        return a;
    }
}
