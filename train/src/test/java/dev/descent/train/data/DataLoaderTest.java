package dev.descent.train.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.descent.core.DType;
import dev.descent.core.Device;
import dev.descent.core.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class DataLoaderTest {
    private static final int N = 10;
    private Dataset data;

    /** Example i has features [i, 10 i] and label i mod 3, so a batch shows which rows it holds. */
    @BeforeEach
    void makeData() {
        double[] x = new double[2 * N];
        int[] y = new int[N];
        for (int i = 0; i < N; i++) {
            x[2 * i] = i;
            x[2 * i + 1] = 10 * i;
            y[i] = i % 3;
        }
        data = Dataset.classification("rows", Tensor.of(Device.cpu(), DType.FLOAT32, x, N, 2), Tensor.of(y, N), 3);
    }

    @AfterEach
    void free() {
        data.close();
    }

    @ParameterizedTest(name = "m = {0}, dropLast = {1}")
    @CsvSource({"1, false", "3, false", "3, true", "4, false", "4, true", "10, false", "10, true", "7, true"})
    void batchesOfAnEpochPartitionTheDataset(int m, boolean dropLast) {
        DataLoader loader = new DataLoader(data, m, true, dropLast, 42);
        for (int epoch = 0; epoch < 3; epoch++) {
            List<Integer> seen = new ArrayList<>();
            int batches = 0;
            for (Batch b : loader.epoch(epoch)) {
                try (b) {
                    batches++;
                    boolean last = batches == loader.batchesPerEpoch();
                    int expectedSize = last && !dropLast && N % m != 0 ? N % m : m;
                    assertEquals(expectedSize, b.size(), "size of batch " + b.number());
                    float[] f = b.features().toFloatArray();
                    int[] labels = b.targets().toIntArray();
                    for (int k = 0; k < b.size(); k++) {
                        int row = b.indices()[k];
                        assertEquals(row, f[2 * k], "first feature of row " + row);
                        assertEquals(10 * row, f[2 * k + 1], "second feature of row " + row);
                        assertEquals(row % 3, labels[k], "label of row " + row);
                        seen.add(row);
                    }
                }
            }
            int expectedBatches = dropLast ? N / m : (N + m - 1) / m;
            assertEquals(expectedBatches, batches);
            assertEquals(expectedBatches, loader.batchesPerEpoch());
            int expectedSeen = dropLast ? (N / m) * m : N;
            assertEquals(expectedSeen, seen.size(), "examples in epoch " + epoch);
            assertEquals(expectedSeen, seen.stream().distinct().count(), "no example twice in epoch " + epoch);
            if (!dropLast) {
                assertEquals(List.of(0, 1, 2, 3, 4, 5, 6, 7, 8, 9), seen.stream().sorted().toList());
            }
        }
    }

    @Test
    void eachEpochHasItsOwnOrderAndTheSeedRepeatsIt() {
        DataLoader a = new DataLoader(data, 3, 7);
        DataLoader b = new DataLoader(data, 3, 7);
        DataLoader other = new DataLoader(data, 3, 8);
        assertArrayEquals(a.order(0), b.order(0));
        assertArrayEquals(a.order(5), b.order(5));
        assertFalse(Arrays.equals(a.order(0), a.order(1)), "epochs 0 and 1 have the same order");
        assertFalse(Arrays.equals(a.order(1), a.order(2)), "epochs 1 and 2 have the same order");
        assertFalse(Arrays.equals(a.order(0), other.order(0)), "seeds 7 and 8 give the same order");
        int[] sorted = a.order(3).clone();
        Arrays.sort(sorted);
        assertArrayEquals(new int[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, sorted, "an order is a permutation");
    }

    @Test
    void anEpochFromALaterBatchYieldsTheSameBatchesAsTheWholeEpochFromThere() {
        DataLoader loader = new DataLoader(data, 3, 7);
        List<int[]> all = loader.batchIndices(2);
        int number = 2;
        for (Batch b : loader.epoch(2, 2)) {
            try (b) {
                assertEquals(number, b.number());
                assertArrayEquals(all.get(number), b.indices(), "batch " + number);
                number++;
            }
        }
        assertEquals(loader.batchesPerEpoch(), number);
        assertFalse(loader.epoch(2, loader.batchesPerEpoch()).iterator().hasNext(), "nothing after the last batch");
        assertThrows(IllegalArgumentException.class, () -> loader.epoch(2, loader.batchesPerEpoch() + 1));
    }

    @Test
    void withoutShufflingEveryEpochVisitsTheDatasetInOrder() {
        DataLoader loader = new DataLoader(data, 4, false, false, 1);
        List<int[]> batches = loader.batchIndices(3);
        assertArrayEquals(new int[] {0, 1, 2, 3}, batches.get(0));
        assertArrayEquals(new int[] {4, 5, 6, 7}, batches.get(1));
        assertArrayEquals(new int[] {8, 9}, batches.get(2));
    }

    @Test
    void fullBatchIsOneBatchOfEverything() {
        DataLoader gd = new DataLoader(data, N, false, false, 0);
        assertEquals(1, gd.batchesPerEpoch());
        assertEquals(N, gd.examplesPerEpoch());
    }

    @Test
    void aBatchSizeOutsideOneToNIsRefusedWithTheRange() {
        IllegalArgumentException zero = assertThrows(IllegalArgumentException.class, () -> new DataLoader(data, 0, 1));
        assertTrue(zero.getMessage().contains("from 1 to 10") && zero.getMessage().contains("got 0"), zero.getMessage());
        IllegalArgumentException big = assertThrows(IllegalArgumentException.class, () -> new DataLoader(data, 11, 1));
        assertTrue(big.getMessage().contains("got 11"), big.getMessage());
    }
}
