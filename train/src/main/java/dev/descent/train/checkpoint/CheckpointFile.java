package dev.descent.train.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.descent.optim.OptimizerState;
import dev.descent.train.AtomicFiles;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

/**
 * A checkpoint on disk: one ZIP file (so that it is replaced in one atomic rename) holding
 *
 * <ul>
 *   <li>{@code model.safetensors}: the model's parameters and buffers under their dotted names
 *       (PyTorch's {@code state_dict} keys; {@code unzip} gives a file other frameworks read);</li>
 *   <li>{@code optimizer.bin}: the optimiser's state ({@link OptimizerState#write});</li>
 *   <li>{@code trainer.json}: the trainer's own state (epochs and steps done, the schedule's
 *       counter, the generators' states, early-stopping state, the metrics so far, and the
 *       caller's metadata).</li>
 * </ul>
 *
 * Written with {@link AtomicFiles}: a crash while saving leaves the previous checkpoint whole.
 * Reading checks the archive (its CRCs included) and that all three parts are present and
 * parse before the caller changes anything.
 *
 * @param weights the safetensors bytes of the model
 * @param optimizer the optimiser's state
 * @param trainer the trainer's state
 */
public record CheckpointFile(byte[] weights, OptimizerState optimizer, JsonNode trainer) {
    public static final String WEIGHTS = "model.safetensors";
    public static final String OPTIMIZER = "optimizer.bin";
    public static final String TRAINER = "trainer.json";

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Writes the three parts to {@code path} atomically. */
    public void write(Path path) throws IOException {
        ByteArrayOutputStream opt = new ByteArrayOutputStream();
        optimizer.write(opt);
        byte[] trainerBytes = JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(trainer);
        AtomicFiles.write(path, out -> {
            ZipOutputStream zip = new ZipOutputStream(out);
            entry(zip, WEIGHTS, weights);
            entry(zip, OPTIMIZER, opt.toByteArray());
            entry(zip, TRAINER, trainerBytes);
            zip.finish();
        });
    }

    private static void entry(ZipOutputStream zip, String name, byte[] bytes) throws IOException {
        zip.putNextEntry(new ZipEntry(name));
        zip.write(bytes);
        zip.closeEntry();
    }

    /**
     * Reads and checks a checkpoint.
     *
     * @throws CheckpointException naming the file and what is wrong with it
     */
    public static CheckpointFile read(Path path) throws IOException {
        Map<String, byte[]> parts = new LinkedHashMap<>();
        try (ZipFile zip = new ZipFile(path.toFile())) {
            for (String name : new String[] {WEIGHTS, OPTIMIZER, TRAINER}) {
                ZipEntry e = zip.getEntry(name);
                if (e == null) {
                    throw new CheckpointException(path + ": not a Descent checkpoint: the entry '" + name
                            + "' is missing (expected " + WEIGHTS + ", " + OPTIMIZER + " and " + TRAINER + ")");
                }
                try (InputStream in = zip.getInputStream(e)) {
                    parts.put(name, in.readAllBytes());
                }
            }
        } catch (NoSuchFileException | FileNotFoundException e) {
            throw new NoSuchFileException(path.toString(), null, "checkpoint not found");
        } catch (ZipException e) {
            throw new CheckpointException(path + ": a corrupt or truncated checkpoint (" + e.getMessage() + ")", e);
        }
        OptimizerState opt;
        try {
            opt = OptimizerState.read(new ByteArrayInputStream(parts.get(OPTIMIZER)));
        } catch (IOException e) {
            throw new CheckpointException(path + ": its optimiser state cannot be read: " + e.getMessage(), e);
        }
        JsonNode trainer;
        try {
            trainer = JSON.readTree(parts.get(TRAINER));
        } catch (IOException e) {
            throw new CheckpointException(path + ": its " + TRAINER + " is not valid JSON: " + e.getMessage(), e);
        }
        if (trainer == null || !trainer.isObject() || trainer.path("format").asInt(-1) != TrainerStateJson.FORMAT) {
            throw new CheckpointException(path + ": its " + TRAINER + " is not a trainer state of format "
                    + TrainerStateJson.FORMAT);
        }
        return new CheckpointFile(parts.get(WEIGHTS), opt, trainer);
    }
}
