package dev.descent.cpu;

import java.util.Arrays;

/**
 * A common shape for several operands with their own strides, simplified for iteration:
 * size-1 dimensions dropped and neighbouring dimensions merged wherever every operand steps
 * through them as one. A contiguous tensor becomes a single run. Rank is at least 1.
 */
final class Layout {
    final int[] shape;
    final long[][] strides;
    final long numel;

    private Layout(int[] shape, long[][] strides) {
        this.shape = shape;
        this.strides = strides;
        long n = 1;
        for (int d : shape) {
            n *= d;
        }
        this.numel = n;
    }

    static Layout of(int[] shape, long[]... operandStrides) {
        int ops = operandStrides.length;
        int[] dims = new int[shape.length];
        long[][] st = new long[ops][shape.length];
        int rank = 0;
        for (int d = 0; d < shape.length; d++) {
            if (shape[d] == 0) {
                return new Layout(new int[] {0}, new long[ops][1]);
            }
            if (shape[d] == 1) {
                continue;
            }
            boolean merge = rank > 0;
            for (int k = 0; k < ops && merge; k++) {
                merge = st[k][rank - 1] == operandStrides[k][d] * shape[d];
            }
            if (merge) {
                dims[rank - 1] *= shape[d];
                for (int k = 0; k < ops; k++) {
                    st[k][rank - 1] = operandStrides[k][d];
                }
            } else {
                dims[rank] = shape[d];
                for (int k = 0; k < ops; k++) {
                    st[k][rank] = operandStrides[k][d];
                }
                rank++;
            }
        }
        if (rank == 0) {
            return new Layout(new int[] {1}, new long[ops][1]);
        }
        long[][] trimmed = new long[ops][];
        for (int k = 0; k < ops; k++) {
            trimmed[k] = Arrays.copyOf(st[k], rank);
        }
        return new Layout(Arrays.copyOf(dims, rank), trimmed);
    }

    /** A cursor for operand {@code k} whose first element sits at {@code base}, positioned at linear index {@code start}. */
    Cursor cursor(int k, long base, long start) {
        return new Cursor(shape, strides[k], base, start);
    }

    /**
     * Walks one operand's elements in row-major order of the layout, handing out runs along
     * the innermost dimension.
     */
    static final class Cursor {
        private final int[] shape;
        private final long[] strides;
        private final int[] index;
        private final int last;
        long offset;

        Cursor(int[] shape, long[] strides, long base, long start) {
            this.shape = shape;
            this.strides = strides;
            this.last = shape.length - 1;
            this.index = new int[shape.length];
            long rest = start;
            long off = base;
            for (int d = last; d >= 0; d--) {
                index[d] = (int) (rest % shape[d]);
                rest /= shape[d];
                off += index[d] * strides[d];
            }
            this.offset = off;
        }

        /** Elements left before the innermost dimension wraps. */
        int runLeft() {
            return shape[last] - index[last];
        }

        long step() {
            return strides[last];
        }

        /** One run of {@code count} elements from {@code offset} with {@code stride}, landing at {@code at} in the chunk. */
        interface RunVisitor {
            void visit(long offset, long stride, int at, int count);
        }

        /** Hands the next {@code n} elements to {@code v} run by run, moving past them. */
        void forEachRun(int n, RunVisitor v) {
            int i = 0;
            while (i < n) {
                int take = Math.min(runLeft(), n - i);
                v.visit(offset, strides[last], i, take);
                i += take;
                advance(take);
            }
        }

        /** The next {@code n} elements into a {@code float[]} or {@code double[]} of the storage's own type. */
        void readOwn(Access a, Object dst, int n) {
            forEachRun(n, (off, stride, at, k) -> a.readOwn(off, stride, dst, at, k));
        }

        void writeOwn(Access a, Object src, int n) {
            forEachRun(n, (off, stride, at, k) -> a.writeOwn(off, stride, src, at, k));
        }

        void read(Access a, double[] dst, int n) {
            forEachRun(n, (off, stride, at, k) -> a.read(off, stride, dst, at, k));
        }

        void read(Access a, long[] dst, int n) {
            forEachRun(n, (off, stride, at, k) -> a.read(off, stride, dst, at, k));
        }

        void write(Access a, double[] src, int n) {
            forEachRun(n, (off, stride, at, k) -> a.write(off, stride, src, at, k));
        }

        void write(Access a, long[] src, int n) {
            forEachRun(n, (off, stride, at, k) -> a.write(off, stride, src, at, k));
        }

        /** Moves {@code k} elements forward, where {@code k <= runLeft()}. */
        void advance(int k) {
            index[last] += k;
            offset += k * strides[last];
            if (index[last] < shape[last]) {
                return;
            }
            offset -= (long) shape[last] * strides[last];
            index[last] = 0;
            for (int d = last - 1; d >= 0; d--) {
                index[d]++;
                offset += strides[d];
                if (index[d] < shape[d]) {
                    return;
                }
                offset -= (long) shape[d] * strides[d];
                index[d] = 0;
            }
        }
    }
}
