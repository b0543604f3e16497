package dev.descent.core.spi;

import java.io.File;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.stream.Stream;

/**
 * Native libraries a backend compiles on the user's machine at first use and keeps on disk, so
 * that only the first process on a machine pays for the compiler. A library's file name carries
 * a hash of everything it was built from; processes starting together take turns through a file
 * lock (the first builds, the others load its file), and a build lands by an atomic rename, so
 * no process ever loads half a library.
 */
public final class NativeBuilds {
    private NativeBuilds() {
    }

    /** Builds a library into {@code output}, working in {@code work} (a fresh folder, deleted after). */
    @FunctionalInterface
    public interface Build {
        void into(Path work, Path output) throws IOException;
    }

    /**
     * The cache folder: system property {@code property}, else {@code ~/.cache/descent/<name>}; a
     * fresh temporary folder when that cannot be made (an unwritable cache costs a build per process).
     */
    public static Path cacheDir(String property, String name) throws IOException {
        Path dir = Path.of(System.getProperty(property, System.getProperty("user.home") + "/.cache/descent/" + name));
        try {
            return Files.createDirectories(dir);
        } catch (IOException e) {
            return Files.createTempDirectory("descent-" + name);
        }
    }

    /** {@code dir/fileName}, built by {@code build} unless a process has built it already. */
    public static Path cachedOrBuilt(Path dir, String fileName, Build build) throws IOException {
        Path target = dir.resolve(fileName);
        try (FileChannel lockFile = FileChannel.open(dir.resolve("build.lock"), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE);
             FileLock lock = lockFile.lock()) {
            if (Files.isRegularFile(target)) {
                return target;
            }
            Path work = Files.createTempDirectory(dir, "build-");
            Path tmp = work.resolve("done.tmp");
            build.into(work, tmp);
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
            deleteTree(work);
        }
        return target;
    }

    /** Whether {@code program} is an executable on the PATH. */
    public static boolean onPath(String program) {
        String path = System.getenv("PATH");
        if (path == null) {
            return false;
        }
        for (String dir : path.split(File.pathSeparator)) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, program))) {
                return true;
            }
        }
        return false;
    }

    /** 24 hex digits of the SHA-256 of the parts, each ended by a zero byte. */
    public static String key(byte[]... parts) {
        try {
            MessageDigest d = MessageDigest.getInstance("SHA-256");
            for (byte[] p : parts) {
                d.update(p);
                d.update((byte) 0);
            }
            return HexFormat.of().formatHex(d.digest(), 0, 12);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** {@link #key(byte[]...)} of strings, in UTF-8. */
    public static String key(String... parts) {
        byte[][] bytes = new byte[parts.length][];
        for (int i = 0; i < parts.length; i++) {
            bytes[i] = parts[i].getBytes(StandardCharsets.UTF_8);
        }
        return key(bytes);
    }

    /** Deletes a build folder; a leftover one in the cache is harmless. */
    private static void deleteTree(Path dir) {
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted((a, b) -> b.getNameCount() - a.getNameCount()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // nothing to do: the folder only takes space
        }
    }
}
