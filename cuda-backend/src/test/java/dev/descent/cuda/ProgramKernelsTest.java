package dev.descent.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.core.DType;
import dev.descent.core.Device;
import dev.descent.core.spi.ElementwiseProgram;
import dev.descent.core.spi.Storage;
import dev.descent.core.spi.StridedView;
import dev.descent.optim.Adagrad;
import dev.descent.optim.Adam;
import dev.descent.optim.Lion;
import dev.descent.optim.Yogi;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The host side of {@code runProgram} on CUDA, without a GPU: launches are recorded, their
 * packed arguments checked against the generated kernel's signature and values (a list launch's
 * struct of counts, chunk starts and addresses; a strided launch's geometry), contiguous sets in
 * one launch and strided sets apart, kernels generated once per program, dtype and layout, and
 * every case without a kernel answered false with nothing launched.
 */
class ProgramKernelsTest {

    /**
     * A recorded launch of a generated kernel, with its packed argument values: over {@code n}
     * elements (strided) or {@code n} blocks of work (list).
     */
    private record Launch(GeneratedKernel kernel, long n, boolean blocks, int[] sizes, long[][] values) {
    }

    private static final class Recorder implements KernelLauncher {
        final List<Launch> launches = new ArrayList<>();

        @Override
        public void launch(String op, String file, String name, long n, KernelArgs args) {
            throw new AssertionError("runProgram launched a kernel of " + file);
        }

        @Override
        public void launch(String op, String file, String name, int grid, int block, int sharedBytes, KernelArgs args) {
            throw new AssertionError("runProgram launched a kernel of " + file);
        }

        @Override
        public void launch(String op, GeneratedKernel kernel, long n, KernelArgs args) {
            record(kernel, n, false, args);
        }

        @Override
        public void launchBlocks(String op, GeneratedKernel kernel, long blocks, KernelArgs args) {
            record(kernel, blocks, true, args);
        }

        private void record(GeneratedKernel kernel, long n, boolean blocks, KernelArgs args) {
            int[] sizes = args.sizes();
            long[][] values = new long[sizes.length][];
            for (int i = 0; i < sizes.length; i++) {
                long at = args.valueAddress(i) - args.values().address();
                values[i] = new long[sizes[i] / 8];
                for (int j = 0; j < values[i].length; j++) {
                    values[i][j] = args.values().getLong(at + 8L * j);
                }
            }
            launches.add(new Launch(kernel, n, blocks, sizes, values));
        }
    }

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
            return 0x100000 + offset * dtype.byteSize();
        }
    }

    private record OtherStorage(DType dtype, long elements) implements Storage {
        @Override
        public Device device() {
            return Device.cpu();
        }

        @Override
        public void free() {
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

    private static StridedView[] views(int count, DType t, int... shape) {
        StridedView[] v = new StridedView[count];
        for (int i = 0; i < count; i++) {
            v[i] = view(t, shape);
        }
        return v;
    }

    /** The parameter sizes of the generated kernel, from its source. */
    private static int[] signature(String source) {
        Matcher m = Pattern.compile("extern \"C\" __global__ void (\\w+)\\(([^)]*)\\)").matcher(source);
        assertTrue(m.find(), source);
        assertEquals(ProgramKernelSource.KERNEL, m.group(1));
        String[] params = m.group(2).split(",");
        int[] sizes = new int[params.length];
        for (int i = 0; i < params.length; i++) {
            String p = params[i].trim();
            String type = p.substring(0, p.lastIndexOf(' ')).replace("const ", "").trim();
            Matcher g = Pattern.compile("GeometryN<(\\d+)>").matcher(type);
            if (type.equals(ProgramKernelSource.KERNEL + "_sets")) {
                sizes[i] = 8 * structWords(source);
            } else if (g.matches()) {
                sizes[i] = 8 * (1 + Geometry.MAX_RANK + Geometry.MAX_RANK * Integer.parseInt(g.group(1)));
            } else if (type.endsWith("*") || type.equals("i64") || type.equals("double")) {
                sizes[i] = 8;
            } else {
                throw new AssertionError("unknown parameter type " + type);
            }
        }
        return sizes;
    }

    /** The int64 words of a list kernel's struct, from its declaration: count, firstChunk[S + 1], n[S], then S per tensor. */
    private static int structWords(String source) {
        Matcher m = Pattern.compile("struct \\w+ \\{([^}]*)\\};").matcher(source);
        assertTrue(m.find(), source);
        int words = 0;
        for (String field : m.group(1).split(";")) {
            Matcher a = Pattern.compile("\\[(\\d+)\\]").matcher(field);
            if (a.find()) {
                words += Integer.parseInt(a.group(1));
            } else if (!field.isBlank()) {
                words++;
            }
        }
        return words;
    }

    private static List<StridedView[]> sets(StridedView[]... sets) {
        return List.of(sets);
    }

    @Test
    void everyTestProgramLaunchesWithArgumentsThatMatchItsKernel() {
        Recorder r = new Recorder();
        ProgramKernels k = new ProgramKernels(r, false);
        for (Map.Entry<String, TestPrograms.Case> e : TestPrograms.all().entrySet()) {
            ElementwiseProgram p = e.getValue().program();
            for (DType t : List.of(DType.FLOAT32, DType.FLOAT64)) {
                // Three contiguous sets of different sizes: one list launch.
                assertTrue(k.run(p, sets(views(p.tensors(), t, 3, 5), views(p.tensors(), t, 2000),
                        views(p.tensors(), t, 1)), e.getValue().scalars()), e.getKey());
                StridedView[] strided = views(p.tensors(), t, 3, 5);
                strided[0] = new StridedView(strided[0].storage(), t, 0, new int[] {3, 5}, new long[] {1, 3});
                assertTrue(k.run(p, sets(strided), e.getValue().scalars()), e.getKey());
            }
        }
        assertEquals(TestPrograms.all().size() * 4, r.launches.size());
        for (Launch l : r.launches) {
            assertArrayEquals(signature(l.kernel().source()), l.sizes(), l.kernel().source());
            assertTrue(l.sizes().length > 0 && java.util.Arrays.stream(l.sizes()).sum() <= ProgramKernelSource.PARAMETER_BYTES);
            if (l.blocks()) {
                assertEquals(1 + 2 + 1, l.n(), "chunks of 1024: one for 15 elements, two for 2000, one for 1");
            } else {
                assertEquals(15, l.n());
            }
        }
    }

    @Test
    void aListLaunchPacksEachSetsCountChunkStartAndAddresses() {
        Recorder r = new Recorder();
        ProgramKernels k = new ProgramKernels(r, false);
        ElementwiseProgram p = Adagrad.rule().program();
        StridedView[] a = views(3, DType.FLOAT32, 4, 6);
        // A contiguous view at an offset: its address moves by the offset.
        a[1] = new StridedView(a[1].storage(), DType.FLOAT32, 10, new int[] {4, 6}, new long[] {6, 1});
        StridedView[] b = views(3, DType.FLOAT32, 2049);
        StridedView[] empty = views(3, DType.FLOAT32, 0, 7);
        StridedView[] c = views(3, DType.FLOAT32, 1);
        double[] scalars = {-1, 0.25, -0.01, 1e-10};
        assertTrue(k.run(p, sets(a, b, empty, c), scalars));
        assertEquals(1, r.launches.size(), "one launch for the whole list");
        Launch l = r.launches.get(0);
        assertTrue(l.blocks());
        int cap = ProgramKernelSource.setsPerLaunch(p);
        long[] w = l.values()[0];
        assertEquals(2 + cap * (2 + 3), w.length);
        assertEquals(3, w[0], "sets in the launch: the empty one is left out");
        assertArrayEquals(new long[] {0, 1, 4, 5}, java.util.Arrays.copyOfRange(w, 1, 5), "where each set's chunks start");
        assertArrayEquals(new long[] {24, 2049, 1}, java.util.Arrays.copyOfRange(w, 2 + cap, 5 + cap), "element counts");
        int addresses = 2 + 2 * cap;
        assertEquals(0x100000, w[addresses], "set 0, tensor 0");
        assertEquals(0x100000 + 10 * 4, w[addresses + cap], "set 0, tensor 1: the view's offset in bytes");
        assertEquals(0x100000, w[addresses + 2 * cap + 2], "set 2, tensor 2");
        assertEquals(0, w[addresses + 3], "unused entries stay zero");
        assertEquals(5, l.n(), "one block of work per chunk");
        for (int j = 0; j < scalars.length; j++) {
            assertEquals(scalars[j], Double.longBitsToDouble(l.values()[1 + j][0]), "scalar " + j + " as a double");
        }
    }

    @Test
    void aListLongerThanOneLaunchHoldsTakesSeveral() {
        Recorder r = new Recorder();
        ProgramKernels k = new ProgramKernels(r, false);
        ElementwiseProgram p = Adam.rule(true, false).program();
        int cap = ProgramKernelSource.setsPerLaunch(p);
        List<StridedView[]> many = new ArrayList<>();
        for (int i = 0; i < cap + 5; i++) {
            many.add(views(p.tensors(), DType.FLOAT32, 10 + i));
        }
        assertTrue(k.run(p, many, new double[p.scalars()]));
        assertEquals(2, r.launches.size());
        assertEquals(cap, r.launches.get(0).values()[0][0]);
        assertEquals(5, r.launches.get(1).values()[0][0]);
        assertEquals(14 + cap, r.launches.get(1).values()[0][2 + cap + 4], "the last set's count");
        assertSame(r.launches.get(0).kernel(), r.launches.get(1).kernel());
    }

    @Test
    void contiguousSetsShareALaunchAndEachStridedSetHasItsOwn() {
        Recorder r = new Recorder();
        ProgramKernels k = new ProgramKernels(r, false);
        ElementwiseProgram p = Adagrad.rule().program();
        StridedView[] transposed = views(3, DType.FLOAT32, 4, 6);
        transposed[1] = new StridedView(transposed[1].storage(), DType.FLOAT32, 0, new int[] {4, 6}, new long[] {1, 4});
        assertTrue(k.run(p, sets(views(3, DType.FLOAT32, 8), transposed, views(3, DType.FLOAT32, 9)), new double[4]));
        assertEquals(2, r.launches.size());
        assertTrue(r.launches.get(0).blocks());
        assertEquals(2, r.launches.get(0).values()[0][0], "the two contiguous sets");
        assertFalse(r.launches.get(1).blocks());
        assertTrue(r.launches.get(1).kernel().source().contains("GeometryN<3> g"), r.launches.get(1).kernel().source());
        assertEquals(24, r.launches.get(1).n());
    }

    @Test
    void stridedViewsGetTheirMergedGeometryWithOneRowPerTensor() {
        Recorder r = new Recorder();
        ProgramKernels k = new ProgramKernels(r, false);
        ElementwiseProgram p = Yogi.rule().program();
        StridedView[] v = views(4, DType.FLOAT64, 4, 6);
        // The gradient: a transposed view; the second moment: a row broadcast down the columns (read only).
        v[1] = new StridedView(v[1].storage(), DType.FLOAT64, 0, new int[] {4, 6}, new long[] {1, 4});
        v[3] = new StridedView(v[3].storage(), DType.FLOAT64, 0, new int[] {4, 6}, new long[] {0, 1});
        ElementwiseProgram readsV = ElementwiseProgram.builder(4, 0).store(0, 3).build();
        assertTrue(k.run(readsV, sets(v), new double[0]));
        Launch l = r.launches.get(0);
        assertTrue(l.kernel().source().contains("GeometryN<4> g"), l.kernel().source());
        long[] g = l.values()[0];
        assertEquals(1 + 8 + 4 * 8, g.length);
        assertEquals(2, g[0], "rank: the transpose does not merge");
        assertEquals(4, g[1]);
        assertEquals(6, g[2]);
        assertArrayEquals(new long[] {6, 1}, new long[] {g[9], g[10]}, "tensor 0's strides");
        assertArrayEquals(new long[] {1, 4}, new long[] {g[17], g[18]}, "tensor 1's strides");
        assertArrayEquals(new long[] {0, 1}, new long[] {g[33], g[34]}, "tensor 3's strides");
        assertEquals(24, l.values()[1][0], "n");
        // Yogi stores into tensor 3: a broadcast view there would race, so no kernel.
        assertFalse(k.run(p, sets(v), new double[p.scalars()]));
        assertEquals(1, r.launches.size());
    }

    @Test
    void kernelsAreGeneratedOncePerProgramDtypeAndLayoutWhateverTheScalars() {
        Recorder r = new Recorder();
        ProgramKernels k = new ProgramKernels(r, false);
        ElementwiseProgram adagrad = Adagrad.rule().program();
        for (int step = 0; step < 5; step++) {
            assertTrue(k.run(adagrad, sets(views(3, DType.FLOAT32, 100), views(3, DType.FLOAT32, 7 + step)),
                    new double[] {1, 0, -0.1 / step, 1e-10}));
        }
        assertEquals(1, k.cachedKernels());
        assertEquals(5, r.launches.size());
        assertSame(r.launches.get(0).kernel(), r.launches.get(4).kernel(), "one kernel for every step");
        k.run(adagrad, sets(views(3, DType.FLOAT64, 100)), new double[4]);
        StridedView[] sliced = views(3, DType.FLOAT32, 10, 10);
        sliced[2] = new StridedView(sliced[2].storage(), DType.FLOAT32, 0, new int[] {10, 10}, new long[] {20, 1});
        k.run(adagrad, sets(sliced), new double[4]);
        k.run(Lion.rule().program(), sets(views(3, DType.FLOAT32, 100)), new double[7]);
        assertEquals(4, k.cachedKernels());
        assertTrue(new ProgramKernels(r, true).kernel(adagrad, DType.FLOAT32, ProgramKernelSource.Layout.LIST).source()
                .contains("const double x0 = (double) t0[i];"), "computeInDouble reaches the generator");
    }

    @Test
    void casesWithoutAKernelReturnFalseAndLaunchNothing() {
        Recorder r = new Recorder();
        ProgramKernels k = new ProgramKernels(r, false);
        ElementwiseProgram p = Adagrad.rule().program();
        double[] s = new double[4];
        assertFalse(k.run(p, sets(views(3, DType.INT32, 8)), s), "integer dtype");
        StridedView[] mixed = views(3, DType.FLOAT32, 8);
        mixed[2] = view(DType.FLOAT64, 8);
        assertFalse(k.run(p, sets(mixed), s), "mixed dtypes");
        assertFalse(k.run(p, sets(views(3, DType.FLOAT32, 8), views(3, DType.FLOAT64, 8)), s), "mixed dtypes across sets");
        StridedView[] shapes = views(3, DType.FLOAT32, 8);
        shapes[1] = view(DType.FLOAT32, 2, 4);
        assertFalse(k.run(p, sets(shapes), s), "different shapes within a set");
        StridedView[] foreign = views(3, DType.FLOAT32, 8);
        foreign[1] = new StridedView(new OtherStorage(DType.FLOAT32, 8), DType.FLOAT32, 0, new int[] {8}, new long[] {1});
        assertFalse(k.run(p, sets(views(3, DType.FLOAT32, 8), foreign), s),
                "storage of another backend, after a good set: nothing launched");
        ElementwiseProgram.Builder many = ElementwiseProgram.builder(1, ProgramKernels.MAX_SCALARS + 1);
        assertFalse(k.run(many.store(0, many.scalar(0)).build(), sets(views(1, DType.FLOAT32, 8)),
                new double[ProgramKernels.MAX_SCALARS + 1]), "too many scalars");
        ElementwiseProgram.Builder wide = ElementwiseProgram.builder(ProgramKernels.MAX_TENSORS + 1, 0);
        assertFalse(k.run(wide.store(0, 1).build(), sets(views(ProgramKernels.MAX_TENSORS + 1, DType.FLOAT32, 8)),
                new double[0]), "too many tensors");
        // Rank 9 after merging: every other dimension transposed away.
        int[] shape = {2, 2, 2, 2, 2, 2, 2, 2, 2};
        long[] strides = new long[9];
        for (int d = 0; d < 9; d++) {
            strides[d] = 1L << d;
        }
        StridedView[] deep = views(3, DType.FLOAT32, shape);
        deep[1] = new StridedView(deep[1].storage(), DType.FLOAT32, 0, shape, strides);
        assertFalse(k.run(p, sets(views(3, DType.FLOAT32, 8), deep), s), "rank above 8 after merging");
        assertTrue(r.launches.isEmpty());
        assertEquals(0, k.cachedKernels());
        assertTrue(k.run(p, sets(views(3, DType.FLOAT32, 0, 5)), s), "nothing to do is done");
        assertTrue(k.run(p, List.of(), s), "no sets");
        assertTrue(r.launches.isEmpty());
        assertThrows(IllegalArgumentException.class, () -> k.run(p, sets(views(2, DType.FLOAT32, 8)), s));
        assertThrows(IllegalArgumentException.class, () -> k.run(p, sets(views(3, DType.FLOAT32, 8)), new double[3]));
    }
}
