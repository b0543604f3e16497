package dev.descent.cpu;

import dev.descent.core.spi.StridedView;

/**
 * The loop every elementwise op shares: walk the output and its inputs together (each with
 * its own strides), a chunk at a time, in parallel over disjoint ranges of the output.
 * Each operand is read in its own domain: double for floating dtypes, long for integers.
 */
final class Elementwise {
    /** Elements per chunk: small enough that every operand's chunk stays in L1. */
    static final int CHUNK = 512;

    private Elementwise() {
    }

    /** One operand's values for the current chunk, in its domain. */
    static final class Chunk {
        final double[] d;
        final long[] l;

        Chunk(boolean floating, int n) {
            this.d = floating ? new double[n] : null;
            this.l = floating ? null : new long[n];
        }
    }

    /** Computes one chunk of output from the input chunks. */
    interface Kernel {
        void apply(Chunk[] in, Chunk out, int n);
    }

    static void run(StridedView out, StridedView[] inputs, Kernel kernel) {
        long[][] strides = new long[inputs.length + 1][];
        strides[0] = out.strides();
        for (int i = 0; i < inputs.length; i++) {
            strides[i + 1] = inputs[i].strides();
        }
        Layout layout = Layout.of(out.shape(), strides);
        if (layout.numel == 0) {
            return;
        }
        CpuThreads.parallelFor(layout.numel, CpuThreads.GRAIN, CHUNK,
                (from, to) -> runRange(layout, out, inputs, kernel, from, to));
    }

    private static void runRange(Layout layout, StridedView out, StridedView[] inputs, Kernel kernel, long from,
            long to) {
        int chunk = (int) Math.min(CHUNK, to - from);
        Layout.Cursor outCursor = layout.cursor(0, out.offset(), from);
        Access outAccess = ((CpuStorage) out.storage()).access();
        Chunk outChunk = new Chunk(out.dtype().isFloating(), chunk);
        Layout.Cursor[] cursors = new Layout.Cursor[inputs.length];
        Access[] access = new Access[inputs.length];
        Chunk[] chunks = new Chunk[inputs.length];
        for (int i = 0; i < inputs.length; i++) {
            cursors[i] = layout.cursor(i + 1, inputs[i].offset(), from);
            access[i] = ((CpuStorage) inputs[i].storage()).access();
            chunks[i] = new Chunk(inputs[i].dtype().isFloating(), chunk);
        }
        for (long pos = from; pos < to; pos += chunk) {
            int n = (int) Math.min(chunk, to - pos);
            for (int i = 0; i < inputs.length; i++) {
                if (chunks[i].d != null) {
                    cursors[i].read(access[i], chunks[i].d, n);
                } else {
                    cursors[i].read(access[i], chunks[i].l, n);
                }
            }
            kernel.apply(chunks, outChunk, n);
            if (outChunk.d != null) {
                outCursor.write(outAccess, outChunk.d, n);
            } else {
                outCursor.write(outAccess, outChunk.l, n);
            }
        }
    }
}
