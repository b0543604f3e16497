package dev.descent.cpu;

import dev.descent.core.DType;
import dev.descent.core.spi.ElementwiseProgram;
import dev.descent.core.spi.StridedView;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Runs an {@link ElementwiseProgram} over a list of tensor sets in one pass and one parallel
 * loop: the elements of all sets are numbered one after another, each thread takes a range of
 * that numbering (so one optimiser step over a model's parameters is one split, not one per
 * parameter), and runs the program's compiled loop ({@link ProgramCompiler}) over its part of
 * each set. A program with divisions, roots or functions goes chunk by chunk: the tensors it
 * reads are copied into Java arrays that stay in the first-level cache, the vectorised loop
 * runs on them, and the stored ones are copied back. A program of cheap ops on contiguous
 * tensors runs in place over the tensors' buffers. Either way each tensor is read and written
 * once, whatever the program's length.
 *
 * <p>Precision ({@link ProgramCompiler}): float64 programs in double; float32 programs in float,
 * each step rounded as the tensor op of that name rounds it, so the fused and composed forms
 * of a float32 update give the same bits.
 */
final class ProgramKernel {
    /**
     * Elements per chunk: 4 KiB per float32 tensor, so an optimiser's chunks stay in the
     * first-level cache while the copies in and out are long enough to cost little per element.
     */
    static final int CHUNK = 1024;

    private static final AtomicLong RUNS = new AtomicLong();

    private ProgramKernel() {
    }

    /** Calls of {@link #run} so far. */
    static long runs() {
        return RUNS.get();
    }

    static void run(ElementwiseProgram program, List<StridedView[]> sets, double[] scalars) {
        RUNS.incrementAndGet();
        int nt = program.tensors();
        DType dtype = sets.get(0)[0].dtype();
        Layout[] layouts = new Layout[sets.size()];
        long[] start = new long[sets.size() + 1];
        for (int s = 0; s < layouts.length; s++) {
            StridedView[] set = sets.get(s);
            if (set.length != nt) {
                throw new IllegalArgumentException("runProgram: the program reads " + nt + " tensors, set " + s
                        + " has " + set.length);
            }
            long[][] strides = new long[nt][];
            for (int k = 0; k < nt; k++) {
                strides[k] = set[k].strides();
            }
            layouts[s] = Layout.of(set[0].shape(), strides);
            start[s + 1] = start[s] + layouts[s].numel;
        }
        long total = start[layouts.length];
        if (total == 0) {
            return;
        }
        boolean inFloat = dtype == DType.FLOAT32;
        // Contiguous sets of a cheap program are updated in place, the others through chunks.
        ProgramCompiler.CompiledLoop buffers = ProgramCompiler.formFor(program) == ProgramCompiler.Form.BUFFERS
                ? ProgramCompiler.loop(program, inFloat, ProgramCompiler.Form.BUFFERS) : null;
        boolean[] live = program.liveRegisters();
        CpuThreads.parallelFor(total, CpuThreads.GRAIN, CHUNK, (from, to) -> {
            Object[] arrays = null;
            int s = 0;
            while (start[s + 1] <= from) {
                s++;
            }
            for (; s < layouts.length && start[s] < to; s++) {
                long lo = Math.max(from, start[s]) - start[s];
                long hi = Math.min(to, start[s + 1]) - start[s];
                if (hi <= lo) {
                    continue;
                }
                StridedView[] set = sets.get(s);
                if (buffers != null && contiguous(layouts[s])) {
                    inPlace(buffers, set, scalars, lo, hi);
                    continue;
                }
                if (arrays == null) {
                    arrays = chunkArrays(program, live, dtype);
                }
                runSet(program, live, ProgramCompiler.loop(program, inFloat, ProgramCompiler.Form.CHUNKS), set,
                        layouts[s], scalars, arrays, lo, hi);
            }
        });
    }

    /** A chunk array for every tensor the program reads or stores (null for the others). */
    private static Object[] chunkArrays(ElementwiseProgram program, boolean[] live, DType dtype) {
        Object[] arrays = new Object[program.tensors()];
        for (int k = 0; k < arrays.length; k++) {
            if (live[k]) {
                arrays[k] = array(dtype);
            }
        }
        for (ElementwiseProgram.Store st : program.stores()) {
            arrays[st.tensor()] = array(dtype);
        }
        return arrays;
    }

    /** Elements [lo, hi) of a contiguous set, through buffer slices: no copies (see {@link ProgramCompiler.Form}). */
    private static void inPlace(ProgramCompiler.CompiledLoop loop, StridedView[] set, double[] scalars, long lo,
            long hi) {
        Object[] slices = new Object[set.length];
        int n = (int) (hi - lo);
        for (int k = 0; k < set.length; k++) {
            slices[k] = ((CpuStorage) set[k].storage()).access().slice(set[k].offset() + lo, n);
        }
        loop.run(slices, scalars, n);
    }

    private static Object array(DType dtype) {
        return dtype == DType.FLOAT32 ? new float[CHUNK] : new double[CHUNK];
    }

    /** Elements [lo, hi) of one set, chunk by chunk. */
    private static void runSet(ElementwiseProgram program, boolean[] live, ProgramCompiler.CompiledLoop loop,
            StridedView[] set, Layout layout, double[] scalars, Object[] chunks, long lo, long hi) {
        int nt = set.length;
        Access[] access = new Access[nt];
        for (int k = 0; k < nt; k++) {
            access[k] = ((CpuStorage) set[k].storage()).access();
        }
        List<ElementwiseProgram.Store> stores = program.stores();
        if (contiguous(layout)) {
            // One run per tensor: bulk copies at known offsets, no cursor.
            for (long pos = lo; pos < hi; pos += CHUNK) {
                int n = (int) Math.min(CHUNK, hi - pos);
                for (int k = 0; k < nt; k++) {
                    if (live[k]) {
                        access[k].readOwn(set[k].offset() + pos, 1, chunks[k], 0, n);
                    }
                }
                loop.run(chunks, scalars, n);
                for (ElementwiseProgram.Store st : stores) {
                    int t = st.tensor();
                    access[t].writeOwn(set[t].offset() + pos, 1, chunks[t], 0, n);
                }
            }
            return;
        }
        Layout.Cursor[] read = new Layout.Cursor[nt];
        for (int k = 0; k < nt; k++) {
            if (live[k]) {
                read[k] = layout.cursor(k, set[k].offset(), lo);
            }
        }
        Layout.Cursor[] write = new Layout.Cursor[stores.size()];
        for (int j = 0; j < write.length; j++) {
            int t = stores.get(j).tensor();
            write[j] = layout.cursor(t, set[t].offset(), lo);
        }
        for (long pos = lo; pos < hi; pos += CHUNK) {
            int n = (int) Math.min(CHUNK, hi - pos);
            for (int k = 0; k < nt; k++) {
                if (read[k] != null) {
                    read[k].readOwn(access[k], chunks[k], n);
                }
            }
            loop.run(chunks, scalars, n);
            for (int j = 0; j < write.length; j++) {
                int t = stores.get(j).tensor();
                write[j].writeOwn(access[t], chunks[t], n);
            }
        }
    }

    /** Whether every tensor of the set walks its elements with stride 1 (the layout merged to one run). */
    private static boolean contiguous(Layout layout) {
        if (layout.shape.length != 1) {
            return false;
        }
        for (long[] s : layout.strides) {
            if (s[0] != 1) {
                return false;
            }
        }
        return true;
    }
}
