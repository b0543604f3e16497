package dev.descent.cpu;

import dev.descent.core.DType;
import java.nio.ByteBuffer;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.LongBuffer;

/**
 * Reads and writes runs of a storage's elements as doubles (floating dtypes) or longs
 * (integer dtypes), the two forms the kernels compute in. One call moves a whole run, so the
 * per-dtype dispatch is paid per run, not per element.
 */
abstract class Access {
    // Loops index zero-based slices where they can: the JIT then drops the per-element index
    // checks, which it keeps for a loop that indexes from an offset (measured: 3x slower).
    static Access of(DType dtype, ByteBuffer b) {
        return switch (dtype) {
            case FLOAT32 -> new F32(b.asFloatBuffer());
            case FLOAT64 -> new F64(b.asDoubleBuffer());
            case INT32 -> new I32(b.asIntBuffer());
            case INT64 -> new I64(b.asLongBuffer());
        };
    }

    abstract void read(long off, long stride, double[] dst, int at, int n);

    abstract void write(long off, long stride, double[] src, int at, int n);

    abstract void read(long off, long stride, long[] dst, int at, int n);

    abstract void write(long off, long stride, long[] src, int at, int n);

    /** The sum of {@code n} consecutive elements from {@code off}, accumulated in double. */
    double sum(long off, int n) {
        double[] chunk = new double[Math.min(n, 2048)];
        double total = 0;
        for (int done = 0; done < n; done += chunk.length) {
            int k = Math.min(chunk.length, n - done);
            read(off + done, 1, chunk, 0, k);
            total += ChunkMath.sum(chunk, k);
        }
        return total;
    }

    /**
     * Reads a run into an array of the storage's own element type ({@code float[]} for
     * float32, {@code double[]} for float64), in bulk where the run is contiguous: how the
     * compiled elementwise programs ({@link ProgramKernel}) see their chunks.
     */
    void readOwn(long off, long stride, Object dst, int at, int n) {
        throw new UnsupportedOperationException("elementwise programs run on floating dtypes");
    }

    /** Writes a run from an array of the storage's own element type, the inverse of {@link #readOwn}. */
    void writeOwn(long off, long stride, Object src, int at, int n) {
        throw new UnsupportedOperationException("elementwise programs run on floating dtypes");
    }

    /**
     * A buffer over {@code n} elements from {@code off} whose element 0 is the first
     * ({@code FloatBuffer} for float32, {@code DoubleBuffer} for float64): how the compiled
     * programs that work in place see a contiguous tensor.
     */
    Object slice(long off, int n) {
        throw new UnsupportedOperationException("elementwise programs run on floating dtypes");
    }

    /** Bulk copy to and from Java arrays of the storage's own dtype. */
    abstract void toArray(long off, Object array, int at, int n);

    abstract void fromArray(Object array, int at, long off, int n);

    static final class F32 extends Access {
        final FloatBuffer b;

        F32(FloatBuffer b) {
            this.b = b;
        }

        @Override
        double sum(long off, int n) {
            // Bulk copies into an array, then array loops: the JIT compiles a reduction over a
            // buffer with per-element checks (measured 2.5 GB/s against 7 GB/s this way).
            float[] chunk = new float[Math.min(n, 2048)];
            double total = 0;
            for (int done = 0; done < n; done += chunk.length) {
                int k = Math.min(chunk.length, n - done);
                b.get((int) off + done, chunk, 0, k);
                double s0 = 0;
                double s1 = 0;
                double s2 = 0;
                double s3 = 0;
                int i = 0;
                for (; i + 3 < k; i += 4) {
                    s0 += chunk[i];
                    s1 += chunk[i + 1];
                    s2 += chunk[i + 2];
                    s3 += chunk[i + 3];
                }
                for (; i < k; i++) {
                    s0 += chunk[i];
                }
                total += (s0 + s1) + (s2 + s3);
            }
            return total;
        }

        @Override
        void read(long off, long stride, double[] dst, int at, int n) {
            int o = (int) off;
            if (stride == 1) {
                FloatBuffer run = b.slice(o, n);
                for (int i = 0; i < n; i++) {
                    dst[at + i] = run.get(i);
                }
            } else {
                int s = (int) stride;
                for (int i = 0; i < n; i++) {
                    dst[at + i] = b.get(o + i * s);
                }
            }
        }

        @Override
        void write(long off, long stride, double[] src, int at, int n) {
            int o = (int) off;
            if (stride == 1) {
                FloatBuffer run = b.slice(o, n);
                for (int i = 0; i < n; i++) {
                    run.put(i, (float) src[at + i]);
                }
            } else {
                int s = (int) stride;
                for (int i = 0; i < n; i++) {
                    b.put(o + i * s, (float) src[at + i]);
                }
            }
        }

        @Override
        void read(long off, long stride, long[] dst, int at, int n) {
            for (int i = 0; i < n; i++) {
                dst[at + i] = (long) b.get((int) (off + i * stride));
            }
        }

        @Override
        void write(long off, long stride, long[] src, int at, int n) {
            for (int i = 0; i < n; i++) {
                b.put((int) (off + i * stride), src[at + i]);
            }
        }

        @Override
        Object slice(long off, int n) {
            return b.slice((int) off, n);
        }

        @Override
        void readOwn(long off, long stride, Object dst, int at, int n) {
            float[] d = (float[]) dst;
            if (stride == 1) {
                b.get((int) off, d, at, n);
            } else {
                int o = (int) off;
                int s = (int) stride;
                for (int i = 0; i < n; i++) {
                    d[at + i] = b.get(o + i * s);
                }
            }
        }

        @Override
        void writeOwn(long off, long stride, Object src, int at, int n) {
            float[] d = (float[]) src;
            if (stride == 1) {
                b.put((int) off, d, at, n);
            } else {
                int o = (int) off;
                int s = (int) stride;
                for (int i = 0; i < n; i++) {
                    b.put(o + i * s, d[at + i]);
                }
            }
        }

        @Override
        void toArray(long off, Object array, int at, int n) {
            b.get((int) off, (float[]) array, at, n);
        }

        @Override
        void fromArray(Object array, int at, long off, int n) {
            b.put((int) off, (float[]) array, at, n);
        }
    }

    static final class F64 extends Access {
        final DoubleBuffer b;

        F64(DoubleBuffer b) {
            this.b = b;
        }

        @Override
        void read(long off, long stride, double[] dst, int at, int n) {
            if (stride == 1) {
                b.get((int) off, dst, at, n);
            } else {
                int o = (int) off;
                int s = (int) stride;
                for (int i = 0; i < n; i++) {
                    dst[at + i] = b.get(o + i * s);
                }
            }
        }

        @Override
        void write(long off, long stride, double[] src, int at, int n) {
            if (stride == 1) {
                b.put((int) off, src, at, n);
            } else {
                int o = (int) off;
                int s = (int) stride;
                for (int i = 0; i < n; i++) {
                    b.put(o + i * s, src[at + i]);
                }
            }
        }

        @Override
        void read(long off, long stride, long[] dst, int at, int n) {
            for (int i = 0; i < n; i++) {
                dst[at + i] = (long) b.get((int) (off + i * stride));
            }
        }

        @Override
        void write(long off, long stride, long[] src, int at, int n) {
            for (int i = 0; i < n; i++) {
                b.put((int) (off + i * stride), src[at + i]);
            }
        }

        @Override
        Object slice(long off, int n) {
            return b.slice((int) off, n);
        }

        @Override
        void readOwn(long off, long stride, Object dst, int at, int n) {
            read(off, stride, (double[]) dst, at, n);
        }

        @Override
        void writeOwn(long off, long stride, Object src, int at, int n) {
            write(off, stride, (double[]) src, at, n);
        }

        @Override
        void toArray(long off, Object array, int at, int n) {
            b.get((int) off, (double[]) array, at, n);
        }

        @Override
        void fromArray(Object array, int at, long off, int n) {
            b.put((int) off, (double[]) array, at, n);
        }
    }

    static final class I32 extends Access {
        final IntBuffer b;

        I32(IntBuffer b) {
            this.b = b;
        }

        @Override
        void read(long off, long stride, double[] dst, int at, int n) {
            for (int i = 0; i < n; i++) {
                dst[at + i] = b.get((int) (off + i * stride));
            }
        }

        @Override
        void write(long off, long stride, double[] src, int at, int n) {
            for (int i = 0; i < n; i++) {
                b.put((int) (off + i * stride), (int) src[at + i]);
            }
        }

        @Override
        void read(long off, long stride, long[] dst, int at, int n) {
            for (int i = 0; i < n; i++) {
                dst[at + i] = b.get((int) (off + i * stride));
            }
        }

        @Override
        void write(long off, long stride, long[] src, int at, int n) {
            for (int i = 0; i < n; i++) {
                b.put((int) (off + i * stride), (int) src[at + i]);
            }
        }

        @Override
        void toArray(long off, Object array, int at, int n) {
            b.get((int) off, (int[]) array, at, n);
        }

        @Override
        void fromArray(Object array, int at, long off, int n) {
            b.put((int) off, (int[]) array, at, n);
        }
    }

    static final class I64 extends Access {
        final LongBuffer b;

        I64(LongBuffer b) {
            this.b = b;
        }

        @Override
        void read(long off, long stride, double[] dst, int at, int n) {
            for (int i = 0; i < n; i++) {
                dst[at + i] = b.get((int) (off + i * stride));
            }
        }

        @Override
        void write(long off, long stride, double[] src, int at, int n) {
            for (int i = 0; i < n; i++) {
                b.put((int) (off + i * stride), (long) src[at + i]);
            }
        }

        @Override
        void read(long off, long stride, long[] dst, int at, int n) {
            for (int i = 0; i < n; i++) {
                dst[at + i] = b.get((int) (off + i * stride));
            }
        }

        @Override
        void write(long off, long stride, long[] src, int at, int n) {
            for (int i = 0; i < n; i++) {
                b.put((int) (off + i * stride), src[at + i]);
            }
        }

        @Override
        void toArray(long off, Object array, int at, int n) {
            b.get((int) off, (long[]) array, at, n);
        }

        @Override
        void fromArray(Object array, int at, long off, int n) {
            b.put((int) off, (long[]) array, at, n);
        }
    }
}
