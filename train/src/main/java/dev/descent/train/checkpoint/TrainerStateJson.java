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
 * must come back bit for bit (the watched loss, an epoch in progress's sums) and as JSON numbers
 * in the history (Java's shortest round-trip decimal form, so they come back exactly too); NaN is
 * null. {@code epoch_in_progress} is present only for a checkpoint written inside an epoch, so a
 * file without it is one written at an epoch boundary, as every file before it was.
 */
public final class TrainerStateJson {
    /** The version of this layout. */
    public static final int FORMAT = 1;
    private static final ObjectMapper JSON = new ObjectMapper();

    private TrainerStateJson() {
    }

    public static ObjectNode toJson(TrainerState s) {
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
        ArrayNode epochs = n.putArray("epochs");
        for (EpochRecord r : s.history().epochs()) {
            ArrayNode a = epochs.addArray();
            a.add(r.epoch()).add(r.steps());
            for (double v : new double[] {r.trainLoss(), r.trainAccuracy(), r.testLoss(), r.testAccuracy(), r.gradNorm(),
                    r.lr(), r.seconds(), r.samplesPerSecond()}) {
                addDouble(a, v);
            }
        }
        ArrayNode steps = n.putArray("steps");
        for (StepRecord r : s.history().steps()) {
            ArrayNode a = steps.addArray();
            a.add(r.step()).add(r.epoch());
            addDouble(a, r.loss());
            addDouble(a, r.gradNorm());
            addDouble(a, r.lr());
            a.add(r.batchSize());
        }
        ObjectNode meta = n.putObject("metadata");
        s.metadata().forEach(meta::put);
        return n;
    }

    private static String bits(double v) {
        return Long.toHexString(Double.doubleToRawLongBits(v));
    }

    private static double fromBits(JsonNode hex) {
        return Double.longBitsToDouble(Long.parseUnsignedLong(hex.asText(), 16));
    }

    private static void addDouble(ArrayNode a, double v) {
        if (Double.isFinite(v)) {
            a.add(v);
        } else {
            a.addNull();
        }
    }

    private static double getDouble(JsonNode a, int i) {
        JsonNode v = a.get(i);
        return v == null || v.isNull() ? Double.NaN : v.asDouble();
    }

    /** Reads a state written by {@link #toJson}; {@code source} names the file in errors. */
    public static TrainerState fromJson(JsonNode n, String source) throws CheckpointException {
        try {
            Map<String, long[]> gens = new LinkedHashMap<>();
            for (Map.Entry<String, JsonNode> e : n.required("generators").properties()) {
                long[] state = new long[e.getValue().size()];
                for (int i = 0; i < state.length; i++) {
                    state[i] = Long.parseUnsignedLong(e.getValue().get(i).asText(), 16);
                }
                gens.put(e.getKey(), state);
            }
            JsonNode l = n.required("loader");
            TrainerState.LoaderSettings loader = new TrainerState.LoaderSettings(l.required("batch_size").asInt(),
                    l.required("shuffle").asBoolean(), l.required("drop_last").asBoolean(), l.required("seed").asLong(),
                    l.required("examples").asInt());
            MetricsHistory history = new MetricsHistory();
            for (JsonNode a : n.required("epochs")) {
                history.add(new EpochRecord(a.get(0).asInt(), a.get(1).asLong(), getDouble(a, 2), getDouble(a, 3),
                        getDouble(a, 4), getDouble(a, 5), getDouble(a, 6), getDouble(a, 7), getDouble(a, 8),
                        getDouble(a, 9)));
            }
            for (JsonNode a : n.required("steps")) {
                history.add(new StepRecord(a.get(0).asLong(), a.get(1).asInt(), getDouble(a, 2), getDouble(a, 3),
                        getDouble(a, 4), a.get(5).asInt()));
            }
            JsonNode ip = n.get("epoch_in_progress");
            TrainerState.PartialEpoch partial = ip == null ? null : new TrainerState.PartialEpoch(
                    ip.required("batches_done").asInt(), fromBits(ip.required("loss_sum_bits")),
                    ip.required("correct").asLong(), ip.required("examples").asLong(),
                    fromBits(ip.required("grad_norm_sum_bits")), fromBits(ip.required("last_lr_bits")),
                    ip.required("train_nanos").asLong(), ip.required("elapsed_nanos").asLong());
            JsonNode p = n.get("plateau");
            ReduceLrOnPlateau.State plateau = p == null ? null : new ReduceLrOnPlateau.State(
                    fromBits(p.required("best_bits")), p.required("bad_epochs").asInt(),
                    p.required("cooldown_left").asInt());
            Map<String, String> meta = new LinkedHashMap<>();
            n.path("metadata").properties().forEach(e -> meta.put(e.getKey(), e.getValue().asText()));
            return new TrainerState(n.required("epochs_done").asInt(), n.required("steps_done").asLong(), partial,
                    n.required("schedule_count").asLong(), plateau, gens, fromBits(n.required("best_watched_bits")),
                    n.required("epochs_without_improvement").asInt(), loader, history, meta);
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new CheckpointException(source + ": its trainer state is incomplete or malformed: " + e.getMessage(), e);
        }
    }
}
