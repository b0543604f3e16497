package dev.descent.cuda;

import dev.descent.core.DType;
import dev.descent.core.spi.BinaryOp;
import dev.descent.core.spi.StridedView;
import dev.descent.core.spi.UnaryOp;

/**
 * Launches the kernels of {@code native/cuda/elementwise.cu}: every op over strided views,
 * inputs broadcast with stride 0, output first in the {@link Geometry}. Kernel names end in
 * the dtype's suffix ({@code unary_f32}); op codes are the SPI enums' ordinals.
 */
final class ElementwiseKernels {
    private static final String FILE = "elementwise.cu";

    private final KernelLauncher launcher;

    ElementwiseKernels(KernelLauncher launcher) {
        this.launcher = launcher;
    }

    /** {@code f32}, {@code f64}, {@code i32} or {@code i64}: how kernel names spell a dtype. */
    static String suffix(DType dtype) {
        return switch (dtype) {
            case FLOAT32 -> "f32";
            case FLOAT64 -> "f64";
            case INT32 -> "i32";
            case INT64 -> "i64";
        };
    }

    static long address(StridedView v) {
        return ((DeviceAddressed) v.storage()).address(v.offset());
    }

    void unary(UnaryOp op, StridedView x, StridedView out) {
        Geometry g = Geometry.of(op.label(), out.shape(), out.strides(), x.strides());
        if (g.numel() == 0) {
            return;
        }
        KernelArgs args = KernelArgs.begin().longs(g.encode()).i64(g.numel()).i32(op.ordinal())
                .pointer(address(out)).pointer(address(x));
        launcher.launch(op.label(), FILE, "unary_" + suffix(out.dtype()), g.numel(), args);
    }

    void binary(BinaryOp op, StridedView a, StridedView b, StridedView out) {
        Geometry g = Geometry.of(op.label(), out.shape(), out.strides(), a.strides(), b.strides());
        if (g.numel() == 0) {
            return;
        }
        KernelArgs args = KernelArgs.begin().longs(g.encode()).i64(g.numel()).i32(op.ordinal())
                .pointer(address(out)).pointer(address(a)).pointer(address(b));
        launcher.launch(op.label(), FILE, "binary_" + suffix(out.dtype()), g.numel(), args);
    }

    void binaryScalar(BinaryOp op, StridedView a, double scalar, StridedView out) {
        Geometry g = Geometry.of(op.label(), out.shape(), out.strides(), a.strides());
        if (g.numel() == 0) {
            return;
        }
        KernelArgs args = KernelArgs.begin().longs(g.encode()).i64(g.numel()).i32(op.ordinal())
                .pointer(address(out)).pointer(address(a));
        // The scalar takes the kernel's arithmetic type: float32 rounds it once, integers
        // truncate it to int64 (as the CPU backend's (long) cast).
        switch (out.dtype()) {
            case FLOAT32 -> args.f32((float) scalar);
            case FLOAT64 -> args.f64(scalar);
            case INT32, INT64 -> args.i64((long) scalar);
        }
        launcher.launch(op.label(), FILE, "binary_scalar_" + suffix(out.dtype()), g.numel(), args);
    }

    void fill(StridedView dst, double value) {
        Geometry g = Geometry.of("fill", dst.shape(), dst.strides());
        if (g.numel() == 0) {
            return;
        }
        KernelArgs args = KernelArgs.begin().longs(g.encode()).i64(g.numel()).pointer(address(dst));
        switch (dst.dtype()) {
            case FLOAT32 -> args.f32((float) value);
            case FLOAT64 -> args.f64(value);
            case INT32 -> args.i32((int) (long) value);
            case INT64 -> args.i64((long) value);
        }
        launcher.launch("fill", FILE, "fill_" + suffix(dst.dtype()), g.numel(), args);
    }

    void copy(StridedView src, StridedView dst) {
        Geometry g = Geometry.of("copy", dst.shape(), dst.strides(), src.strides());
        if (g.numel() == 0) {
            return;
        }
        KernelArgs args = KernelArgs.begin().longs(g.encode()).i64(g.numel()).pointer(address(dst)).pointer(address(src));
        launcher.launch("copy", FILE, "copy_" + suffix(src.dtype()) + "_" + suffix(dst.dtype()), g.numel(), args);
    }

    void where(StridedView cond, StridedView a, StridedView b, StridedView out) {
        Geometry g = Geometry.of("where", out.shape(), out.strides(), cond.strides(), a.strides(), b.strides());
        if (g.numel() == 0) {
            return;
        }
        KernelArgs args = KernelArgs.begin().longs(g.encode()).i64(g.numel()).pointer(address(out))
                .pointer(address(cond)).i32(cond.dtype().ordinal()).pointer(address(a)).pointer(address(b));
        launcher.launch("where", FILE, "where_" + suffix(out.dtype()), g.numel(), args);
    }

    void addScaled(StridedView x, double alpha, StridedView y) {
        Geometry g = Geometry.of("addScaled", y.shape(), y.strides(), x.strides());
        if (g.numel() == 0) {
            return;
        }
        KernelArgs args = KernelArgs.begin().longs(g.encode()).i64(g.numel()).pointer(address(y)).pointer(address(x))
                .f64(alpha);
        launcher.launch("addScaled", FILE, "add_scaled_" + suffix(y.dtype()), g.numel(), args);
    }
}
