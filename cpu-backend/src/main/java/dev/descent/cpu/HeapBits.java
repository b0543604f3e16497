package dev.descent.cpu;

import java.lang.reflect.Field;

/**
 * A float (or double) array element's bits, read and written in place: the kernels' reinterpretations
 * ({@link FloatKernels}), which C2 17 does not vectorise as {@code floatToRawIntBits} and
 * {@code intBitsToFloat} (0.21–0.25 ns an element, scalar). Through {@code sun.misc.Unsafe}'s
 * {@code getInt}/{@code putInt} on the float array, a loop of them is vectorised (measured on the
 * AMD EPYC (Zen 4), 512 elements in cache: the exp's scale from its reduction, 0.07 ns an element,
 * where copying the bits to an {@code int[]} and back through a direct buffer took 0.2). From
 * JDK 24 on, which warns on Unsafe's memory methods and will refuse them (JEP 471), or where
 * Unsafe cannot be had, the reinterpretations are Java's own: the same bits, slower.
 */
final class HeapBits {
    private static final sun.misc.Unsafe UNSAFE = find();
    /** Whether the reinterpretations go through Unsafe (a constant, so C2 drops the other path). */
    static final boolean UNSAFE_AVAILABLE = UNSAFE != null;
    private static final long BASE = UNSAFE_AVAILABLE ? sun.misc.Unsafe.ARRAY_FLOAT_BASE_OFFSET : 0;
    private static final long SCALE = UNSAFE_AVAILABLE ? sun.misc.Unsafe.ARRAY_FLOAT_INDEX_SCALE : 0;
    private static final long DOUBLE_BASE = UNSAFE_AVAILABLE ? sun.misc.Unsafe.ARRAY_DOUBLE_BASE_OFFSET : 0;

    private HeapBits() {
    }

    /** {@code floatToRawIntBits(a[i])}. */
    static int bits(float[] a, int i) {
        return UNSAFE_AVAILABLE ? UNSAFE.getInt(a, BASE + SCALE * i) : Float.floatToRawIntBits(a[i]);
    }

    /** {@code a[i] = intBitsToFloat(bits)}. */
    static void setBits(float[] a, int i, int bits) {
        if (UNSAFE_AVAILABLE) {
            UNSAFE.putInt(a, BASE + SCALE * i, bits);
        } else {
            a[i] = Float.intBitsToFloat(bits);
        }
    }

    /** {@code doubleToRawLongBits(a[i])}. */
    static long bits(double[] a, int i) {
        return UNSAFE_AVAILABLE ? UNSAFE.getLong(a, DOUBLE_BASE + 8L * i) : Double.doubleToRawLongBits(a[i]);
    }

    /** {@code a[i] = longBitsToDouble(bits)}. */
    static void setBits(double[] a, int i, long bits) {
        if (UNSAFE_AVAILABLE) {
            UNSAFE.putLong(a, DOUBLE_BASE + 8L * i, bits);
        } else {
            a[i] = Double.longBitsToDouble(bits);
        }
    }

    /**
     * {@code dst[i] = floatToRawIntBits(src[i])} for i below n, by one heap-to-heap copy (C2's
     * arraycopy stub, 0.04 ns an element): for the loops that only read bits and reduce them to a
     * flag, which C2 17 vectorises over an {@code int[]} but, reading a {@code float[]} through
     * Unsafe, only in some compilations (measured 0.02 and 0.45 ns an element for the same loop).
     */
    static void copyBits(float[] src, int[] dst, int n) {
        if (UNSAFE_AVAILABLE) {
            UNSAFE.copyMemory(src, BASE, dst, sun.misc.Unsafe.ARRAY_INT_BASE_OFFSET, SCALE * n);
        } else {
            for (int i = 0; i < n; i++) {
                dst[i] = Float.floatToRawIntBits(src[i]);
            }
        }
    }

    private static sun.misc.Unsafe find() {
        if (Runtime.version().feature() >= 24) {
            return null;
        }
        try {
            Field f = sun.misc.Unsafe.class.getDeclaredField("theUnsafe");
            f.setAccessible(true);
            sun.misc.Unsafe u = (sun.misc.Unsafe) f.get(null);
            float[] probe = {-0.0f};
            return u.getInt(probe, (long) sun.misc.Unsafe.ARRAY_FLOAT_BASE_OFFSET) == Integer.MIN_VALUE ? u : null;
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            return null;
        }
    }
}
