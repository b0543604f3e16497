package dev.descent.cpu;

/**
 * One SIMD loop of a float32 kernel, over up to four float arrays, an int array and a float
 * scalar; it returns a value where it computes one (a flag, a maximum, a sum), else 0.
 *
 * <p>Why this indirection: every loop of {@link FloatKernels} and {@link RowSoftmax} is a method of
 * its own, held in a field that is not final and run through the one call site of
 * {@link #call}, which sees many loops and so stays megamorphic: C2 then compiles each loop on its
 * own and never inlines it. Inlined into a kernel that also makes bulk copies, the same loops
 * often compile to scalar code, depending on the order in which methods get hot (measured on
 * JDK 17: log 3.8 ns an element inlined, 1.2 called; {@code -XX:CompileCommand=dontinline} gives
 * the same 1.2, and C2 inlines through a {@code MethodHandle} too). A call costs a few ns per
 * chunk of 512 elements.
 */
@FunctionalInterface
interface SimdLoop {
    float run(float[] a, float[] b, float[] c, float[] d, int[] i, float k, int n);

    static float call(SimdLoop loop, float[] a, float[] b, float[] c, float[] d, float k, int n) {
        return loop.run(a, b, c, d, null, k, n);
    }

    static float call(SimdLoop loop, int[] i, int n) {
        return loop.run(null, null, null, null, i, 0, n);
    }

    static void call(SimdLoop loop, float[] a, float[] b, int n) {
        call(loop, a, b, null, null, 0, n);
    }

    static void call(SimdLoop loop, float[] a, float[] b, float[] c, int n) {
        call(loop, a, b, c, null, 0, n);
    }
}
