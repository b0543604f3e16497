package dev.descent.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.descent.core.DType;
import dev.descent.core.spi.NativeBuilds;
import dev.descent.core.spi.SoftmaxOp;
import dev.descent.core.spi.StridedView;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The native softmax rows ({@link NativeSoftmaxRows}) give the Java path's bits: every op (a
 * causal softmax keeping from none to all of a row's entries), on
 * rows of many lengths (within a chunk, across chunks, beyond what the Java path keeps resident),
 * with values that reach every branch of the Java kernels (ties with the maximum, terms that
 * underflow or need the clamped reduction, ±0, subnormals, -inf, and the rows whose maximum is
 * +inf or NaN), and rows at offsets and strides. Both of the C source's forms are checked: this
 * machine's, and the AVX2 form in a second JVM ({@code descent.cpu.nativeRows=avx2}).
 */
class NativeSoftmaxRowsTest {
    private static final int[] LENGTHS = {1, 2, 3, 7, 15, 16, 17, 31, 33, 63, 64, 65, 100, 511, 512, 513, 1000, 1024,
        1025, 4099, 40_000};
    private static final String[] KINDS = {"normal", "wide", "ties", "zeros", "negativeZeros", "subnormal", "minusInf", "allMinusInf",
        "plusInf", "nan"};

    @Test
    void nativeRowsAreBuiltWhereGccAndAvx2Are() throws IOException {
        assumeTrue(System.getProperty("os.name").startsWith("Linux") && System.getProperty("os.arch").equals("amd64"),
                "the native rows are for x86-64 Linux");
        if (System.getenv("DESCENT_REQUIRE_NATIVE") != null) {
            assertTrue(NativeBuilds.onPath("gcc"), "DESCENT_REQUIRE_NATIVE is set, but gcc is not on the PATH");
        }
        assumeTrue(NativeBuilds.onPath("gcc"), "gcc is not on the PATH");
        String flags = Files.readString(Path.of("/proc/cpuinfo"));
        assumeTrue(flags.contains(" avx2") && flags.contains(" fma"), "this CPU has no AVX2 with FMA");
        assertTrue(NativeSoftmaxRows.availability().available(), NativeSoftmaxRows.availability().reason());
    }

    @Test
    void nativeRowsGiveTheJavaPathsBits() {
        assumeTrue(NativeSoftmaxRows.availability().available(), NativeSoftmaxRows.availability().reason());
        List<String> mismatches = mismatches();
        assertEquals(List.of(), mismatches.subList(0, Math.min(10, mismatches.size())),
                mismatches.size() + " mismatches");
    }

    /**
     * The C kernels' log1p, on which their promise to round as Java does rests (they hand a row
     * back when a value within 2^-40 of their log would round differently), is within 2^-47 of
     * Java's over s in [0, 2^24]: from 0 and the subnormals through every binade.
     */
    @Test
    void theKernelsLog1pIsWithinItsBoundOfJavas() {
        assumeTrue(NativeSoftmaxRows.availability().available(), NativeSoftmaxRows.availability().reason());
        SplittableRandom random = new SplittableRandom(47);
        double worst = 0;
        double worstAt = 0;
        for (int i = 0; i < 1_000_000; i++) {
            double s = i < 3 ? new double[] {0, Double.MIN_VALUE, 0x1p-1022}[i]
                    : Math.scalb(1 + random.nextDouble(), random.nextInt(-1074, 24));
            double ours = NativeSoftmaxRows.descent_log1p_nonnegative(s);
            double java = Math.log1p(s);
            double relative = java == 0 ? Math.abs(ours) : Math.abs(ours - java) / java;
            if (relative > worst) {
                worst = relative;
                worstAt = s;
            }
        }
        assertTrue(worst < 0x1p-47, "relative difference " + worst + " at s = " + worstAt);
    }

    /**
     * A row whose log lies within 2^-41 of a float's rounding boundary is handed back to the Java
     * path (and so keeps the Java path's bits). The row [0, a] has log Σ = log1p(e^a), e^a as the
     * Java kernel computes it; a is searched for until that log lies so near a boundary.
     */
    @Test
    void aRowWhoseLogIsNearARoundingBoundaryIsHandedBack() {
        assumeTrue(NativeSoftmaxRows.availability().available(), NativeSoftmaxRows.availability().reason());
        FloatKernels.Scratch scratch = FloatKernels.scratch();
        float[] x = new float[1];
        float[] p = new float[1];
        SplittableRandom random = new SplittableRandom(41);
        float a = Float.NaN;
        for (int tries = 0; tries < 10_000_000 && Float.isNaN(a); tries++) {
            x[0] = (float) -(0.01 + 10 * random.nextDouble());
            FloatKernels.shiftedExpParts(x, 0f, p, 1, scratch);
            double log = Math.log1p(p[0] * scratch.f2[0] * FloatKernels.UNBIAS);
            if (Float.floatToRawIntBits((float) (log * (1 - 0x1p-41))) != Float.floatToRawIntBits((float) (log * (1 + 0x1p-41)))) {
                a = x[0];
            }
        }
        assertTrue(!Float.isNaN(a), "no row near a boundary found");
        CpuStorage row = new CpuStorage(DType.FLOAT32, 2);
        CpuStorage out = new CpuStorage(DType.FLOAT32, 2);
        try {
            ((Access.F32) row.access()).b.put(0, 0f).put(1, a);
            int[] javaRows = new int[1];
            int left = NativeSoftmaxRows.descent_softmax_rows(NativeSoftmaxRows.LOG_SOFTMAX, row.address(0),
                    new long[] {0}, out.address(0), new long[] {0}, 1, 2, new int[] {2}, javaRows);
            assertEquals(1, left, "the row [0, " + a + "] was not handed back");
        } finally {
            row.free();
            out.free();
        }
    }

    @Test
    void theAvx2FormGivesTheJavaPathsBitsToo() throws IOException, InterruptedException {
        assumeTrue(NativeSoftmaxRows.availability().available(), NativeSoftmaxRows.availability().reason());
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                "-Ddescent.cpu.nativeRows=avx2", NativeSoftmaxRowsTest.class.getName()).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(300, TimeUnit.SECONDS), "the AVX2 check did not finish");
        assertEquals(0, p.exitValue(), output);
        assertTrue(output.contains("AVX2 form: 0 mismatches"), output);
    }

    /** The AVX2 form's check, in its own JVM (the form is chosen once, when the library loads). */
    public static void main(String[] args) {
        if (!NativeSoftmaxRows.avx2Form() || !NativeSoftmaxRows.availability().available()) {
            System.out.println("AVX2 form not loaded: " + NativeSoftmaxRows.availability().reason());
            System.exit(2);
        }
        List<String> mismatches = mismatches();
        mismatches.stream().limit(10).forEach(System.out::println);
        System.out.println("AVX2 form: " + mismatches.size() + " mismatches");
        System.exit(mismatches.isEmpty() ? 0 : 1);
    }

    /** Every case's differences between the native and the Java path, one line each. */
    private static List<String> mismatches() {
        List<String> out = new ArrayList<>();
        SplittableRandom random = new SplittableRandom(14);
        for (SoftmaxOp op : new SoftmaxOp[] {SoftmaxOp.LOG_SOFTMAX, SoftmaxOp.SOFTMAX, SoftmaxOp.LOGSUMEXP,
            SoftmaxOp.CAUSAL_SOFTMAX}) {
            for (int len : LENGTHS) {
                for (String kind : KINDS) {
                    int rows = len > 5000 ? 3 : 9;
                    // rows every (len + 5) floats from offset 3: neither the first nor the row stride is aligned
                    compare(op, len, rows, len + 5, kind, random, out);
                }
            }
        }
        return out;
    }

    private static void compare(SoftmaxOp op, int len, int rows, int rowStride, String kind, SplittableRandom random,
            List<String> mismatches) {
        int offset = 3;
        int size = offset + rows * rowStride;
        CpuStorage x = new CpuStorage(DType.FLOAT32, size);
        CpuStorage nativeOut = new CpuStorage(DType.FLOAT32, size);
        CpuStorage javaOut = new CpuStorage(DType.FLOAT32, size);
        try {
            FloatBuffer xb = ((Access.F32) x.access()).b;
            for (int i = 0; i < size; i++) {
                xb.put(i, value(kind, random));
            }
            for (int r = 0; r < rows; r++) {
                int special = offset + r * rowStride + random.nextInt(len);
                switch (kind) {
                    case "plusInf" -> xb.put(special, r % 2 == 0 ? Float.POSITIVE_INFINITY : xb.get(special));
                    case "nan" -> xb.put(special, r % 2 == 0 ? Float.NaN : xb.get(special));
                    default -> {
                    }
                }
            }
            FloatBuffer nb = ((Access.F32) nativeOut.access()).b;
            FloatBuffer jb = ((Access.F32) javaOut.access()).b;
            for (int i = 0; i < size; i++) {
                nb.put(i, 7f);
                jb.put(i, 7f);
            }
            StridedView in = new StridedView(x, DType.FLOAT32, offset, new int[] {rows, len}, new long[] {rowStride, 1});
            RowSoftmax.run(op, in, 1, view(nativeOut, op, offset, rows, len, rowStride), true);
            RowSoftmax.run(op, in, 1, view(javaOut, op, offset, rows, len, rowStride), false);
            int shown = 0;
            for (int i = 0; i < size && shown < 3; i++) {
                if (Float.floatToRawIntBits(nb.get(i)) != Float.floatToRawIntBits(jb.get(i))) {
                    mismatches.add(op + " len " + len + " " + kind + " at " + i + ": native " + nb.get(i) + ", Java "
                            + jb.get(i) + " (x " + xb.get(i) + ")");
                    shown++;
                }
            }
        } finally {
            x.free();
            nativeOut.free();
            javaOut.free();
        }
    }

    /** The output view: the input's layout, or one float a row for LOGSUMEXP. */
    private static StridedView view(CpuStorage out, SoftmaxOp op, int offset, int rows, int len, int rowStride) {
        if (op == SoftmaxOp.LOGSUMEXP) {
            return new StridedView(out, DType.FLOAT32, offset, new int[] {rows, 1}, new long[] {rowStride, 1});
        }
        return new StridedView(out, DType.FLOAT32, offset, new int[] {rows, len}, new long[] {rowStride, 1});
    }

    private static float value(String kind, SplittableRandom random) {
        double u = random.nextDouble();
        return switch (kind) {
            case "normal", "plusInf", "nan" -> (float) (random.nextGaussian() * 3);
            // spans the clamp at -104 below the maximum, and the unclamped band just above -104.3
            case "wide" -> u < 0.02 ? 10f : (float) (10 - 120 * random.nextDouble());
            // many equal to the maximum, the rest close enough to it that e^(x - m) rounds to 1
            case "ties" -> u < 0.3 ? 2f : u < 0.6 ? 2f - 0x1p-25f * random.nextInt(4) : (float) random.nextInt(3);
            case "zeros" -> u < 0.5 ? 0f : u < 0.9 ? -0f : (float) -random.nextDouble();
            case "negativeZeros" -> u < 0.5 ? -0f : (float) -random.nextDouble();
            case "subnormal" -> (float) ((random.nextDouble() - 0.5) * 0x1p-126 * 4);
            case "minusInf" -> u < 0.4 ? Float.NEGATIVE_INFINITY : (float) random.nextGaussian();
            case "allMinusInf" -> Float.NEGATIVE_INFINITY;
            default -> throw new IllegalArgumentException(kind);
        };
    }
}
