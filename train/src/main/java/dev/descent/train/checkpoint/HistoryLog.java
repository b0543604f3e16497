package dev.descent.train.checkpoint;

import dev.descent.train.metrics.EpochRecord;
import dev.descent.train.metrics.MetricsHistory;
import dev.descent.train.metrics.StepRecord;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.zip.CRC32;
import java.util.zip.CheckedInputStream;

/**
 * A run's step and epoch records, kept beside its checkpoint in a file that only grows, so that
 * a checkpoint costs the records since the last one rather than the whole history (a run of
 * 100,000 steps rewrote megabytes of JSON after every epoch before). The checkpoint names the
 * file and how many of its bytes belong to it, with their CRC-32 ({@link Reference}); bytes after
 * those (appended for a checkpoint that a crash kept from being written) are ignored.
 *
 * <pre>
 * header   int 0x44484C47 ("DHLG"), int version 1
 * records  'S' long step, int epoch, double loss, double gradNorm, double lr, int batchSize
 *          'E' int epoch, long steps, 8 doubles (trainLoss, trainAccuracy, testLoss, testAccuracy,
 *              gradNorm, lr, seconds, samplesPerSecond)
 * </pre>
 *
 * Big-endian, doubles as their bits, so the history comes back exactly. The file is
 * {@code <checkpoint's name>.<random>.history} in the checkpoint's directory: a run started
 * afresh writes a new one (the previous run's checkpoint keeps its own until the new
 * checkpoint replaces it), and a run resumed from its checkpoint appends to the one it names.
 */
public final class HistoryLog {
    private static final int MAGIC = 0x44_48_4C_47;
    private static final int VERSION = 1;
    private static final int HEADER = 8;
    static final int STEP_BYTES = 1 + 8 + 4 + 8 + 8 + 8 + 4;
    static final int EPOCH_BYTES = 1 + 4 + 8 + 8 * 8;
    private static final String SUFFIX = ".history";

    /**
     * What a checkpoint holds of its history file.
     *
     * @param file the file's name, in the checkpoint's directory
     * @param bytes how many of its bytes (header included) are the checkpoint's
     * @param crc32 their CRC-32
     * @param steps the step records among them
     * @param epochs the epoch records among them
     */
    public record Reference(String file, long bytes, long crc32, long steps, long epochs) {
    }

    private final Path file;
    private final CRC32 crc;
    private long bytes;
    private int steps;
    private int epochs;

    private HistoryLog(Path file, CRC32 crc, long bytes, int steps, int epochs) {
        this.file = file;
        this.crc = crc;
        this.bytes = bytes;
        this.steps = steps;
        this.epochs = epochs;
    }

    /** A new, not yet written log for the checkpoint at {@code checkpoint}. */
    public static HistoryLog startNew(Path checkpoint) {
        Path abs = checkpoint.toAbsolutePath();
        String name = abs.getFileName() + "." + Long.toUnsignedString(ThreadLocalRandom.current().nextLong(), 36)
                + SUFFIX;
        return new HistoryLog(abs.resolveSibling(name), new CRC32(), 0, 0, 0);
    }

    /** Whether {@code name} is a history file that a checkpoint at {@code checkpoint} would write. */
    static boolean belongsTo(Path checkpoint, String name) {
        String prefix = checkpoint.toAbsolutePath().getFileName() + ".";
        return name.startsWith(prefix) && name.endsWith(SUFFIX)
                && name.substring(prefix.length(), name.length() - SUFFIX.length()).matches("[0-9a-z]{1,13}");
    }

    public Path file() {
        return file;
    }

    /**
     * Appends the records of {@code history} that the file does not hold yet, forces them to
     * disk and returns the reference a checkpoint written next keeps.
     */
    public Reference append(MetricsHistory history) throws IOException {
        List<StepRecord> s = history.steps();
        List<EpochRecord> e = history.epochs();
        if (s.size() < steps || e.size() < epochs) {
            throw new IllegalStateException("HistoryLog.append: the history has " + s.size() + " steps and " + e.size()
                    + " epochs, fewer than the " + steps + " and " + epochs + " written");
        }
        ByteArrayOutputStream chunk = new ByteArrayOutputStream();
        DataOutputStream d = new DataOutputStream(chunk);
        if (bytes == 0) {
            d.writeInt(MAGIC);
            d.writeInt(VERSION);
        }
        for (StepRecord r : s.subList(steps, s.size())) {
            d.writeByte('S');
            d.writeLong(r.step());
            d.writeInt(r.epoch());
            d.writeDouble(r.loss());
            d.writeDouble(r.gradNorm());
            d.writeDouble(r.lr());
            d.writeInt(r.batchSize());
        }
        for (EpochRecord r : e.subList(epochs, e.size())) {
            d.writeByte('E');
            d.writeInt(r.epoch());
            d.writeLong(r.steps());
            for (double v : new double[] {r.trainLoss(), r.trainAccuracy(), r.testLoss(), r.testAccuracy(),
                    r.gradNorm(), r.lr(), r.seconds(), r.samplesPerSecond()}) {
                d.writeDouble(v);
            }
        }
        byte[] b = chunk.toByteArray();
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            if (ch.size() != bytes) {
                throw new IOException(file + ": the history file has " + ch.size() + " bytes, expected " + bytes
                        + " (changed by another process?)");
            }
            try {
                ByteBuffer buf = ByteBuffer.wrap(b);
                long at = bytes;
                while (buf.hasRemaining()) {
                    at += ch.write(buf, at);
                }
                ch.force(true);
            } catch (IOException failed) {
                try {
                    ch.truncate(bytes);  // a full disk: leave the file as the checkpoint on disk knows it
                } catch (IOException ignored) {
                    failed.addSuppressed(ignored);
                }
                throw failed;
            }
        }
        crc.update(b);
        bytes += b.length;
        steps = s.size();
        epochs = e.size();
        return new Reference(file.getFileName().toString(), bytes, crc.getValue(), steps, epochs);
    }

    /** A history read back, with the log to append to when the run goes on writing the same checkpoint. */
    public record Loaded(MetricsHistory history, HistoryLog continuation) {
    }

    /**
     * Reads the records a checkpoint at {@code checkpoint} refers to and checks their CRC-32;
     * {@code source} names the checkpoint in errors. Nothing is allocated beyond what the file
     * holds. The continuation is null where appending would not be safe (the file holds more
     * than the reference, or is named for another checkpoint): the run then starts a new file.
     */
    public static Loaded read(Path checkpoint, Reference ref, String source) throws CheckpointException {
        String name = ref.file();
        if (!name.endsWith(SUFFIX) || name.contains("/") || name.contains("\\") || name.startsWith(".")) {
            throw new CheckpointException(source + ": its history file is named '" + name
                    + "', expected a file name ending in " + SUFFIX);
        }
        if (ref.bytes() != HEADER + ref.steps() * STEP_BYTES + ref.epochs() * EPOCH_BYTES) {
            throw new CheckpointException(source + ": its history reference is inconsistent: " + ref.steps()
                    + " steps and " + ref.epochs() + " epochs take " + (HEADER + ref.steps() * STEP_BYTES
                    + ref.epochs() * EPOCH_BYTES) + " bytes, not " + ref.bytes());
        }
        Path file = checkpoint.toAbsolutePath().resolveSibling(name);
        String where = source + ": its history " + file;
        long size;
        try {
            size = Files.size(file);
        } catch (NoSuchFileException e) {
            throw new CheckpointException(where + " is missing (a checkpoint's per-step history lives beside it: "
                    + "copy both)", e);
        } catch (IOException e) {
            throw new CheckpointException(where + " cannot be read: " + e.getMessage(), e);
        }
        if (size < ref.bytes()) {
            throw new CheckpointException(where + " holds " + size + " bytes, the checkpoint needs " + ref.bytes()
                    + " (truncated or replaced?)");
        }
        CRC32 crc = new CRC32();
        MetricsHistory h = new MetricsHistory();
        try (InputStream raw = Files.newInputStream(file);
             DataInputStream d = new DataInputStream(new CheckedInputStream(new BufferedInputStream(raw, 1 << 16),
                     crc))) {
            if (d.readInt() != MAGIC || d.readInt() != VERSION) {
                throw new CheckpointException(where + " is not a Descent history file of version " + VERSION);
            }
            long steps = 0;
            long epochs = 0;
            long at = HEADER;
            while (at < ref.bytes()) {
                int kind = d.readByte();
                if (kind == 'S' && steps < ref.steps()) {
                    h.add(new StepRecord(d.readLong(), d.readInt(), d.readDouble(), d.readDouble(), d.readDouble(),
                            d.readInt()));
                    steps++;
                    at += STEP_BYTES;
                } else if (kind == 'E' && epochs < ref.epochs()) {
                    h.add(new EpochRecord(d.readInt(), d.readLong(), d.readDouble(), d.readDouble(), d.readDouble(),
                            d.readDouble(), d.readDouble(), d.readDouble(), d.readDouble(), d.readDouble()));
                    epochs++;
                    at += EPOCH_BYTES;
                } else {
                    throw new CheckpointException(where + ": record at byte " + at + " is of kind " + kind
                            + " (expected 'S' or 'E' within " + ref.steps() + " steps and " + ref.epochs()
                            + " epochs)");
                }
            }
        } catch (EOFException e) {
            throw new CheckpointException(where + " ends early (truncated)", e);
        } catch (CheckpointException e) {
            throw e;
        } catch (IOException e) {
            throw new CheckpointException(where + " cannot be read: " + e.getMessage(), e);
        }
        if (crc.getValue() != ref.crc32()) {
            throw new CheckpointException(where + ": its first " + ref.bytes() + " bytes have CRC-32 "
                    + Long.toHexString(crc.getValue()) + ", the checkpoint recorded " + Long.toHexString(ref.crc32())
                    + " (corrupt or overwritten)");
        }
        boolean appendable = size == ref.bytes() && belongsTo(checkpoint, name);
        return new Loaded(h, appendable ? new HistoryLog(file, crc, ref.bytes(), (int) ref.steps(),
                (int) ref.epochs()) : null);
    }

    /**
     * Deletes the history files of the checkpoint at {@code checkpoint} other than {@code keep}
     * (after a checkpoint naming {@code keep} has replaced the one that named them). Only files
     * named as this class names them are touched.
     */
    public static void deleteOthers(Path checkpoint, Path keep) throws IOException {
        Path dir = checkpoint.toAbsolutePath().getParent();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
            for (Path f : files) {
                String n = f.getFileName().toString();
                if (belongsTo(checkpoint, n) && !f.equals(keep)) {
                    Files.deleteIfExists(f);
                }
            }
        }
    }
}
