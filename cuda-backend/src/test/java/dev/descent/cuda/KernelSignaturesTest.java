package dev.descent.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.descent.core.DType;
import dev.descent.core.Device;
import dev.descent.core.spi.BinaryOp;
import dev.descent.core.spi.ReduceOp;
import dev.descent.core.spi.SoftmaxOp;
import dev.descent.core.spi.Storage;
import dev.descent.core.spi.StridedView;
import dev.descent.core.spi.UnaryOp;
import java.io.File;
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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every launch the host code makes, checked without a GPU against the kernel it names: the
 * kernel exists in that file, and each argument the host packs has the size of the kernel's
 * parameter (a float where a double is expected would read garbage on the device). The
 * signatures come from the sources after the C preprocessor has expanded their macros.
 */
class KernelSignaturesTest {

    /** A launch as the host code made it. */
    private record Launch(String file, String name, int[] sizes) {
    }

    /** Records launches instead of running them. */
    private static final class Recorder implements KernelLauncher {
        final List<Launch> launches = new ArrayList<>();

        @Override
        public void launch(String op, String file, String name, long n, KernelArgs args) {
            launches.add(new Launch(file, name, args.sizes()));
        }

        @Override
        public void launch(String op, String file, String name, int grid, int block, int sharedBytes, KernelArgs args) {
            launches.add(new Launch(file, name, args.sizes()));
        }

        @Override
        public void launch(String op, GeneratedKernel kernel, long n, KernelArgs args) {
            launches.add(new Launch(kernel.label(), kernel.name(), args.sizes()));
        }

        @Override
        public void launchBlocks(String op, GeneratedKernel kernel, long blocks, KernelArgs args) {
            launches.add(new Launch(kernel.label(), kernel.name(), args.sizes()));
        }
    }

    /** Storage with made-up device addresses; nothing is ever dereferenced. */
    private record FakeStorage(DType dtype, long elements) implements Storage, DeviceAddressed {
        @Override
        public Device device() {
            return new Device("cuda", 0);
        }

        @Override
        public void free() {
        }

        @Override
        public long address(long offset) {
            return 0x10000 + offset * dtype.byteSize();
        }
    }

    private static StridedView view(DType t, int... shape) {
        long[] strides = new long[shape.length];
        long s = 1;
        for (int d = shape.length - 1; d >= 0; d--) {
            strides[d] = s;
            s *= shape[d];
        }
        return new StridedView(new FakeStorage(t, s), t, 0, shape, strides);
    }

    private static String preprocessor() {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (Files.isExecutable(Path.of(dir, "cpp"))) {
                return Path.of(dir, "cpp").toString();
            }
        }
        return null;
    }

    /** kernel name -> parameter sizes, for one source file. */
    private static Map<String, int[]> signatures(String cpp, Path dir, Path generated, String file) throws Exception {
        Process p = new ProcessBuilder(cpp, "-P", "-x", "c++", "-I", dir.toString(), "-I", generated.toString(),
                dir.resolve(file).toString())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        Map<String, int[]> sigs = new HashMap<>();
        Matcher m = Pattern.compile("extern \"C\" __global__ void (\\w+)\\s*\\(([^)]*)\\)").matcher(out);
        while (m.find()) {
            String[] params = m.group(2).split(",");
            int[] sizes = new int[params.length];
            for (int i = 0; i < params.length; i++) {
                sizes[i] = sizeOf(params[i].trim(), m.group(1));
            }
            sigs.put(m.group(1), sizes);
        }
        return sigs;
    }

    /** The size of a parameter declared as {@code TYPE NAME}. */
    private static int sizeOf(String param, String kernel) {
        String type = param.substring(0, param.lastIndexOf(' ')).replace("const ", "").trim();
        if (type.endsWith("*")) {
            return 8;
        }
        return switch (type) {
            case "Geometry" -> Geometry.LONGS * 8;
            case "i64", "long long", "double", "Compute<double>::type", "Compute<int>::type", "Compute<i64>::type" -> 8;
            case "int", "float", "Compute<float>::type" -> 4;
            default -> throw new AssertionError("kernel " + kernel + ": unknown parameter type '" + type + "'");
        };
    }

    @Test
    void everyLaunchMatchesItsKernelsSignature(@TempDir Path generated) throws Exception {
        String cpp = preprocessor();
        assumeTrue(cpp != null, "no C preprocessor (cpp) on the PATH");
        Path dir = Path.of(System.getProperty("descent.native.dir", "../native")).resolve("cuda");
        assumeTrue(Files.isDirectory(dir), "kernel sources not found at " + dir.toAbsolutePath());
        Map<String, Map<String, int[]>> byFile = new HashMap<>();
        for (String f : KernelSources.FILES) {
            byFile.put(f, signatures(cpp, dir, KernelSourcesTest.writeGeneratedHeader(generated), f));
        }

        Recorder r = new Recorder();
        ElementwiseKernels e = new ElementwiseKernels(r);
        ReductionKernels red = new ReductionKernels(r, FakeStorage::new, 132);
        for (DType t : DType.values()) {
            StridedView v = view(t, 3, 4);
            e.unary(UnaryOp.NEG, v, v);
            e.binary(BinaryOp.ADD, v, v, v);
            e.binaryScalar(BinaryOp.MUL, v, 2.5, v);
            e.fill(v, 1);
            for (DType s : DType.values()) {
                e.copy(view(s, 3, 4), v);
                e.where(view(s, 3, 4), v, v, v);
            }
            for (ReduceOp op : ReduceOp.values()) {
                boolean arg = op == ReduceOp.ARGMAX || op == ReduceOp.ARGMIN;
                red.reduce(op, v, new int[] {0}, view(arg ? DType.INT64 : t, 1, 4));
                // A full reduction of many values: split into parts, then a second launch.
                StridedView big = view(t, 1 << 20);
                red.reduce(op, big, new int[] {0}, view(arg ? DType.INT64 : t, 1));
            }
            if (t.isFloating()) {
                SoftmaxKernels sm = new SoftmaxKernels(r);
                for (SoftmaxOp op : SoftmaxOp.values()) {
                    sm.softmax(op, v, 1, op == SoftmaxOp.LOGSUMEXP ? view(t, 3, 1) : v);
                }
            }
            GatherKernels.launch(r, v, 1, view(DType.INT32, 3, 4), v, 0x20000);
            GatherKernels.launch(r, v, 0, view(DType.INT64, 3, 4), v, 0x20000);
            if (t.isFloating()) {
                e.addScaled(v, 0.5, v);
            }
        }
        assertFalse(r.launches.isEmpty());
        assertTrue(r.launches.stream().anyMatch(l -> l.name().startsWith("softmax_")), "softmax was exercised");
        assertTrue(r.launches.stream().anyMatch(l -> l.name().startsWith("arg_reduce_partials_")),
                "the split reductions were exercised");
        for (Launch l : r.launches) {
            Map<String, int[]> sigs = byFile.get(l.file());
            assertNotNull(sigs, "unknown kernel file " + l.file());
            int[] expected = sigs.get(l.name());
            assertNotNull(expected, l.name() + " is not a kernel of " + l.file() + " (it has " + sigs.keySet() + ")");
            assertArrayEquals(expected, l.sizes(), "argument sizes of " + l.name());
        }
    }

    @Test
    void kernelArgumentsSitAtTheirNaturalAlignmentAndHoldTheirValues() {
        KernelArgs a = KernelArgs.begin().i32(7).i64(-3).f32(1.5f).f64(2.25).longs(new long[] {4, 5, 6}).pointer(0xABCDL);
        assertArrayEquals(new int[] {4, 8, 4, 8, 24, 8}, a.sizes());
        long base = a.values().address();
        long[] at = new long[6];
        for (int i = 0; i < 6; i++) {
            at[i] = a.valueAddress(i) - base;
            assertEquals(0, at[i] % Math.min(8, a.sizes()[i]), "argument " + i + " is misaligned");
        }
        assertEquals(7, a.values().getInt(at[0]));
        assertEquals(-3, a.values().getLong(at[1]));
        assertEquals(1.5f, a.values().getFloat(at[2]));
        assertEquals(2.25, a.values().getDouble(at[3]));
        assertEquals(6, a.values().getLong(at[4] + 16));
        assertEquals(0xABCDL, a.values().getLong(at[5]));
        assertEquals(0, KernelArgs.begin().sizes().length, "begin() empties the arguments");
    }
}
