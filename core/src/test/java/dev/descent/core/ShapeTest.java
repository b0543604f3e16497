package dev.descent.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ShapeTest {
    @Test
    void scalarHasRankZeroAndOneElement() {
        assertEquals(0, Shape.scalar().rank());
        assertEquals(1, Shape.scalar().numel());
    }

    @Test
    void emptyDimensionMeansNoElements() {
        assertEquals(0, Shape.of(3, 0, 2).numel());
    }

    @Test
    void negativeSizeIsRejectedWithTheShapeInTheMessage() {
        var e = assertThrows(IllegalArgumentException.class, () -> Shape.of(2, -1));
        assertTrue(e.getMessage().contains("[2, -1]"), e.getMessage());
    }

    @Test
    void broadcastingAlignsFromTheRight() {
        assertEquals(Shape.of(4, 3, 5), Shape.broadcast("op", Shape.of(3, 1), Shape.of(4, 1, 5)));
        assertEquals(Shape.of(2, 3), Shape.broadcast("op", Shape.scalar(), Shape.of(2, 3)));
        assertEquals(Shape.of(0, 3), Shape.broadcast("op", Shape.of(0, 1), Shape.of(1, 3)));
    }

    @Test
    void incompatibleSizesNameTheOpAndBothShapes() {
        var e = assertThrows(IllegalArgumentException.class, () -> Shape.broadcast("add", Shape.of(2, 3), Shape.of(4)));
        assertTrue(e.getMessage().startsWith("add: shapes [2, 3] and [4] do not broadcast"), e.getMessage());
    }

    @Test
    void broadcastsToIsOneDirectional() {
        assertTrue(Shape.of(3).broadcastsTo(Shape.of(2, 3)));
        assertFalse(Shape.of(2, 3).broadcastsTo(Shape.of(3)));
        assertFalse(Shape.of(2).broadcastsTo(Shape.of(2, 3)));
    }

    @Test
    void contiguousStridesAreRowMajor() {
        assertArrayEquals(new long[] {12, 4, 1}, Shape.of(2, 3, 4).contiguousStrides());
    }

    @Test
    void negativeAxisCountsFromTheEnd() {
        assertEquals(4, Shape.of(2, 3, 4).dim(-1));
        var e = assertThrows(IllegalArgumentException.class, () -> Shape.of(2, 3).dim(2));
        assertTrue(e.getMessage().contains("axis 2 is out of range for a tensor of rank 2"), e.getMessage());
    }
}
