package dev.descent.cpu;

import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import dev.descent.core.spi.Backend.Availability;
import dev.descent.core.spi.NativeBuilds;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * The float32 softmax rows in C ({@code softmax_rows.c}, beside this class), for x86-64 Linux:
 * gcc compiles them at first use for this machine's vectors (AVX-512, else AVX2 with FMA) and
 * the library is cached under {@code descent.cpu.nativeCache} (default
 * {@code ~/.cache/descent/cpu}), keyed by the source, the compiler's version, the flags and the
 * CPU's feature flags. They give the Java path's bits (the source says how), in about half its
 * time, which Java on C2 17 cannot reach: see cpu-backend's README. Where they cannot be built
 * (no gcc, another CPU or OS, or {@code descent.cpu.nativeRows=off}) the Java path runs, and
 * {@link #availability()} says why. {@code descent.cpu.nativeRows=avx2} builds the AVX2 form on
 * an AVX-512 machine (to test it).
 *
 * <p>The library is called through JNA's direct mapping: a call costs about as much as a Java
 * native method, and the rows' memory is passed as addresses, not copied.
 */
final class NativeSoftmaxRows {
    private static final String SOURCE = "softmax_rows.c";
    private static final Availability AVAILABILITY = load();

    private NativeSoftmaxRows() {
    }

    /** Whether the native rows run here, and why not when they do not. */
    static Availability availability() {
        return AVAILABILITY;
    }

    /** Whether the native rows were built with {@code -mno-avx512f} (descent.cpu.nativeRows=avx2). */
    static boolean avx2Form() {
        return "avx2".equals(mode());
    }

    /** The op codes of {@code descent_softmax_rows}. */
    static final int LOG_SOFTMAX = 0;
    static final int SOFTMAX = 1;
    static final int LOGSUMEXP = 2;

    /**
     * The rows at {@code x + xOffsets[r]} (float32 elements from the address x) into
     * {@code out + outOffsets[r]}, each over its first {@code kept[r]} entries (the rest of a
     * softmax row written as 0); returns how many rows it left to the Java path, their indices in
     * {@code javaRows} (softmax_rows.c says which).
     */
    static native int descent_softmax_rows(int op, long x, long[] xOffsets, long out, long[] outOffsets, int rows,
            int len, int[] kept, int[] javaRows);

    /** The C kernels' log(1 + s) for s >= 0 (for its test). */
    static native double descent_log1p_nonnegative(double s);

    private static String mode() {
        return System.getProperty("descent.cpu.nativeRows", "auto").toLowerCase(Locale.ROOT);
    }

    private static Availability load() {
        String mode = mode();
        if (mode.equals("off")) {
            return Availability.no("descent.cpu.nativeRows=off");
        }
        if (!mode.equals("auto") && !mode.equals("avx2")) {
            return Availability.no("descent.cpu.nativeRows is '" + mode + "'; expected auto, off or avx2");
        }
        String os = System.getProperty("os.name", "");
        String arch = System.getProperty("os.arch", "");
        if (!os.startsWith("Linux") || !(arch.equals("amd64") || arch.equals("x86_64"))) {
            return Availability.no("the native softmax rows are built for x86-64 Linux only; this is " + os + " " + arch);
        }
        if (!NativeBuilds.onPath("gcc")) {
            return Availability.no("gcc is not on the PATH, so the native softmax rows cannot be built: "
                    + "apt-get install gcc");
        }
        try {
            String cpu = cpuFlags();
            if (!cpu.contains(" avx2") || !cpu.contains(" fma")) {
                return Availability.no("this CPU has no AVX2 with FMA, which the native softmax rows need");
            }
            byte[] source = source();
            List<String> flags = new ArrayList<>(List.of("-O2", "-march=native", "-ffp-contract=off", "-fno-math-errno",
                    "-shared", "-fPIC"));
            if (mode.equals("avx2")) {
                flags.add("-mno-avx512f");
            }
            String key = NativeBuilds.key(source, run(List.of("gcc", "--version"), null).getBytes(StandardCharsets.UTF_8),
                    String.join(" ", flags).getBytes(StandardCharsets.UTF_8), cpu.getBytes(StandardCharsets.UTF_8));
            Path dir = NativeBuilds.cacheDir("descent.cpu.nativeCache", "cpu");
            Path library = NativeBuilds.cachedOrBuilt(dir, "libdescent-softmax-rows-" + key + ".so", (work, output) -> {
                Path c = work.resolve(SOURCE);
                Files.write(c, source);
                List<String> command = new ArrayList<>(List.of("gcc"));
                command.addAll(flags);
                command.addAll(List.of("-o", output.toString(), c.toString()));
                run(command, work);
            });
            Native.register(NativeSoftmaxRows.class, NativeLibrary.getInstance(library.toString()));
            return Availability.yes();
        } catch (IOException | RuntimeException | LinkageError e) {
            return Availability.no("building or loading the native softmax rows failed: " + e.getMessage());
        }
    }

    private static byte[] source() throws IOException {
        try (InputStream in = NativeSoftmaxRows.class.getResourceAsStream(SOURCE)) {
            if (in == null) {
                throw new IOException(SOURCE + " is missing from the class path");
            }
            return in.readAllBytes();
        }
    }

    /** The CPU's feature flags (from /proc/cpuinfo), which -march=native compiles for. */
    private static String cpuFlags() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
            if (line.startsWith("flags")) {
                return line;
            }
        }
        return "";
    }

    /**
     * Runs a command; its output, or an IOException with that output when it fails or takes over
     * two minutes. The output goes to a file, so a command that hangs silently still times out.
     */
    private static String run(List<String> command, Path dir) throws IOException {
        Path log = Files.createTempFile("descent-gcc", ".log");
        try {
            ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
            if (dir != null) {
                pb.directory(dir.toFile());
            }
            Process p = pb.start();
            try {
                if (!p.waitFor(120, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    throw new IOException(String.join(" ", command) + " did not finish in 120 s");
                }
            } catch (InterruptedException e) {
                p.destroyForcibly();
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while running " + command.get(0), e);
            }
            String output = Files.readString(log, StandardCharsets.UTF_8);
            if (p.exitValue() != 0) {
                throw new IOException(String.join(" ", command) + " exited with " + p.exitValue() + ": " + output.strip());
            }
            return output;
        } finally {
            Files.deleteIfExists(log);
        }
    }
}
