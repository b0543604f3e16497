package dev.descent.train;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;

/**
 * Writes files so that a reader finds the old content or the new, never a part: the bytes go
 * to a temporary file in the same directory, which is forced to disk and then renamed over the
 * target with {@code ATOMIC_MOVE}. On any failure the temporary file is deleted and the target
 * is as it was; a process killed while writing leaves it, and {@link #deleteStaleTemporaries}
 * removes such leftovers (only while no other process writes there: see {@link RunLock}).
 */
public final class AtomicFiles {
    private AtomicFiles() {
    }

    /** What writes the new content. */
    @FunctionalInterface
    public interface Content {
        void writeTo(OutputStream out) throws IOException;
    }

    public static void writeString(Path target, String text) throws IOException {
        write(target, out -> out.write(text.getBytes(StandardCharsets.UTF_8)));
    }

    public static void writeBytes(Path target, byte[] bytes) throws IOException {
        write(target, out -> out.write(bytes));
    }

    /**
     * The names this class (and {@code SafeTensors.write}, which follows the same scheme) gives
     * temporary files: {@code .NAME.RANDOM.tmp}, RANDOM in base 36 or hex.
     */
    private static final Pattern TEMPORARY = Pattern.compile("\\..+\\.[0-9a-z]{1,16}\\.tmp");

    /**
     * Deletes the temporary files that writes into {@code dir} left behind when their process
     * was killed (files named as this class names them, nothing else). Call it only while no
     * other process can be writing into {@code dir}, e.g. holding its {@link RunLock}.
     *
     * @return the files deleted
     */
    public static List<Path> deleteStaleTemporaries(Path dir) throws IOException {
        List<Path> deleted = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return deleted;
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
            for (Path f : files) {
                if (TEMPORARY.matcher(f.getFileName().toString()).matches() && Files.isRegularFile(f)
                        && Files.deleteIfExists(f)) {
                    deleted.add(f);
                }
            }
        }
        return deleted;
    }

    /** Writes {@code content} to {@code target} atomically, creating the parent directory if needed. */
    public static void write(Path target, Content content) throws IOException {
        Path absolute = target.toAbsolutePath();
        Path dir = absolute.getParent();
        Files.createDirectories(dir);
        // Files.createFile, not createTempFile: the file gets the usual permissions of a new file
        // there, which the rename passes on to the target (createTempFile's are owner-only).
        Path tmp = Files.createFile(dir.resolve("." + absolute.getFileName() + "." + Long.toUnsignedString(
                ThreadLocalRandom.current().nextLong(), 36) + ".tmp"));
        boolean done = false;
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE);
                 OutputStream out = Channels.newOutputStream(ch)) {
                content.writeTo(out);
                out.flush();
                ch.force(true);
            }
            try {
                Files.move(tmp, absolute, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                throw new IOException("cannot replace " + absolute + " atomically on this file system: " + e.getMessage(),
                        e);
            }
            done = true;
        } finally {
            if (!done) {
                Files.deleteIfExists(tmp);
            }
        }
    }
}
