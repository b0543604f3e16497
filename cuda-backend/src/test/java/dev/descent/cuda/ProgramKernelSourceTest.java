package dev.descent.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.descent.core.DType;
import dev.descent.core.spi.BinaryOp;
import dev.descent.core.spi.ElementwiseProgram;
import dev.descent.core.spi.UnaryOp;
import dev.descent.cuda.ProgramKernelSource.Layout;
import dev.descent.optim.Adagrad;
import dev.descent.optim.Adam;
import dev.descent.optim.RMSprop;
import dev.descent.optim.SignDescent;
import dev.descent.optim.Yogi;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The generated program kernels, checked without a GPU: every op and every optimiser's rule
 * (from {@code optim}), for float32 (computed in float and in double) and float64, in the list
 * layout (many tensor sets per launch) and the strided one, compile with nvcc for sm_80 and
 * sm_90 with warnings as errors; and the generator's structure (one load per read tensor before
 * any store, one store per stored tensor, scalars as parameters, the sets' struct within the
 * kernel-parameter space, dead steps left out).
 */
class ProgramKernelSourceTest {
    private static final List<String> ARCHS = List.of("80", "90");

    /** One variant of the compute type: float32 in float, float32 in double, float64. */
    private record Variant(DType dtype, boolean computeInDouble) {
    }

    private static final List<Variant> VARIANTS = List.of(new Variant(DType.FLOAT32, false),
            new Variant(DType.FLOAT32, true), new Variant(DType.FLOAT64, false));

    private static String nvcc() {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path p = Path.of(dir, "nvcc");
            if (Files.isExecutable(p)) {
                return p.toString();
            }
        }
        return null;
    }

    private static Path nativeDir() {
        Path dir = Path.of(System.getProperty("descent.native.dir", "../native")).resolve("cuda");
        assumeTrue(Files.isDirectory(dir), () -> "kernel sources not found at " + dir.toAbsolutePath());
        return dir;
    }

    /** Every test program's rule, and the register-form program with a dead step. */
    private static Map<String, ElementwiseProgram> programs() {
        Map<String, ElementwiseProgram> all = new LinkedHashMap<>();
        for (Map.Entry<String, TestPrograms.Case> e : TestPrograms.all().entrySet()) {
            all.put(e.getKey(), e.getValue().program());
        }
        all.put("copies with a dead step", TestPrograms.copiesWithADeadStep());
        return all;
    }

    /**
     * Every program, variant and layout in one translation unit (kernels and their structs
     * renamed apart), so nvcc runs once for both architectures: seconds instead of one run per kernel.
     */
    @Test
    void everyGeneratedKernelCompilesWithNvccForSm80AndSm90WithoutWarnings(@TempDir Path out) throws Exception {
        String nvcc = nvcc();
        assumeTrue(nvcc != null, "nvcc is not on the PATH; the generated kernels were not compiled");
        StringBuilder all = new StringBuilder();
        int kernels = 0;
        for (Map.Entry<String, ElementwiseProgram> e : programs().entrySet()) {
            for (Variant v : VARIANTS) {
                for (Layout layout : Layout.values()) {
                    String name = "program_" + kernels++;
                    String source = ProgramKernelSource.generate(e.getValue(), v.dtype(), v.computeInDouble(), layout,
                            name);
                    assertEquals(ProgramKernelSource.generate(e.getValue(), v.dtype(), v.computeInDouble(), layout)
                            .replace(ProgramKernelSource.KERNEL, name), source,
                            "renaming is the only difference from the source the backend compiles");
                    all.append("// ").append(e.getKey()).append(", ").append(v).append(", ").append(layout).append('\n')
                            .append(source).append('\n');
                }
            }
        }
        final int total = kernels;
        Path cu = out.resolve("programs.cu");
        Files.writeString(cu, all);
        List<String> cmd = new ArrayList<>(List.of(nvcc, "-fatbin", "-std=c++17", "-Werror", "all-warnings",
                "-I", nativeDir().toString()));
        for (String arch : ARCHS) {
            cmd.add("-gencode");
            cmd.add("arch=compute_" + arch + ",code=sm_" + arch);
        }
        cmd.addAll(List.of("-o", out.resolve("programs.fatbin").toString(), cu.toString()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(300, TimeUnit.SECONDS), "nvcc timed out");
        assertEquals(0, p.exitValue(), () -> "nvcc failed on the " + total + " generated kernels:\n" + log + "\n" + numbered(all));
        assertTrue(log.isBlank(), () -> "nvcc said something:\n" + log);
        assertTrue(Files.size(out.resolve("programs.fatbin")) > 0);
        assertTrue(kernels >= TestPrograms.all().size() * 6);
    }

    private static String numbered(CharSequence s) {
        StringBuilder sb = new StringBuilder();
        String[] lines = s.toString().split("\n");
        for (int i = 0; i < lines.length; i++) {
            sb.append(i + 1).append(": ").append(lines[i]).append('\n');
        }
        return sb.toString();
    }

    private static int count(String s, String regex) {
        Matcher m = Pattern.compile(regex).matcher(s);
        int n = 0;
        while (m.find()) {
            n++;
        }
        return n;
    }

    @Test
    void adagradReadsItsThreeTensorsOnceStoresTwoAndTakesItsScalarsAsParameters() {
        String src = ProgramKernelSource.generate(Adagrad.rule().program(), DType.FLOAT32, false, Layout.LIST);
        assertTrue(src.contains("extern \"C\" __global__ void descent_program(const descent_program_sets sets, "
                + "double a0, double a1, double a2, double a3)"), src);
        assertEquals(3, count(src, "= t\\d\\[i\\];"), "one load per tensor read:\n" + src);
        assertEquals(2, count(src, "\\bt\\d\\[i\\] = "), "one store per stored tensor:\n" + src);
        assertTrue(src.contains("t0[i] = r") && src.contains("t2[i] = r"), src);
        for (int j = 0; j < 4; j++) {
            assertTrue(src.contains("const float s" + j + " = (float) a" + j + ";"), "scalar " + j + "\n" + src);
        }
        assertFalse(src.contains("double x") || src.contains("double r"), "float32 computes in float:\n" + src);
        int lastLoad = src.lastIndexOf("= t");
        int firstStore = src.indexOf("t0[i] = ");
        assertTrue(lastLoad < firstStore, "every load precedes every store:\n" + src);
        assertTrue(src.indexOf("const float s0") < src.indexOf("for (i64 chunk"), "scalars are converted once, outside the loop");
        assertFalse(Pattern.compile("\\d\\.\\d*e-|0\\.01").matcher(src).find(), "no hyper-parameter value in the source");
    }

    @Test
    void listKernelsTakeTheirSetsByValueInStructsThatFitTheParameterSpace() {
        ElementwiseProgram adam = Adam.rule(true, false).program();
        int sets = ProgramKernelSource.setsPerLaunch(adam);
        String src = ProgramKernelSource.generate(adam, DType.FLOAT32, false, Layout.LIST);
        assertTrue(src.contains("struct descent_program_sets {\n    i64 count;\n    i64 firstChunk[" + (sets + 1)
                + "];\n    i64 n[" + sets + "];\n    float* t0[" + sets + "];\n    const float* t1[" + sets + "];\n"),
                src);
        assertTrue(src.contains("float* const t4 = sets.t4[k];"), "each tensor's address for the chunk's set:\n" + src);
        assertTrue(src.contains("for (int half = " + Integer.highestOneBit(sets) + "; half > 0; half >>= 1)"), src);
        assertTrue(src.contains("* " + ProgramKernelSource.CHUNK + ";"), src);
        // The struct and the scalars within 4 KiB, for every program and for the largest one allowed.
        ElementwiseProgram.Builder widest = ElementwiseProgram.builder(ProgramKernels.MAX_TENSORS,
                ProgramKernels.MAX_SCALARS);
        List<ElementwiseProgram> all = new ArrayList<>(programs().values());
        all.add(widest.store(0, widest.scalar(ProgramKernels.MAX_SCALARS - 1)).build());
        for (ElementwiseProgram p : all) {
            int s = ProgramKernelSource.setsPerLaunch(p);
            assertTrue(s >= 1, "at least one set per launch");
            int bytes = 8 * (2 + s * (2 + p.tensors())) + 8 * p.scalars();
            assertTrue(bytes <= ProgramKernelSource.PARAMETER_BYTES, bytes + " bytes of parameters");
            assertTrue(bytes + 8 * (2 + p.tensors()) > ProgramKernelSource.PARAMETER_BYTES, "as many sets as fit");
        }
    }

    @Test
    void theSourceDependsOnProgramDtypeComputeTypeAndLayoutOnly() {
        ElementwiseProgram a = RMSprop.rule(true, true, false).program();
        ElementwiseProgram same = RMSprop.rule(true, true, false).program();
        assertEquals(a, same, "programs are values");
        assertEquals(ProgramKernelSource.generate(a, DType.FLOAT32, false, Layout.STRIDED),
                ProgramKernelSource.generate(same, DType.FLOAT32, false, Layout.STRIDED));
        List<String> distinct = new ArrayList<>();
        for (Variant v : VARIANTS) {
            for (Layout l : Layout.values()) {
                distinct.add(ProgramKernelSource.generate(a, v.dtype(), v.computeInDouble(), l));
            }
        }
        distinct.add(ProgramKernelSource.generate(RMSprop.rule(true, true, true).program(), DType.FLOAT32, false,
                Layout.STRIDED));
        assertEquals(distinct.size(), distinct.stream().distinct().count());
    }

    @Test
    void stridedKernelsTakeAGeometryWithOneStrideRowPerTensor() {
        String src = ProgramKernelSource.generate(RMSprop.rule(true, true, false).program(), DType.FLOAT64, false,
                Layout.STRIDED);
        assertTrue(src.contains("void descent_program(GeometryN<5> g, i64 n, double* t0, const double* t1, double* t2, "
                + "double* t3, double* t4, double a0,"), src);
        assertTrue(src.contains("offsets<5>(g, i, o);"), src);
        assertEquals(5, count(src, "= t\\d\\[o\\[\\d\\]\\];"), src);
        assertEquals(4, count(src, "\\bt\\d\\[o\\[\\d\\]\\] = "), src);
        assertTrue(src.contains("t3[o[3]] = "), src);
        assertFalse(src.contains("float"), "float64 computes in double:\n" + src);
    }

    @Test
    void float32InDoubleLoadsWidenAndStoresRoundOnce() {
        String src = ProgramKernelSource.generate(Yogi.rule().program(), DType.FLOAT32, true, Layout.LIST);
        assertEquals(4, count(src, "const double x\\d = \\(double\\) t\\d\\[i\\];"), src);
        assertEquals(3, count(src, "t\\d\\[i\\] = \\(float\\) r\\d+;"), src);
        assertTrue(src.contains("const double s0 = (double) a0;"), src);
    }

    @Test
    void deadStepsAndUnreadTensorsAreLeftOut() {
        String src = ProgramKernelSource.generate(TestPrograms.copiesWithADeadStep(), DType.FLOAT32, false, Layout.LIST);
        assertFalse(src.contains("m_exp"), "the exp nothing stores is not computed:\n" + src);
        assertFalse(src.contains("x2 ="), "tensor 2 is only stored into, never read:\n" + src);
        assertTrue(src.contains("t0[i] = x1;") && src.contains("t1[i] = s0;"), src);
        assertTrue(src.contains("t2[i] = r1;"), src);
        // Pure sign descent never uses its eps.
        String sign = ProgramKernelSource.generate(SignDescent.rule(true).program(), DType.FLOAT64, false, Layout.LIST);
        assertFalse(sign.contains("s2 ="), sign);
        assertTrue(sign.contains("double a2"), "the parameter stays, so the launch is the same:\n" + sign);
    }

    @Test
    void everyOpHasTheCpuBackendsSemantics() {
        String every = ProgramKernelSource.generate(TestPrograms.everyUnaryOp().program(), DType.FLOAT32, false,
                Layout.LIST)
                + ProgramKernelSource.generate(TestPrograms.everyBinaryOp().program(), DType.FLOAT32, false, Layout.LIST);
        for (String f : List.of("m_fabs(", "signum(", "java_max(x1, 0.0f)", "m_exp(", "m_log(", "m_log1p(", "m_sqrt(",
                "1.0f / m_sqrt(", "sigmoid(", "m_tanh(", "(float) java_pow((double) x1, (double) x2)", "java_max(x1, x2)",
                "java_min(x1, s0)", "(x1 == x2 ? 1.0f : 0.0f)", "(x1 >= s0 ? 1.0f : 0.0f)")) {
            assertTrue(every.contains(f), f + " in\n" + every);
        }
        for (UnaryOp op : UnaryOp.values()) {
            assertFalse(OpTable.unary(op, "x", "double").isBlank(), op.label());
        }
        for (BinaryOp op : BinaryOp.values()) {
            assertFalse(OpTable.binary(op, "x", "y", "double").contains("float"), op.label());
        }
        assertEquals("java_pow(x, y)", OpTable.binary(BinaryOp.POW, "x", "y", "double"));
        assertEquals("(x < y ? 1.0 : 0.0)", OpTable.binary(BinaryOp.LT, "x", "y", "double"));
    }

    @Test
    void integerDtypesHaveNoProgramKernel() {
        assertThrows(IllegalArgumentException.class,
                () -> ProgramKernelSource.generate(Adagrad.rule().program(), DType.INT32, false, Layout.LIST));
    }
}
