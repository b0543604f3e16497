package dev.descent.conformance.autograd;

import dev.descent.conformance.GradDomain;
import dev.descent.core.DType;
import dev.descent.core.Device;
import dev.descent.core.Generator;
import dev.descent.core.Tensor;

/**
 * One input of a gradient case: its shape and where its random values come from ({@link GradDomain}).
 *
 * @param shape the input's shape
 * @param domain where its values come from
 */
record GradInput(int[] shape, GradDomain domain) {

    static GradInput any(int... shape) {
        return new GradInput(shape, GradDomain.ANY);
    }

    static GradInput positive(int... shape) {
        return new GradInput(shape, GradDomain.POSITIVE);
    }

    static GradInput awayFromZero(int... shape) {
        return new GradInput(shape, GradDomain.AWAY_FROM_ZERO);
    }

    int numel() {
        int n = 1;
        for (int d : shape) {
            n *= d;
        }
        return n;
    }

    /**
     * A float64 tensor of random values. Non-contiguous: for rank >= 2 a view with every axis
     * reversed over a row-major storage (a transpose); for rank 1 every second element of a
     * storage twice as long; a scalar stays contiguous.
     */
    Tensor make(Device device, Generator gen, boolean contiguous) {
        int n = numel();
        if (contiguous || shape.length == 0) {
            return filled(device, gen, shape);
        }
        if (shape.length == 1) {
            try (Tensor base = filled(device, gen, 2 * n)) {
                return base.slice(0, 0, 2 * n, 2);
            }
        }
        int[] reversed = new int[shape.length];
        int[] order = new int[shape.length];
        for (int i = 0; i < shape.length; i++) {
            reversed[i] = shape[shape.length - 1 - i];
            order[i] = shape.length - 1 - i;
        }
        try (Tensor base = filled(device, gen, reversed)) {
            return base.permute(order);
        }
    }

    private Tensor filled(Device device, Generator gen, int... dims) {
        int n = 1;
        for (int d : dims) {
            n *= d;
        }
        double[] values = new double[n];
        for (int i = 0; i < n; i++) {
            values[i] = domain.draw(gen);
        }
        try (Tensor flat = Tensor.of(device, DType.FLOAT64, values, n)) {
            return flat.reshape(dims);
        }
    }
}
