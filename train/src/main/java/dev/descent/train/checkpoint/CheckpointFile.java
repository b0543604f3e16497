package dev.descent.train.checkpoint;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.descent.optim.OptimizerState;
import dev.descent.train.AtomicFiles;
import java.io.ByteArrayOutputStream;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.CheckedInputStream;
import java.util.zip.ZipEntry;
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
 *       counter, the generators' states, early-stopping state and the caller's metadata) and a
 *       reference to the {@link HistoryLog} beside it that holds the metrics so far.</li>
 * </ul>
 *
 * Written with {@link AtomicFiles}: a crash while saving leaves the previous checkpoint whole.
 *
 * <p><b>Reading</b> verifies every part before the caller changes anything: each entry's size
 * is checked against a bound ({@link Limits}) and against what its compressed bytes can inflate
 * to before anything is read, the bytes read must be exactly the size the archive records and
 * their CRC-32 must match the archive's ({@link ZipFile} alone does not check it), and each
 * part must parse. Every error is a {@link CheckpointException} naming the file and the part
 * ({@code run/checkpoint.ckpt!optimizer.bin: ...}).
 *
 * @param weights the safetensors bytes of the model
 * @param optimizer the optimiser's state
 * @param trainer the trainer's state, its history included
 * @param historyLog where read: the history file, to append to when the run goes on writing this
 *     checkpoint (null where it must start a new one: see {@link HistoryLog#read}); ignored by {@link #write}
 */
public record CheckpointFile(byte[] weights, OptimizerState optimizer, TrainerState trainer, HistoryLog historyLog) {
    public static final String WEIGHTS = "model.safetensors";
    public static final String OPTIMIZER = "optimizer.bin";
    public static final String TRAINER = "trainer.json";

    /** Deflate cannot expand its input more than 1032 times; an entry claiming more has corrupt sizes. */
    private static final long MAX_DEFLATE_RATIO = 1100;

    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * The most bytes each part may inflate to: a corrupt or crafted archive cannot make the
     * reader allocate more. {@link #forModel} derives them from the model being restored; each
     * is also capped by half the JVM's heap and by what one array can hold.
     *
     * @param weights bytes of {@code model.safetensors}
     * @param optimizer bytes of {@code optimizer.bin}
     * @param trainer bytes of {@code trainer.json}
     */
    public record Limits(long weights, long optimizer, long trainer) {
        /** Bytes enough for a format-1 trainer.json with a few hundred thousand steps of history inline. */
        private static final long TRAINER_BYTES = 64L << 20;

        /** Bounds for no particular model: half the heap for each part. */
        public static Limits ofHeap() {
            return new Limits(Long.MAX_VALUE, Long.MAX_VALUE, TRAINER_BYTES);
        }

        /**
         * Bounds for a model whose state holds {@code stateBytes} bytes in {@code tensors}
         * tensors: the weights exactly that plus a header (names, dtypes, shapes) of at most
         * 1 MiB + 1 KiB a tensor; the optimiser's state at most 1 MiB + 2048 times the state's
         * bytes (moments are a few copies of the parameters; L-BFGS keeps two for each step of
         * its history: 200 for the default 100).
         */
        public static Limits forModel(long stateBytes, int tensors) {
            long header = (1L << 20) + 1024L * tensors;
            return new Limits(8 + stateBytes + header, (1L << 20) + 2048 * stateBytes, TRAINER_BYTES);
        }

        long of(String part) {
            long relative = switch (part) {
                case WEIGHTS -> weights;
                case OPTIMIZER -> optimizer;
                default -> trainer;
            };
            return Math.min(relative, Math.min(Runtime.getRuntime().maxMemory() / 2, Integer.MAX_VALUE - 8));
        }
    }

    /**
     * Writes the three parts to {@code path} atomically; {@code history} is what
     * {@link HistoryLog#append} returned for this checkpoint.
     */
    public void write(Path path, HistoryLog.Reference history) throws IOException {
        ByteArrayOutputStream opt = new ByteArrayOutputStream();
        optimizer.write(opt);
        byte[] trainerBytes = JSON.writerWithDefaultPrettyPrinter()
                .writeValueAsBytes(TrainerStateJson.toJson(trainer, history));
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

    /** Reads and checks a checkpoint with bounds for no particular model ({@link Limits#ofHeap}). */
    public static CheckpointFile read(Path path) throws IOException {
        return read(path, Limits.ofHeap());
    }

    /**
     * Reads and checks a checkpoint (its history file too); nothing is allocated beyond
     * {@code limits}.
     *
     * @throws CheckpointException naming the file, the part and what is wrong with it
     * @throws NoSuchFileException when there is no file at {@code path}
     */
    public static CheckpointFile read(Path path, Limits limits) throws IOException {
        if (Files.isDirectory(path)) {
            throw new CheckpointException(path + ": a directory, expected a checkpoint file");
        }
        Map<String, byte[]> parts = new LinkedHashMap<>();
        try (ZipFile zip = new ZipFile(path.toFile())) {
            for (String name : new String[] {WEIGHTS, OPTIMIZER, TRAINER}) {
                ZipEntry e = zip.getEntry(name);
                if (e == null) {
                    throw new CheckpointException(path + ": not a Descent checkpoint: the entry '" + name
                            + "' is missing (expected " + WEIGHTS + ", " + OPTIMIZER + " and " + TRAINER + ")");
                }
                parts.put(name, readEntry(zip, e, path + "!" + name, limits.of(name)));
            }
        } catch (NoSuchFileException | FileNotFoundException e) {
            if (!Files.exists(path)) {
                throw new NoSuchFileException(path.toString(), null, "checkpoint not found");
            }
            throw new CheckpointException(path + ": cannot be read: " + e.getMessage(), e);
        } catch (CheckpointException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            // ZipException, EOFException, and what a corrupt central directory makes ZipFile throw
            throw new CheckpointException(path + ": a corrupt or truncated checkpoint (" + e.getClass().getSimpleName()
                    + ": " + e.getMessage() + ")", e);
        }
        OptimizerState opt;
        try {
            opt = OptimizerState.read(parts.get(OPTIMIZER), path + "!" + OPTIMIZER);
        } catch (IOException e) {
            throw new CheckpointException(e.getMessage(), e);
        }
        TrainerStateJson.Decoded decoded = TrainerStateJson.read(parts.get(TRAINER), path + "!" + TRAINER);
        TrainerState trainer = decoded.state();
        HistoryLog log = null;
        if (decoded.history() != null) {
            HistoryLog.Loaded loaded = HistoryLog.read(path, decoded.history(), path.toString());
            trainer = trainer.withHistory(loaded.history());
            log = loaded.continuation();
        }
        return new CheckpointFile(parts.get(WEIGHTS), opt, trainer, log);
    }

    /**
     * An entry's bytes, exactly as many as the archive records, with the archive's CRC-32;
     * {@code part} names it in errors.
     */
    private static byte[] readEntry(ZipFile zip, ZipEntry e, String part, long limit) throws IOException {
        long size = e.getSize();
        long compressed = e.getCompressedSize();
        if (size < 0 || compressed < 0 || e.getCrc() < 0) {
            throw new CheckpointException(part + ": the archive does not record the entry's size and CRC-32");
        }
        if (size > limit) {
            throw new CheckpointException(part + ": the entry declares " + size + " bytes, more than the " + limit
                    + " a checkpoint of this model can need (corrupt, or a zip bomb)");
        }
        if (e.getMethod() == ZipEntry.STORED ? size != compressed : size > compressed * MAX_DEFLATE_RATIO + 1024) {
            throw new CheckpointException(part + ": the entry declares " + size + " bytes from " + compressed
                    + " compressed ones, more than its method can give (corrupt sizes)");
        }
        CRC32 crc = new CRC32();
        byte[] bytes;
        try (InputStream in = new CheckedInputStream(zip.getInputStream(e), crc)) {
            bytes = in.readNBytes((int) size);  // grows with what arrives, not with what is declared
            if (bytes.length < size) {
                throw new CheckpointException(part + ": the entry ends after " + bytes.length + " of its " + size
                        + " bytes (corrupt or truncated)");
            }
            if (in.read() >= 0) {
                throw new CheckpointException(part + ": the entry holds more than the " + size
                        + " bytes the archive records (corrupt, or a zip bomb)");
            }
        }
        if (crc.getValue() != e.getCrc()) {
            throw new CheckpointException(part + ": CRC-32 mismatch: the bytes read give " + Long.toHexString(
                    crc.getValue()) + ", the archive recorded " + Long.toHexString(e.getCrc()) + " (the file is corrupt)");
        }
        return bytes;
    }
}
