package dev.descent.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** How launches are shaped on the host, before any kernel runs. */
class GeometryTest {

    private static long shapeAt(long[] encoded, int d) {
        return encoded[1 + d];
    }

    private static long strideAt(long[] encoded, int operand, int d) {
        return encoded[1 + Geometry.MAX_RANK + operand * Geometry.MAX_RANK + d];
    }

    @Test
    void contiguousOperandsMergeIntoOneDimension() {
        Geometry g = Geometry.of("add", new int[] {2, 3, 4}, new long[] {12, 4, 1}, new long[] {12, 4, 1});
        long[] e = g.encode();
        assertEquals(1, e[0]);
        assertEquals(24, shapeAt(e, 0));
        assertEquals(1, strideAt(e, 1, 0));
        assertEquals(24, g.numel());
    }

    @Test
    void aBroadcastRowKeepsTwoDimensionsWithStrideZero() {
        Geometry g = Geometry.of("add", new int[] {3, 4}, new long[] {4, 1}, new long[] {0, 1});
        long[] e = g.encode();
        assertEquals(2, e[0]);
        assertEquals(0, strideAt(e, 1, 0));
        assertEquals(1, strideAt(e, 1, 1));
    }

    @Test
    void sizeOneDimensionsAreDroppedAndAScalarIsOneElement() {
        Geometry g = Geometry.of("neg", new int[] {1, 5, 1}, new long[] {5, 1, 1}, new long[] {7, 2, 9});
        long[] e = g.encode();
        assertEquals(1, e[0]);
        assertEquals(5, shapeAt(e, 0));
        assertEquals(2, strideAt(e, 1, 0));
        Geometry scalar = Geometry.of("neg", new int[0], new long[0], new long[0]);
        assertEquals(1, scalar.numel());
        assertEquals(1, scalar.encode()[0]);
    }

    @Test
    void aTransposedOperandIsNotMerged() {
        Geometry g = Geometry.of("copy", new int[] {3, 4}, new long[] {4, 1}, new long[] {1, 3});
        assertEquals(2, g.rank());
        assertEquals(Geometry.LONGS, g.encode().length);
    }

    @Test
    void moreThanEightUnmergeableDimensionsAreACheckedError() {
        int[] shape = new int[9];
        long[] out = new long[9];
        long[] in = new long[9];
        long s = 1;
        for (int d = 8; d >= 0; d--) {
            shape[d] = 2;
            out[d] = s;
            s *= 2;
        }
        // Strides that never line up with the output's: every dimension stays separate.
        for (int d = 0; d < 9; d++) {
            in[d] = (long) Math.pow(3, 9 - d);
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Geometry.of("exp", shape, out, in));
        assertTrue(e.getMessage().startsWith("exp: "), e.getMessage());
    }

    @Test
    void fewLargeReductionsAreSplitIntoPartsOfAtLeastTheMinimumAndNoneEmpty() {
        assertEquals(1, ReductionKernels.partsFor(10_000, 1 << 20, 132), "enough outputs: no split");
        assertEquals(1, ReductionKernels.partsFor(1, 1000, 132), "too few values: no split");
        long parts = ReductionKernels.partsFor(1, 1 << 24, 132);
        assertEquals(4 * 132, parts);
        long inner = 3 * ReductionKernels.MIN_PART + 5;
        parts = ReductionKernels.partsFor(1, inner, 132);
        long chunk = (inner + parts - 1) / parts;
        assertTrue(chunk >= ReductionKernels.MIN_PART && (parts - 1) * chunk < inner, parts + " parts of " + chunk);
    }

    @Test
    void poolBlocksRoundTo512BytesBelowOneMebibyteAnd2MebibytesAbove() {
        assertEquals(512, DeviceMemoryPool.roundedSize(1));
        assertEquals(1024, DeviceMemoryPool.roundedSize(513));
        assertEquals(2L << 20, DeviceMemoryPool.roundedSize((1L << 20) + 1));
        assertEquals(4L << 20, DeviceMemoryPool.roundedSize((2L << 20) + 1));
        assertArrayEquals(new int[] {32, 32, 64, 256, 256},
                new int[] {ReductionKernels.blockFor(0), ReductionKernels.blockFor(32), ReductionKernels.blockFor(33),
                        ReductionKernels.blockFor(256), ReductionKernels.blockFor(1 << 20)});
    }
}
