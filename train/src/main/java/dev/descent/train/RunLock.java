package dev.descent.train;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;

/**
 * An exclusive lock on a run directory, so that two processes never write one run's checkpoint
 * and metrics at the same time (the last writer would silently win). It is an operating-system
 * lock ({@link FileChannel#tryLock}) on the file {@value #FILE} in the directory, released when
 * this object is closed or the process ends, however it ends: a killed run leaves no stale lock.
 * The file itself stays, holding the last holder's process id and start time, which the
 * refusal names.
 */
public final class RunLock implements AutoCloseable {
    /** The lock file's name in the run directory. */
    public static final String FILE = ".descent.lock";

    private final FileChannel channel;
    private final FileLock lock;

    private RunLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    /** Another process (or another run in this one) holds the directory. */
    public static final class HeldException extends IOException {
        private static final long serialVersionUID = 1L;

        HeldException(String message) {
            super(message);
        }
    }

    /**
     * Locks {@code dir} (created if needed) or fails at once.
     *
     * @throws HeldException naming the directory, the lock file and its holder when another
     *     process or another run in this process holds it
     */
    public static RunLock acquire(Path dir) throws IOException {
        Files.createDirectories(dir);
        Path file = dir.resolve(FILE);
        FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
        FileLock lock;
        try {
            lock = ch.tryLock();
        } catch (OverlappingFileLockException e) {
            lock = null;
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
        if (lock == null) {
            String holder = holder(ch);
            ch.close();
            throw new HeldException(dir + " is in use by another run (" + holder + "; lock file " + file
                    + "): wait for it to end, or write to another directory");
        }
        try {
            byte[] me = ("pid " + ProcessHandle.current().pid() + ", started " + Instant.now() + "\n")
                    .getBytes(StandardCharsets.UTF_8);
            ch.truncate(0);
            ch.write(ByteBuffer.wrap(me), 0);
        } catch (IOException e) {
            lock.release();
            ch.close();
            throw e;
        }
        return new RunLock(ch, lock);
    }

    private static String holder(FileChannel ch) {
        try {
            ByteBuffer b = ByteBuffer.allocate(256);
            ch.read(b, 0);
            String s = new String(b.array(), 0, b.position(), StandardCharsets.UTF_8).strip();
            return s.isEmpty() ? "holder unknown" : s;
        } catch (IOException e) {
            return "holder unknown";
        }
    }

    @Override
    public void close() throws IOException {
        try {
            lock.release();
        } finally {
            channel.close();
        }
    }
}
