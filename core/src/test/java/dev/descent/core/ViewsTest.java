package dev.descent.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

class ViewsTest {
    @Test
    void contiguousTensorReshapesToAnyShape() {
        assertArrayEquals(new long[] {4, 1}, Views.reshapeStrides(new int[] {2, 3, 4}, new long[] {12, 4, 1}, new int[] {6, 4}));
        assertArrayEquals(new long[] {12, 6, 2, 1},
                Views.reshapeStrides(new int[] {2, 12}, new long[] {12, 1}, new int[] {2, 2, 3, 2}));
    }

    @Test
    void transposedMatrixCannotBeFlattenedWithoutACopy() {
        // The transpose of a contiguous [2, 3] matrix: shape [3, 2], strides [1, 3].
        assertNull(Views.reshapeStrides(new int[] {3, 2}, new long[] {1, 3}, new int[] {6}));
    }

    @Test
    void splittingAStridedDimensionKeepsItsStride() {
        // Every other column of a [4, 8] matrix: shape [4, 4], strides [8, 2].
        assertArrayEquals(new long[] {8, 4, 2}, Views.reshapeStrides(new int[] {4, 4}, new long[] {8, 2}, new int[] {4, 2, 2}));
    }

    @Test
    void sizeOneDimensionsMayBeAddedAnywhere() {
        assertArrayEquals(new long[] {3, 3, 1, 1},
                Views.reshapeStrides(new int[] {2, 3}, new long[] {3, 1}, new int[] {2, 1, 3, 1}));
    }

    @Test
    void broadcastStridesAreZeroWhereElementsRepeat() {
        assertArrayEquals(new long[] {0, 0, 1}, Views.broadcastStrides(new int[] {1, 5}, new long[] {5, 1}, new int[] {4, 3, 5}));
    }
}
