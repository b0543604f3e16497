package dev.descent.core;

import java.util.Arrays;

/**
 * The one place where argument checks build their messages: {@code "op: what was wrong"}.
 * Public so that the layers above (autograd, nn, optim) report errors in the same form.
 */
public final class Check {
    private Check() {
    }

    /** An {@link IllegalArgumentException} whose message starts with the op's name. */
    public static IllegalArgumentException fail(String op, String format, Object... args) {
        return new IllegalArgumentException(op + ": " + String.format(format, args));
    }

    /** Throws {@link #fail} when {@code condition} is false. */
    public static void argument(boolean condition, String op, String format, Object... args) {
        if (!condition) {
            throw fail(op, format, args);
        }
    }

    /** Normalises an axis that may count from the end ({@code -1} is the last). */
    public static int axis(String op, int axis, int rank) {
        int r = Math.max(rank, 1);
        if (axis < -r || axis >= r) {
            throw fail(op, "axis %d is out of range for a tensor of rank %d (expected %d..%d)",
                    axis, rank, -r, r - 1);
        }
        return axis < 0 ? axis + r : axis;
    }

    /** Normalises a list of axes; an empty list means every axis. Duplicates are an error. */
    public static int[] axes(String op, int[] axes, int rank) {
        if (axes == null || axes.length == 0) {
            int[] all = new int[rank];
            for (int i = 0; i < rank; i++) {
                all[i] = i;
            }
            return all;
        }
        boolean[] seen = new boolean[Math.max(rank, 1)];
        int[] out = new int[axes.length];
        for (int i = 0; i < axes.length; i++) {
            int a = axis(op, axes[i], rank);
            if (seen[a]) {
                throw fail(op, "axis %d appears twice in %s", a, Arrays.toString(axes));
            }
            seen[a] = true;
            out[i] = a;
        }
        Arrays.sort(out);
        return rank == 0 ? new int[0] : out;
    }

    /** Both tensors must be of one dtype: promotion is always explicit. */
    public static void sameDType(String op, Tensor a, Tensor b) {
        if (a.dtype() != b.dtype()) {
            throw fail(op, "dtypes differ: %s and %s (convert one with .to(DType))", a.dtype(), b.dtype());
        }
    }

    /** Both tensors must live on one device. */
    public static void sameDevice(String op, Tensor a, Tensor b) {
        if (!a.device().equals(b.device())) {
            throw fail(op, "tensors are on different devices: %s and %s (move one with .to(Device))",
                    a.device(), b.device());
        }
    }

    /** The op needs a floating dtype. */
    public static void floating(String op, Tensor t) {
        if (!t.dtype().isFloating()) {
            throw fail(op, "expected a floating dtype (float32 or float64), got %s", t.dtype());
        }
    }
}
