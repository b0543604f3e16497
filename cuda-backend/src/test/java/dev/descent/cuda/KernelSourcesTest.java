package dev.descent.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.descent.core.DType;
import dev.descent.core.spi.BinaryOp;
import dev.descent.core.spi.ReduceOp;
import dev.descent.core.spi.SoftmaxOp;
import dev.descent.core.spi.UnaryOp;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The kernel sources in {@code native/cuda}, checked without a GPU: they compile with nvcc
 * for sm_80 and sm_90 (when nvcc is on the PATH) with the generated op header beside them, they
 * stay compilable by NVRTC (no includes beyond our two headers), the jar carries each of them,
 * and their codes agree with the SPI.
 */
class KernelSourcesTest {
    private static final List<String> ARCHS = List.of("80", "90");

    private static Path nativeDir() {
        Path dir = Path.of(System.getProperty("descent.native.dir", "../native")).resolve("cuda");
        assumeTrue(Files.isDirectory(dir), () -> "kernel sources not found at " + dir.toAbsolutePath()
                + " (set descent.native.dir)");
        return dir;
    }

    private static List<Path> sources() throws IOException {
        try (Stream<Path> s = Files.list(nativeDir())) {
            return s.filter(p -> p.toString().endsWith(".cu")).sorted().toList();
        }
    }

    private static String nvcc() {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path p = Path.of(dir, "nvcc");
            if (Files.isExecutable(p)) {
                return p.toString();
            }
        }
        return null;
    }

    /** Writes the generated op header into {@code dir}, where the sources find it as NVRTC does. */
    static Path writeGeneratedHeader(Path dir) throws IOException {
        Files.writeString(dir.resolve(OpTable.HEADER), OpTable.header());
        return dir;
    }

    @Test
    void everyKernelSourceCompilesWithNvccForSm80AndSm90(@TempDir Path out) throws Exception {
        String nvcc = nvcc();
        assumeTrue(nvcc != null, "nvcc is not on the PATH; the kernels were not compiled");
        Path generated = writeGeneratedHeader(Files.createDirectory(out.resolve("generated")));
        List<String> failures = new ArrayList<>();
        for (Path cu : sources()) {
            List<String> cmd = new ArrayList<>(List.of(nvcc, "-fatbin", "-std=c++17", "-Werror", "all-warnings",
                    "-I", nativeDir().toString(), "-I", generated.toString()));
            for (String arch : ARCHS) {
                cmd.add("-gencode");
                cmd.add("arch=compute_" + arch + ",code=sm_" + arch);
            }
            cmd.addAll(List.of("-o", out.resolve(cu.getFileName() + ".fatbin").toString(), cu.toString()));
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(120, TimeUnit.SECONDS), "nvcc timed out on " + cu);
            if (p.exitValue() != 0) {
                failures.add(cu.getFileName() + " (exit " + p.exitValue() + "):\n" + log);
            }
        }
        assertTrue(failures.isEmpty(), "nvcc failed:\n" + String.join("\n", failures));
    }

    @Test
    void theJarCarriesEverySourceAndTheHeader() throws IOException {
        List<String> onDisk = sources().stream().map(p -> p.getFileName().toString()).toList();
        assertEquals(onDisk, KernelSources.FILES.stream().sorted().toList(),
                "KernelSources.FILES must list every .cu in native/cuda");
        for (String f : KernelSources.FILES) {
            assertFalse(KernelSources.read(f).isBlank(), f);
        }
        assertTrue(KernelSources.read(KernelSources.HEADER).contains("struct Geometry"));
    }

    /** NVRTC has no host headers: a source may include only our own two headers, which NVRTC is handed. */
    @Test
    void sourcesIncludeNothingButTheSharedHeaders() throws IOException {
        Pattern include = Pattern.compile("^\\s*#\\s*include\\s*(\\S+)", Pattern.MULTILINE);
        List<String> allowed = List.of("\"" + KernelSources.HEADER + "\"", "\"" + OpTable.HEADER + "\"");
        List<Path> all = new ArrayList<>(sources());
        all.add(nativeDir().resolve(KernelSources.HEADER));
        for (Path f : all) {
            Matcher m = include.matcher(Files.readString(f));
            while (m.find()) {
                assertTrue(allowed.contains(m.group(1)), f.getFileName() + " includes " + m.group(1));
            }
        }
        Matcher m = include.matcher(OpTable.header());
        while (m.find()) {
            assertEquals("\"" + KernelSources.HEADER + "\"", m.group(1), "the generated header includes " + m.group(1));
        }
    }

    /** The generated op functions: one case per op, labelled with its ordinal; integers get only the integer ops. */
    @Test
    void theGeneratedHeaderHasOneCasePerOpAtItsOrdinal() {
        String h = OpTable.header();
        for (String t : List.of("float", "double", "i64")) {
            String unary = function(h, t + " unary_op(int op, " + t + " x)");
            String binary = function(h, t + " binary_op(int op, " + t + " a, " + t + " b)");
            for (UnaryOp op : UnaryOp.values()) {
                boolean expected = !t.equals("i64") || !op.floatingOnly();
                assertEquals(expected, unary.contains("case " + op.ordinal() + ": return " + OpTable.unary(op, "x", t)
                        + "; // " + op.name() + "\n"), t + " " + op);
            }
            for (BinaryOp op : BinaryOp.values()) {
                boolean expected = !t.equals("i64") || !op.floatingOnly();
                assertEquals(expected, binary.contains("case " + op.ordinal() + ": return "
                        + OpTable.binary(op, "a", "b", t) + "; // " + op.name() + "\n"), t + " " + op);
            }
        }
        assertTrue(h.contains("int unary_op(int op, int x) { return (int) unary_op(op, (i64) x); }"), h);
    }

    private static String function(String header, String signature) {
        int at = header.indexOf(signature);
        assertTrue(at >= 0, signature + " in\n" + header);
        return header.substring(at, header.indexOf("\n}\n", at));
    }

    @Test
    void reductionAndDtypeCodesInTheHeaderAreTheOrdinalsOfTheSpiEnums() {
        Map<String, Integer> defines = new HashMap<>();
        Matcher m = Pattern.compile("#define (\\w+) (\\d+)").matcher(KernelSources.read(KernelSources.HEADER));
        while (m.find()) {
            defines.put(m.group(1), Integer.parseInt(m.group(2)));
        }
        for (ReduceOp op : ReduceOp.values()) {
            assertEquals(op.ordinal(), defines.get("RED_" + op.name()), "RED_" + op.name());
        }
        Matcher sm = Pattern.compile("#define SM_(\\w+) (\\d+)").matcher(KernelSources.read("softmax.cu"));
        int found = 0;
        while (sm.find()) {
            assertEquals(SoftmaxOp.valueOf(sm.group(1)).ordinal(), Integer.parseInt(sm.group(2)), "SM_" + sm.group(1));
            found++;
        }
        assertEquals(SoftmaxOp.values().length, found, "softmax.cu defines every SoftmaxOp");
        for (DType t : DType.values()) {
            assertEquals(t.ordinal(), defines.get("DT_" + t.name()), "DT_" + t.name());
        }
        assertEquals(Geometry.MAX_RANK, defines.get("DESCENT_MAX_RANK"));
        assertEquals(Geometry.MAX_OPERANDS, defines.get("DESCENT_MAX_OPERANDS"));
    }
}
