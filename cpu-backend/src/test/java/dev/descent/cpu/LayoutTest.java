package dev.descent.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class LayoutTest {
    @Test
    void contiguousOperandsMergeIntoOneRun() {
        Layout l = Layout.of(new int[] {2, 3, 4}, new long[] {12, 4, 1}, new long[] {12, 4, 1});
        assertArrayEquals(new int[] {24}, l.shape);
        assertArrayEquals(new long[] {1}, l.strides[1]);
    }

    @Test
    void broadcastOperandKeepsItsOwnDimensions() {
        // [2, 3] plus a broadcast row [3] (strides [0, 1]): the outer axis cannot merge.
        Layout l = Layout.of(new int[] {2, 3}, new long[] {3, 1}, new long[] {0, 1});
        assertArrayEquals(new int[] {2, 3}, l.shape);
        assertArrayEquals(new long[] {0, 1}, l.strides[1]);
    }

    @Test
    void sizeOneDimensionsDisappear() {
        Layout l = Layout.of(new int[] {1, 5, 1}, new long[] {99, 2, 77});
        assertArrayEquals(new int[] {5}, l.shape);
        assertArrayEquals(new long[] {2}, l.strides[0]);
    }

    @Test
    void scalarBecomesOneElementOfStrideZero() {
        Layout l = Layout.of(new int[0], new long[0]);
        assertArrayEquals(new int[] {1}, l.shape);
        assertEquals(1, l.numel);
    }

    @Test
    void cursorVisitsEveryOffsetOfATransposeInRowMajorOrder() {
        // The transpose of a contiguous [2, 3]: shape [3, 2], strides [1, 3].
        Layout l = Layout.of(new int[] {3, 2}, new long[] {1, 3});
        Layout.Cursor c = l.cursor(0, 10, 0);
        long[] seen = new long[6];
        for (int i = 0; i < 6; i++) {
            seen[i] = c.offset;
            c.advance(1);
        }
        assertArrayEquals(new long[] {10, 13, 11, 14, 12, 15}, seen);
    }

    @Test
    void cursorStartsAtAnyLinearIndex() {
        Layout l = Layout.of(new int[] {3, 2}, new long[] {1, 3});
        assertEquals(14, l.cursor(0, 10, 3).offset);
    }
}
