package dev.descent.cuda;

import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.javacpp.PointerPointer;

/**
 * The arguments of one kernel launch, laid out as {@code cuLaunchKernel} wants them: each
 * value in a host buffer at its natural alignment, and an array of pointers to the values.
 * The driver copies them at launch, so one instance per thread is reused for every launch.
 */
final class KernelArgs {
    private static final int BYTES = 4096;
    private static final int MAX_ARGS = 64;
    private static final ThreadLocal<KernelArgs> PER_THREAD = ThreadLocal.withInitial(KernelArgs::new);

    private final BytePointer values = new BytePointer(BYTES);
    private final PointerPointer<?> pointers = new PointerPointer<>(MAX_ARGS);
    // The same memory as `pointers`, to store raw addresses into it.
    private final LongPointer addresses = new LongPointer(pointers);
    private final int[] sizes = new int[MAX_ARGS];
    private int used;
    private int count;

    /** This thread's instance, emptied. */
    static KernelArgs begin() {
        KernelArgs a = PER_THREAD.get();
        a.used = 0;
        a.count = 0;
        return a;
    }

    private long slot(int size) {
        used = (used + size - 1) / size * size;
        if (used + size > BYTES || count == MAX_ARGS) {
            throw new IllegalStateException("cuda: too many kernel arguments");
        }
        long at = used;
        sizes[count] = size;
        addresses.put(count++, values.address() + at);
        used += size;
        return at;
    }

    KernelArgs pointer(long deviceAddress) {
        values.putLong(slot(8), deviceAddress);
        return this;
    }

    KernelArgs i64(long v) {
        values.putLong(slot(8), v);
        return this;
    }

    KernelArgs i32(int v) {
        values.putInt(slot(4), v);
        return this;
    }

    KernelArgs f32(float v) {
        values.putFloat(slot(4), v);
        return this;
    }

    KernelArgs f64(double v) {
        values.putDouble(slot(8), v);
        return this;
    }

    /** A struct of int64 values, such as a {@link Geometry}. */
    KernelArgs longs(long[] v) {
        long at = slot(8);
        used += (v.length - 1) * 8;
        sizes[count - 1] = v.length * 8;
        if (used > BYTES) {
            throw new IllegalStateException("cuda: kernel arguments exceed " + BYTES + " bytes");
        }
        for (int i = 0; i < v.length; i++) {
            values.putLong(at + 8L * i, v[i]);
        }
        return this;
    }

    /** The size in bytes of each argument so far, in order (for checking against a kernel's signature). */
    int[] sizes() {
        return java.util.Arrays.copyOf(sizes, count);
    }

    /** The address of argument {@code i}'s value, as the launch passes it. */
    long valueAddress(int i) {
        return addresses.get(i);
    }

    BytePointer values() {
        return values;
    }

    /**
     * The {@code void**} array for {@code cuLaunchKernel}. (Its PointerPointer overload: the
     * Pointer overload is {@code @ByPtrPtr} and would pass the address of this address.)
     */
    PointerPointer<?> pointers() {
        return pointers;
    }
}
