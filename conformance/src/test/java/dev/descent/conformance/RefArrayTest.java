package dev.descent.conformance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.core.DType;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The reference itself, against values worked out by hand. */
class RefArrayTest {
    private static RefArray a(int[] shape, double... v) {
        return RefArray.of(shape, v);
    }

    private static void assertRef(RefArray got, int[] shape, double... values) {
        assertArrayEquals(shape, got.shape(), "shape");
        assertArrayEquals(values, got.data(), 1e-12, "values");
    }

    @Test
    void zipBroadcastsAColumnAgainstARow() {
        RefArray col = a(new int[] {2, 1}, 10, 20);
        RefArray row = a(new int[] {3}, 1, 2, 3);
        assertRef(RefArray.zip(col, row, Double::sum), new int[] {2, 3}, 11, 12, 13, 21, 22, 23);
    }

    @Test
    void broadcastShapesAlignsFromTheRightAndRejectsMismatches() {
        assertArrayEquals(new int[] {2, 3, 4}, RefArray.broadcastShapes(new int[] {3, 1}, new int[] {2, 1, 4}));
        assertArrayEquals(new int[] {0}, RefArray.broadcastShapes(new int[] {1}, new int[] {0}));
        assertNull(RefArray.broadcastShapes(new int[] {3}, new int[] {4}));
    }

    @Test
    void sumReducesTheGivenAxesWithOrWithoutKeepDim() {
        RefArray x = a(new int[] {2, 3}, 1, 2, 3, 4, 5, 6);
        assertRef(x.sum(new int[] {0}, false), new int[] {3}, 5, 7, 9);
        assertRef(x.sum(new int[] {-1}, true), new int[] {2, 1}, 6, 15);
        assertRef(x.sum(new int[] {}, false), new int[] {}, 21);
        assertRef(a(new int[] {3, 0}).sum(new int[] {1}, false), new int[] {3}, 0, 0, 0);
    }

    @Test
    void sumOfCompensatesWhereANaiveSumLosesEverything() {
        assertEquals(2, RefArray.sumOf(new double[] {1e16, 1, 1, -1e16}));
        assertEquals(Double.POSITIVE_INFINITY, RefArray.sumOf(new double[] {Double.POSITIVE_INFINITY, 1, -2}));
        assertTrue(Double.isNaN(RefArray.sumOf(new double[] {Double.NaN, 1})));
    }

    @Test
    void maxAndMinLetNaNWin() {
        RefArray x = a(new int[] {2, 2}, 1, Double.NaN, 3, -4);
        assertRef(x.max(new int[] {1}, false), new int[] {2}, Double.NaN, 3);
        assertRef(x.min(new int[] {1}, false), new int[] {2}, Double.NaN, -4);
    }

    @Test
    void argmaxAndArgminGiveTheFirstExtreme() {
        RefArray x = a(new int[] {2, 3}, 1, 3, 3, 0, 0, -1);
        assertRef(x.argmax(1, false), new int[] {2}, 1, 0);
        assertRef(x.argmin(1, true), new int[] {2, 1}, 0, 2);
        assertRef(x.argmax(0, false), new int[] {3}, 0, 0, 0);
    }

    @Test
    void varDividesBySizeMinusCorrection() {
        RefArray x = a(new int[] {4}, 1, 2, 3, 4);
        assertRef(x.var(new int[] {0}, 1, false), new int[] {}, 5.0 / 3);
        assertRef(x.var(new int[] {0}, 0, false), new int[] {}, 1.25);
        assertTrue(Double.isNaN(a(new int[] {1}, 7).var(new int[] {}, 1, false).flat(0)));
    }

    @Test
    void normsAreSumMaxAndEuclidean() {
        RefArray x = a(new int[] {2}, 3, -4);
        assertRef(x.norm(1, new int[] {}, false), new int[] {}, 7);
        assertRef(x.norm(2, new int[] {}, false), new int[] {}, 5);
        assertRef(x.norm(Double.POSITIVE_INFINITY, new int[] {}, false), new int[] {}, 4);
        assertRef(x.norm(3, new int[] {}, false), new int[] {}, Math.cbrt(91));
    }

    @Test
    void softmaxFamilyOnLogThree() {
        RefArray x = a(new int[] {2}, 0, Math.log(3));
        assertRef(x.softmax(0), new int[] {2}, 0.25, 0.75);
        assertRef(x.logSoftmax(0), new int[] {2}, Math.log(0.25), Math.log(0.75));
        assertRef(x.logsumexp(new int[] {}, false), new int[] {}, Math.log(4));
        assertRef(a(new int[] {2}, 1000, 1000).logsumexp(new int[] {}, false), new int[] {}, 1000 + Math.log(2));
        assertRef(a(new int[] {0}).logsumexp(new int[] {}, false), new int[] {}, Double.NEGATIVE_INFINITY);
    }

    @Test
    void matmulFollowsNumpyForMatricesVectorsAndBatches() {
        RefArray m = a(new int[] {2, 2}, 1, 2, 3, 4);
        RefArray n = a(new int[] {2, 2}, 5, 6, 7, 8);
        assertRef(RefArray.matmul(m, n), new int[] {2, 2}, 19, 22, 43, 50);
        assertRef(RefArray.matmul(a(new int[] {3}, 1, 2, 3), a(new int[] {3}, 4, 5, 6)), new int[] {}, 32);
        assertRef(RefArray.matmul(m, a(new int[] {2}, 1, 1)), new int[] {2}, 3, 7);
        assertRef(RefArray.matmul(a(new int[] {2}, 1, 1), m), new int[] {2}, 4, 6);
        RefArray batch = a(new int[] {2, 1, 2}, 1, 0, 0, 1);
        assertRef(RefArray.matmul(batch, m), new int[] {2, 1, 2}, 1, 2, 3, 4);
        assertRef(RefArray.matmul(a(new int[] {2, 0}), a(new int[] {0, 3})), new int[] {2, 3}, 0, 0, 0, 0, 0, 0);
    }

    @Test
    void viewsMoveElementsAsTheirDefinitionsSay() {
        RefArray x = RefArray.iota(2, 3);
        assertRef(x.transpose(0, 1), new int[] {3, 2}, 0, 3, 1, 4, 2, 5);
        assertRef(RefArray.iota(2, 3, 4).permute(2, 0, 1).select(0, 1), new int[] {2, 3}, 1, 5, 9, 13, 17, 21);
        assertRef(x.narrow(1, 1, 2), new int[] {2, 2}, 1, 2, 4, 5);
        assertRef(RefArray.iota(7).slice(0, 1, 8, 3), new int[] {2}, 1, 4);
        assertRef(RefArray.iota(7).slice(0, -100, 100, 2), new int[] {4}, 0, 2, 4, 6);
        assertRef(RefArray.iota(7).slice(0, 5, 2, 1), new int[] {0});
        assertRef(x.select(1, -1), new int[] {2}, 2, 5);
        assertRef(a(new int[] {2, 1}, 7, 8).expand(3, -1, 2), new int[] {3, 2, 2}, 7, 7, 8, 8, 7, 7, 8, 8, 7, 7, 8, 8);
        assertRef(x.unsqueeze(-1), new int[] {2, 3, 1}, 0, 1, 2, 3, 4, 5);
        assertRef(RefArray.iota(1, 3, 1).squeeze(), new int[] {3}, 0, 1, 2);
        assertRef(x.reshape(3, -1), new int[] {3, 2}, 0, 1, 2, 3, 4, 5);
    }

    @Test
    void concatAndStackJoinInOrder() {
        RefArray p = a(new int[] {1, 2}, 1, 2);
        RefArray q = a(new int[] {2, 2}, 3, 4, 5, 6);
        assertRef(RefArray.concat(List.of(p, q), 0), new int[] {3, 2}, 1, 2, 3, 4, 5, 6);
        RefArray r = a(new int[] {2}, 1, 2);
        RefArray s = a(new int[] {2}, 3, 4);
        assertRef(RefArray.stack(List.of(r, s), 0), new int[] {2, 2}, 1, 2, 3, 4);
        assertRef(RefArray.stack(List.of(r, s), -1), new int[] {2, 2}, 1, 3, 2, 4);
    }

    @Test
    void gatherAndIndexSelectPickTheIndexedEntries() {
        RefArray x = a(new int[] {2, 2}, 1, 2, 3, 4);
        // torch.gather's documented example.
        assertRef(x.gather(1, a(new int[] {2, 2}, 0, 0, 1, 0)), new int[] {2, 2}, 1, 1, 4, 3);
        assertRef(x.indexSelect(0, a(new int[] {3}, 1, 1, 0)), new int[] {3, 2}, 3, 4, 3, 4, 1, 2);
    }

    @Test
    void whereAndCastAndScatter() {
        RefArray cond = a(new int[] {3}, 0, -2, 0.5);
        assertRef(RefArray.where(cond, a(new int[] {}, 1), a(new int[] {3}, 7, 8, 9)), new int[] {3}, 7, 1, 1);
        assertRef(a(new int[] {3}, 2.7, -2.7, 0.1).cast(DType.INT32), new int[] {3}, 2, -2, 0);
        assertEquals((double) 0.1f, a(new int[] {1}, 0.1).cast(DType.FLOAT32).flat(0));
        assertRef(RefArray.full(0, 4).scatter(a(new int[] {2}, 3, 1), a(new int[] {2}, 5, 6)), new int[] {4}, 0, 6, 0,
                5);
    }
}
