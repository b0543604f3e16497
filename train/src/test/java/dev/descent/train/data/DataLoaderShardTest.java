package dev.descent.train.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.descent.core.DType;
import dev.descent.core.Generator;
import dev.descent.core.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A loader's shards: each rank a contiguous part of every batch, disjoint, together the batch, one seed. */
class DataLoaderShardTest {

    @Test
    void theRanksPartsOfEachBatchAreDisjointAndTogetherTheBatch() {
        try (Dataset data = GeneratedData.twoSpirals(50, 0.1, new Generator(1))) {   // 100 examples
            DataLoader whole = new DataLoader(data, 24, true, false, 9);
            int ranks = 3;
            List<DataLoader> shards = new ArrayList<>();
            for (int r = 0; r < ranks; r++) {
                shards.add(whole.shard(r, ranks));
            }
            for (int epoch = 0; epoch < 2; epoch++) {
                List<int[]> batches = whole.batchIndices(epoch);
                List<List<Batch>> parts = new ArrayList<>();
                for (DataLoader s : shards) {
                    List<Batch> p = new ArrayList<>();
                    s.epoch(epoch).forEach(p::add);
                    parts.add(p);
                    assertEquals(whole.batchesPerEpoch(), p.size());
                }
                for (int b = 0; b < batches.size(); b++) {
                    int[] joined = new int[0];
                    for (int r = 0; r < ranks; r++) {
                        Batch part = parts.get(r).get(b);
                        int m = batches.get(b).length;
                        assertEquals(m * (r + 1) / ranks - m * r / ranks, part.size(), "sizes differ by one at most");
                        joined = concat(joined, part.indices());
                    }
                    assertArrayEquals(batches.get(b), joined, "epoch " + epoch + ", batch " + b);
                    assertEquals(batches.get(b).length, whole.examplesInBatch(b));
                }
                parts.forEach(p -> p.forEach(Batch::close));
            }
            assertEquals(24, shards.get(1).batchSize(), "the batch size is the whole batch's");
            assertEquals(1, shards.get(1).shardRank());
            assertEquals(3, shards.get(1).shardCount());
        }
    }

    /** Augmented images: each rank's part of a batch is changed as in the whole batch (same crops, same flips). */
    @Test
    void theRanksAugmentedImagesAreThoseOfTheWholeBatch() {
        Generator gen = new Generator(4);
        try (Dataset images = Dataset.classification("images", Tensor.randn(gen, DType.FLOAT32, 30, 1, 6, 6),
                Tensor.of(new long[30], 30), 2)) {
            DataLoader whole = new DataLoader(images, 10, true, false, 5).augmented(new Augmentation(2, true, -1));
            int ranks = 3;
            for (Batch b : whole.epoch(1)) {
                try (b) {
                    float[] all = b.features().toFloatArray();
                    int per = all.length / 10;
                    for (int r = 0; r < ranks; r++) {
                        Batch part = whole.shard(r, ranks).epoch(1, b.number()).iterator().next();
                        try (part) {
                            int from = r * 10 / ranks;
                            int to = (r + 1) * 10 / ranks;
                            assertArrayEquals(Arrays.copyOfRange(all, from * per, to * per), part.features().toFloatArray(),
                                    "rank " + r + " of batch " + b.number());
                        }
                    }
                }
            }
        }
    }

    /** Batches drawn with replacement (a text's windows) are shared the same way, each batch whole. */
    @Test
    void batchesDrawnWithReplacementAreSharedToo() {
        try (Dataset data = GeneratedData.twoSpirals(5, 0.1, new Generator(1))) {   // 10 examples, batches of 16
            DataLoader whole = DataLoader.withReplacement(data, 16, 3, 9);
            assertEquals(16, whole.examplesInBatch(2));
            List<int[]> batches = whole.batchIndices(0);
            for (int r = 0; r < 2; r++) {
                int b = 0;
                for (Batch part : whole.shard(r, 2).epoch(0)) {
                    try (part) {
                        assertArrayEquals(Arrays.copyOfRange(batches.get(b), 8 * r, 8 * r + 8), part.indices());
                    }
                    b++;
                }
                assertEquals(3, b);
            }
        }
    }

    @Test
    void aBatchWithFewerExamplesThanRanksIsRefused() {
        try (Dataset data = GeneratedData.twoSpirals(25, 0.1, new Generator(1))) {   // 50 = 2 × 24 + 2
            DataLoader loader = new DataLoader(data, 24, true, false, 9);
            assertEquals("DataLoader.shard: the last batch of each epoch has 2 example(s) (50 mod 24), fewer than the 3 "
                    + "ranks: drop it (--drop-last) or choose a batch size that leaves each rank one", assertThrows(
                            IllegalArgumentException.class, () -> loader.shard(0, 3)).getMessage());
            assertEquals(3, new DataLoader(data, 24, true, true, 9).shard(2, 3).shardCount(), "dropped: fine");
            assertEquals("DataLoader.shard: a batch of 2 examples cannot be shared by 3 ranks: each needs at least one "
                    + "(the batch size is the whole batch, over every rank)", assertThrows(IllegalArgumentException.class,
                            () -> new DataLoader(data, 2, 9).shard(0, 3)).getMessage());
            assertEquals("DataLoader.shard: expected a rank from 0 to 2, got 3", assertThrows(
                    IllegalArgumentException.class, () -> loader.shard(3, 3)).getMessage());
        }
    }

    private static int[] concat(int[] a, int[] b) {
        int[] c = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }
}
