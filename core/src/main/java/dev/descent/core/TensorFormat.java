package dev.descent.core;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Prints a tensor as nested brackets under a one-line header. Large tensors show the first
 * and last three entries of each long dimension, as NumPy does.
 */
final class TensorFormat {
    private static final int FULL_LIMIT = 1000;
    private static final int EDGE = 3;

    private TensorFormat() {
    }

    static String format(Tensor t) {
        StringBuilder sb = new StringBuilder("Tensor(").append(t.describe()).append(")\n");
        boolean summarise = t.numel() > FULL_LIMIT;
        int[] dims = t.shape().dims();
        boolean[] elided = new boolean[dims.length];
        List<Tensor> temps = new ArrayList<>();
        try {
            Tensor shown = t;
            for (int d = 0; d < dims.length; d++) {
                if (summarise && dims[d] > 2 * EDGE) {
                    elided[d] = true;
                    Tensor head = shown.narrow(d, 0, EDGE);
                    Tensor tail = shown.narrow(d, dims[d] - EDGE, EDGE);
                    temps.add(head);
                    temps.add(tail);
                    shown = Tensor.concat(List.of(head, tail), d);
                    temps.add(shown);
                }
            }
            double[] v = shown.toDoubleArray();
            boolean integral = !t.dtype().isFloating();
            appendNested(sb, v, shown.shape().dims(), elided, 0, new int[] {0}, integral, 0);
        } finally {
            temps.forEach(Tensor::close);
        }
        return sb.toString();
    }

    private static void appendNested(StringBuilder sb, double[] v, int[] dims, boolean[] elided, int d, int[] at,
            boolean integral, int indent) {
        if (d == dims.length) {
            double x = v[at[0]++];
            sb.append(integral ? String.valueOf((long) x) : String.format(Locale.ROOT, "%.6g", x));
            return;
        }
        sb.append('[');
        for (int i = 0; i < dims[d]; i++) {
            if (i > 0) {
                sb.append(d == dims.length - 1 ? ", " : ",\n" + " ".repeat(indent + 1));
            }
            if (elided[d] && i == EDGE) {
                sb.append(d == dims.length - 1 ? "..., " : "...,\n" + " ".repeat(indent + 1));
            }
            appendNested(sb, v, dims, elided, d + 1, at, integral, indent + 1);
        }
        sb.append(']');
    }
}
