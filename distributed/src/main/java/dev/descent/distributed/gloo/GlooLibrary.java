package dev.descent.distributed.gloo;

import dev.descent.core.spi.Backend.Availability;
import dev.descent.core.spi.NativeBuilds;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.tools.Builder;
import org.bytedeco.javacpp.tools.CommandExecutor;
import org.bytedeco.javacpp.tools.Logger;

/**
 * Makes {@link GlooNative} callable: at first use, JavaCPP's {@link Builder} generates its JNI
 * code and g++ compiles it against the machine's Gloo; the library is cached on disk under
 * {@code descent.gloo.cache} (default {@code ~/.cache/descent/gloo}), keyed by a hash of the
 * binding, JavaCPP's version and the Gloo found, so only the first process on a machine pays the
 * few seconds of compiling (the CUDA backend caches its cubins the same way). Processes starting
 * together take turns through a file lock; the first builds, the others load its library
 * ({@link NativeBuilds}).
 *
 * <p>Gloo is looked for under {@code descent.gloo.home} (a prefix holding {@code include/gloo}
 * and {@code lib/libgloo.so}, for a Gloo built from source), then {@code /usr} and
 * {@code /usr/local}. When it or g++ is missing, {@link #availability()} says what to install;
 * nothing native is touched.
 */
final class GlooLibrary {
    private static final String HEADER = "descent_gloo.h";
    private static Availability availability;

    private GlooLibrary() {
    }

    /** Whether the binding is loaded (building it on the first call); why not, when it is not. */
    static synchronized Availability availability() {
        if (availability == null) {
            availability = load();
        }
        return availability;
    }

    private static Availability load() {
        Path home = Path.of(System.getProperty("descent.gloo.home", "/usr"));
        List<Path> prefixes = new ArrayList<>(List.of(home));
        if (System.getProperty("descent.gloo.home") == null) {
            prefixes.add(Path.of("/usr/local"));
        }
        Path prefix = null;
        for (Path p : prefixes) {
            if (Files.isRegularFile(p.resolve("include/gloo/allreduce.h"))) {
                prefix = p;
                break;
            }
        }
        if (prefix == null) {
            return Availability.no("Gloo's headers (gloo/allreduce.h) are not under " + prefixes
                    + ": install Gloo (Debian, Ubuntu: apt-get install libgloo-dev), or set descent.gloo.home to "
                    + "the prefix of a Gloo built from source");
        }
        Path lib = findLibrary(prefix);
        if (lib == null) {
            return Availability.no("Gloo's headers are under " + prefix + "/include but its library (libgloo.so) is "
                    + "not under " + prefix + "/lib: install libgloo-dev, or set descent.gloo.home");
        }
        if (!NativeBuilds.onPath("g++")) {
            return Availability.no("g++ is needed to compile Descent's Gloo binding at first use and is not on the "
                    + "PATH: apt-get install g++");
        }
        try {
            Loader.load(Pointer.class);   // JavaCPP's own runtime, which the binding calls into
            Path built = cachedOrBuilt(prefix, lib);
            System.load(built.toString());
            return Availability.yes();
        } catch (BuildFailure e) {
            return Availability.no(e.getMessage());
        } catch (Throwable t) {
            return Availability.no("loading Descent's Gloo binding failed: " + t);
        }
    }

    /** The library on the linker's usual paths for this prefix. */
    private static Path findLibrary(Path prefix) {
        for (String dir : List.of("lib", "lib64", "lib/x86_64-linux-gnu")) {
            Path p = prefix.resolve(dir).resolve("libgloo.so");
            if (Files.exists(p)) {
                return p;
            }
        }
        return null;
    }

    private static final class BuildFailure extends IOException {
        private static final long serialVersionUID = 1L;

        BuildFailure(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private static Path cachedOrBuilt(Path prefix, Path lib) throws IOException {
        byte[] header = resource(HEADER);
        String key = key(header, prefix, lib);
        Path dir = NativeBuilds.cacheDir("descent.gloo.cache", "gloo");
        return NativeBuilds.cachedOrBuilt(dir, "libjniGlooNative-" + key + ".so",
                (work, output) -> build(header, prefix, work, output));
    }

    private static void build(byte[] header, Path prefix, Path work, Path output) throws IOException {
        Files.write(work.resolve(HEADER), header);
        StringBuilder log = new StringBuilder();
        Logger logger = new Logger() {
            @Override
            public void debug(String s) {
                log.append("Debug: ").append(s).append('\n');
            }

            @Override
            public void info(String s) {
                log.append("Info: ").append(s).append('\n');
            }

            @Override
            public void warn(String s) {
                log.append("Warning: ").append(s).append('\n');
            }

            @Override
            public void error(String s) {
                log.append("Error: ").append(s).append('\n');
            }
        };
        // the compiler's output goes to the log, not to the terminal of whoever first asked for Gloo
        CommandExecutor quiet = new CommandExecutor(logger) {
            @Override
            public int executeCommand(List<String> command, File workingDirectory, Map<String, String> environment)
                    throws IOException, InterruptedException {
                logger.info(String.join(" ", command));
                ProcessBuilder pb = new ProcessBuilder(command).directory(workingDirectory).redirectErrorStream(true);
                if (environment != null) {
                    environment.forEach((k, v) -> {
                        if (k != null && v != null) {
                            pb.environment().put(k, v);
                        }
                    });
                }
                Process p = pb.start();
                log.append(new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
                return p.waitFor();
            }
        };
        File[] out;
        try {
            Builder b = new Builder(logger).commandExecutor(quiet)
                    .classPaths(codeSource(GlooNative.class), codeSource(Pointer.class))
                    .outputDirectory(work.toFile()).addProperty("platform.includepath", work.toString());
            if (!prefix.equals(Path.of("/usr"))) {
                b.addProperty("platform.includepath", prefix.resolve("include").toString());
                b.addProperty("platform.linkpath", prefix.resolve("lib").toString());
                b.addProperty("platform.rpath", prefix.resolve("lib").toString());
            }
            out = b.classesOrPackages(GlooNative.class.getName()).build();
        } catch (Exception | LinkageError e) {
            throw failure(log, work, e);
        }
        if (out == null || out.length == 0) {
            throw failure(log, work, null);
        }
        Files.copy(out[0].toPath(), output, StandardCopyOption.REPLACE_EXISTING);
    }

    private static BuildFailure failure(StringBuilder log, Path work, Throwable cause) throws IOException {
        Path logFile = work.resolve("build.log");
        Files.writeString(logFile, log);
        String[] lines = log.toString().split("\n");
        StringBuilder tail = new StringBuilder();
        for (String l : lines) {
            if (l.contains("error") || l.startsWith("Error")) {
                tail.append(tail.length() == 0 ? "" : "; ").append(l.strip());
                if (tail.length() > 600) {
                    break;
                }
            }
        }
        return new BuildFailure("compiling Descent's Gloo binding with g++ failed"
                + (tail.length() > 0 ? ": " + tail : cause != null ? ": " + cause : "") + " (the whole log: " + logFile
                + ")", cause);
    }

    private static String codeSource(Class<?> c) throws IOException {
        try {
            return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        } catch (URISyntaxException | NullPointerException e) {
            throw new IOException("cannot find where " + c.getName() + " was loaded from", e);
        }
    }

    private static byte[] resource(String name) throws IOException {
        try (InputStream in = GlooNative.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IOException(name + " is missing from the class path");
            }
            return in.readAllBytes();
        }
    }

    /** What the compiled library depends on: the binding's header and classes, JavaCPP, and the Gloo found. */
    private static String key(byte[] header, Path prefix, Path lib) throws IOException {
        List<byte[]> parts = new ArrayList<>(List.of(header));
        for (Class<?> c : GlooNative.class.getDeclaredClasses()) {
            parts.add(classBytes(c));
        }
        parts.add(classBytes(GlooNative.class));
        parts.add(String.valueOf(Loader.getVersion()).getBytes(StandardCharsets.UTF_8));
        parts.add(prefix.toString().getBytes(StandardCharsets.UTF_8));
        Path config = prefix.resolve("include/gloo/config.h");
        if (Files.isRegularFile(config)) {
            parts.add(Files.readAllBytes(config));
        }
        Path real = lib.toRealPath();
        parts.add((real + ":" + Files.size(real) + ":" + Files.getLastModifiedTime(real).toMillis())
                .getBytes(StandardCharsets.UTF_8));
        return NativeBuilds.key(parts.toArray(new byte[0][]));
    }

    private static byte[] classBytes(Class<?> c) throws IOException {
        String name = c.getName().substring(c.getName().lastIndexOf('.') + 1) + ".class";
        try (InputStream in = c.getResourceAsStream(name)) {
            return in == null ? new byte[0] : in.readAllBytes();
        }
    }
}
