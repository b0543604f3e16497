package dev.descent.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.core.DType;
import dev.descent.core.Scope;
import dev.descent.core.Tensor;
import org.junit.jupiter.api.Test;

/** Reading several scalars at once, and knowing when a tensor's memory is its own. */
class HostReadsTest {
    @Test
    void itemsReadsSeveralScalarsOfMixedDTypesTogether() {
        try (Scope scope = Scope.open()) {
            double[] v = Tensor.items(Tensor.scalar(1.5, DType.FLOAT32), Tensor.of(new long[] {7}, 1),
                    Tensor.scalar(-2.25, DType.FLOAT64), Tensor.of(new float[] {Float.NaN}, 1, 1));
            assertArrayEquals(new double[] {1.5, 7, -2.25, Double.NaN}, v);
            assertArrayEquals(new double[] {3}, Tensor.items(Tensor.scalar(3)));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Tensor.items(Tensor.scalar(1), Tensor.zeros(2)));
            assertEquals("items: expected one-element tensors, got shape [2] at 1", e.getMessage());
        }
    }

    @Test
    void aTensorOwnsItsMemoryAloneOnlyWithoutViewsOrOtherHandles() {
        try (Scope scope = Scope.open()) {
            Tensor t = Tensor.zeros(3, 4);
            assertTrue(t.ownsMemoryAlone());
            Tensor view = t.reshape(12);
            assertFalse(t.ownsMemoryAlone(), "a view shares it");
            assertFalse(view.ownsMemoryAlone());
            view.close();
            assertTrue(t.ownsMemoryAlone());
            Tensor row = t.narrow(0, 1, 1);
            t.close();
            assertFalse(row.ownsMemoryAlone(), "the only handle left, but a part of the memory");
            Tensor base = Tensor.zeros(3, 4);
            Tensor transposed = base.t();
            base.close();
            assertFalse(transposed.ownsMemoryAlone(), "the only handle on all of it, but not contiguous");
        }
    }
}
