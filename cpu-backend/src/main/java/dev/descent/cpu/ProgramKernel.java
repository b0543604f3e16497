package dev.descent.cpu;

import dev.descent.core.spi.ElementwiseProgram;
import dev.descent.core.spi.StridedView;
import java.util.Arrays;

/**
 * Runs an {@link ElementwiseProgram} in one pass over its tensors: each thread takes a range,
 * and for every chunk of it reads the tensors into registers, runs the steps on the chunk
 * (each step a tight loop of {@link ChunkMath}), and stores the results. The registers of a
 * chunk stay in cache, so memory is read and written once, whatever the program's length.
 */
final class ProgramKernel {
    private ProgramKernel() {
    }

    static void run(ElementwiseProgram program, StridedView[] tensors, double[] scalars) {
        long[][] strides = new long[tensors.length][];
        for (int i = 0; i < tensors.length; i++) {
            strides[i] = tensors[i].strides();
        }
        Layout layout = Layout.of(tensors[0].shape(), strides);
        if (layout.numel == 0) {
            return;
        }
        CpuThreads.parallelFor(layout.numel, CpuThreads.GRAIN, Elementwise.CHUNK,
                (from, to) -> runRange(program, tensors, scalars, layout, from, to));
    }

    private static void runRange(ElementwiseProgram program, StridedView[] tensors, double[] scalars, Layout layout,
            long from, long to) {
        int chunk = (int) Math.min(Elementwise.CHUNK, to - from);
        int nt = program.tensors();
        double[][] reg = new double[program.registers()][chunk];
        for (int s = 0; s < program.scalars(); s++) {
            // Scalars stay in double: a float32 tensor's values are rounded once, on store.
            Arrays.fill(reg[nt + s], scalars[s]);
        }
        Access[] access = new Access[nt];
        Layout.Cursor[] read = new Layout.Cursor[nt];
        for (int i = 0; i < nt; i++) {
            access[i] = ((CpuStorage) tensors[i].storage()).access();
            read[i] = layout.cursor(i, tensors[i].offset(), from);
        }
        var stores = program.stores();
        Layout.Cursor[] write = new Layout.Cursor[stores.size()];
        for (int k = 0; k < write.length; k++) {
            int t = stores.get(k).tensor();
            write[k] = layout.cursor(t, tensors[t].offset(), from);
        }
        var steps = program.steps();
        int first = nt + program.scalars();
        for (long pos = from; pos < to; pos += chunk) {
            int n = (int) Math.min(chunk, to - pos);
            for (int i = 0; i < nt; i++) {
                read[i].read(access[i], reg[i], n);
            }
            for (int s = 0; s < steps.size(); s++) {
                ElementwiseProgram.Step step = steps.get(s);
                if (step.unary() != null) {
                    ChunkMath.unary(step.unary(), reg[step.a()], reg[first + s], n);
                } else {
                    ChunkMath.binary(step.binary(), reg[step.a()], reg[step.b()], reg[first + s], n);
                }
            }
            for (int k = 0; k < write.length; k++) {
                write[k].write(access[stores.get(k).tensor()], reg[stores.get(k).register()], n);
            }
        }
    }
}
