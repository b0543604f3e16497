package dev.descent.train.data;

import dev.descent.core.Check;
import dev.descent.core.Generator;
import dev.descent.core.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * Cuts a {@link Dataset} into batches, epoch after epoch (seed 000: full-batch gradient descent,
 * mini-batch and stochastic gradient descent differ only in the batch size m; seed 001: shuffle
 * every epoch).
 *
 * <ul>
 *   <li>m = 1 is SGD, m = N full-batch GD; anything between is mini-batch descent.</li>
 *   <li>Within an epoch the batches are drawn without repetition: together they hold every
 *       example exactly once (or every example but the last {@code N mod m} when the last
 *       smaller batch is dropped).</li>
 *   <li>When shuffling, each epoch has its own order: a permutation drawn from a
 *       {@link Generator} seeded with ({@code seed}, epoch). The order of epoch e is therefore a
 *       function of the seed and e alone: the same seed repeats it, another epoch differs, and a
 *       run resumed at epoch e sees the order an uninterrupted run would, with no state to save.</li>
 *   <li>Without shuffling the order is 0, 1, ..., N−1 in every epoch.</li>
 *   <li>{@link #withReplacement} draws each batch's examples uniformly with replacement, a fixed
 *       number of batches per epoch, seeded as the shuffles are (a language model's random windows
 *       of a text).</li>
 * </ul>
 *
 * <p>Each {@link Batch} is a pair of new tensors (gathered on the dataset's device) that the
 * caller closes, or that a {@code Scope} open around the step frees.
 *
 * <p><b>Shards.</b> For data-parallel training, {@link #shard(int, int)} gives rank r of n the
 * loader that yields its part of every batch: of a batch of m examples (this loader's batch, in
 * this loader's order, drawn with the one seed), the contiguous run from ⌊r·m/n⌋ to ⌊(r+1)·m/n⌋.
 * The ranks' parts of an epoch are disjoint and together hold the epoch; the ranks' parts of a
 * batch together are the batch a single process takes, so n ranks train as one process with
 * batch m does (up to the order of the sums).
 */
public final class DataLoader {
    private static final long EPOCH_MIX = 0x9E3779B97F4A7C15L;
    private static final long BATCH_MIX = 0xC2B2AE3D27D4EB4FL;
    private final Dataset data;
    private final int batchSize;
    private final boolean shuffle;
    private final boolean dropLast;
    private final long seed;
    /** Batches per epoch drawn with replacement; 0 when the epoch partitions the set. */
    private final int sampledBatches;
    private final Augmentation augmentation;
    private final int shardRank;
    private final int shardCount;

    /**
     * @param batchSize m, from 1 to the dataset's size
     * @param shuffle a fresh permutation each epoch (otherwise the dataset's order)
     * @param dropLast drop the last batch of an epoch when it is smaller than m
     * @param seed fixes the permutations
     */
    public DataLoader(Dataset data, int batchSize, boolean shuffle, boolean dropLast, long seed) {
        this(data, batchSize, shuffle, dropLast, seed, 0, Augmentation.NONE, 0, 1);
    }

    private DataLoader(Dataset data, int batchSize, boolean shuffle, boolean dropLast, long seed, int sampledBatches,
            Augmentation augmentation, int shardRank, int shardCount) {
        Check.argument(data != null, "DataLoader", "expected a dataset, got null");
        Check.argument(data.size() > 0, "DataLoader", "the dataset '%s' is empty", data.name());
        if (sampledBatches == 0) {   // a partition of the set
            Check.argument(batchSize >= 1 && batchSize <= data.size(), "DataLoader",
                    "expected a batch size from 1 to %d (the size of '%s'), got %d", data.size(), data.name(), batchSize);
        }
        Check.argument(batchSize >= 1, "DataLoader", "expected a batch size of at least 1, got %d", batchSize);
        Check.argument((long) batchSize * sampledBatches <= Integer.MAX_VALUE, "DataLoader",
                "%d batches of %d are more examples than an epoch can hold", sampledBatches, batchSize);
        this.data = data;
        this.batchSize = batchSize;
        this.shuffle = shuffle;
        this.dropLast = dropLast;
        this.seed = seed;
        this.sampledBatches = sampledBatches;
        this.augmentation = augmentation;
        this.shardRank = shardRank;
        this.shardCount = shardCount;
    }

    /**
     * Batches of {@code batchSize} examples drawn uniformly <em>with replacement</em>,
     * {@code batchesPerEpoch} of them per epoch (an "epoch" is then a fixed number of steps, not a
     * pass over the set: what a language model's random windows of a text need). Epoch e's draws
     * come from a generator seeded by ({@code seed}, e), as the shuffles do, so they repeat per
     * seed and need no state to resume. The batch size may exceed the set's size.
     */
    public static DataLoader withReplacement(Dataset data, int batchSize, int batchesPerEpoch, long seed) {
        Check.argument(batchesPerEpoch >= 1, "DataLoader", "expected at least 1 batch per epoch, got %d",
                batchesPerEpoch);
        return new DataLoader(data, batchSize, true, true, seed, batchesPerEpoch, Augmentation.NONE, 0, 1);
    }

    /** Whether batches are drawn with replacement ({@link #withReplacement}). */
    public boolean samplesWithReplacement() {
        return sampledBatches > 0;
    }

    /**
     * This loader with every batch's images changed by {@code augmentation}, drawn from a generator
     * seeded by (seed, epoch, batch number): the same run sees the same images, resumed or not.
     * The dataset's images must be {@code [N, C, H, W]}.
     */
    public DataLoader augmented(Augmentation augmentation) {
        Check.argument(augmentation != null, "DataLoader.augmented", "expected an augmentation, got null");
        Check.argument(augmentation.isNone() || data.featureShape().length == 3, "DataLoader.augmented",
                "augmentation %s needs images [C, H, W], but '%s' has features %s", augmentation, data.name(),
                java.util.Arrays.toString(data.featureShape()));
        return new DataLoader(data, batchSize, shuffle, dropLast, seed, sampledBatches, augmentation, shardRank, shardCount);
    }

    public Augmentation augmentation() {
        return augmentation;
    }

    /**
     * Rank {@code rank}'s part of every batch when {@code ranks} processes share them (see the
     * class comment); batch sizes, counts and the order stay this loader's.
     *
     * @throws IllegalArgumentException when a batch (the last smaller one, say) has fewer
     *     examples than ranks, so that some rank would get none
     */
    public DataLoader shard(int rank, int ranks) {
        String op = "DataLoader.shard";
        Check.argument(shardCount == 1, op, "this loader is already rank %d of %d's shard", shardRank, shardCount);
        Check.argument(ranks >= 1 && rank >= 0 && rank < ranks, op, "expected a rank from 0 to %d, got %d", ranks - 1,
                rank);
        Check.argument(batchSize >= ranks, op, "a batch of %d examples cannot be shared by %d ranks: each needs at "
                + "least one (the batch size is the whole batch, over every rank)", batchSize, ranks);
        int last = examplesInBatch(batchesPerEpoch() - 1);
        Check.argument(last >= ranks, op, "the last batch of each epoch has %d example(s) (%d mod %d), fewer than the "
                + "%d ranks: drop it (--drop-last) or choose a batch size that leaves each rank one", last, data.size(),
                batchSize, ranks);
        return new DataLoader(data, batchSize, shuffle, dropLast, seed, sampledBatches, augmentation, rank, ranks);
    }

    /** This loader's rank among those sharing its batches (0 when unshared). */
    public int shardRank() {
        return shardRank;
    }

    /** How many ranks share its batches (1 when unshared). */
    public int shardCount() {
        return shardCount;
    }

    /** The examples in batch {@code number} (from 0) of an epoch, over every shard. */
    public int examplesInBatch(int number) {
        Check.argument(number >= 0 && number < batchesPerEpoch(), "DataLoader.examplesInBatch",
                "expected a batch from 0 to %d, got %d", batchesPerEpoch() - 1, number);
        return sampledBatches > 0 ? batchSize : Math.min(batchSize, data.size() - number * batchSize);
    }

    /** Shuffled each epoch, keeping the last smaller batch. */
    public DataLoader(Dataset data, int batchSize, long seed) {
        this(data, batchSize, true, false, seed);
    }

    public Dataset dataset() {
        return data;
    }

    public int batchSize() {
        return batchSize;
    }

    public boolean shuffles() {
        return shuffle;
    }

    public boolean dropsLast() {
        return dropLast;
    }

    public long seed() {
        return seed;
    }

    /** Batches in one epoch: ⌈N/m⌉, or ⌊N/m⌋ when the last smaller batch is dropped (the same for every shard). */
    public int batchesPerEpoch() {
        if (sampledBatches > 0) {
            return sampledBatches;
        }
        int n = data.size();
        return dropLast ? n / batchSize : (n + batchSize - 1) / batchSize;
    }

    /** Examples seen in one epoch, over every shard. */
    public int examplesPerEpoch() {
        return dropLast || sampledBatches > 0 ? batchesPerEpoch() * batchSize : data.size();
    }

    /** The order in which epoch {@code epoch} visits the examples (with replacement: its draws). */
    public int[] order(int epoch) {
        Check.argument(epoch >= 0, "DataLoader.order", "expected an epoch >= 0, got %d", epoch);
        if (sampledBatches > 0) {
            Generator g = new Generator(seed ^ (EPOCH_MIX * (epoch + 1L)));
            int[] draws = new int[sampledBatches * batchSize];
            for (int i = 0; i < draws.length; i++) {
                draws[i] = g.nextInt(data.size());
            }
            return draws;
        }
        if (!shuffle) {
            int[] identity = new int[data.size()];
            for (int i = 0; i < identity.length; i++) {
                identity[i] = i;
            }
            return identity;
        }
        return new Generator(seed ^ (EPOCH_MIX * (epoch + 1L))).permutation(data.size());
    }

    /** The example indices of every batch of epoch {@code epoch}, in order. */
    public List<int[]> batchIndices(int epoch) {
        int[] order = order(epoch);
        List<int[]> out = new ArrayList<>(batchesPerEpoch());
        for (int b = 0; b < batchesPerEpoch(); b++) {
            int start = b * batchSize;
            int end = Math.min(start + batchSize, order.length);
            int[] idx = new int[end - start];
            System.arraycopy(order, start, idx, 0, idx.length);
            out.add(idx);
        }
        return out;
    }

    /** The batches of epoch {@code epoch} (this shard's part of each), each made when the iterator reaches it. */
    public Iterable<Batch> epoch(int epoch) {
        return epoch(epoch, 0);
    }

    /**
     * The batches of epoch {@code epoch} from batch {@code first} (from 0) on, each made when the
     * iterator reaches it; the earlier ones are skipped without being gathered (a run resumed in
     * the middle of an epoch).
     */
    public Iterable<Batch> epoch(int epoch, int first) {
        Check.argument(first >= 0 && first <= batchesPerEpoch(), "DataLoader.epoch",
                "expected a first batch from 0 to %d, got %d", batchesPerEpoch(), first);
        List<int[]> plan = batchIndices(epoch);
        return () -> new Iterator<>() {
            private int next = first;

            @Override
            public boolean hasNext() {
                return next < plan.size();
            }

            @Override
            public Batch next() {
                if (!hasNext()) {
                    throw new NoSuchElementException("DataLoader: epoch " + epoch + " has only " + plan.size()
                            + " batches");
                }
                int[] whole = plan.get(next);
                return gather(part(whole), (int) ((long) shardRank * whole.length / shardCount), epoch, next++);
            }
        };
    }

    /** This shard's run of a batch's indices: from ⌊r·m/n⌋ to ⌊(r+1)·m/n⌋. */
    private int[] part(int[] batch) {
        if (shardCount == 1) {
            return batch;
        }
        long m = batch.length;
        int from = (int) (shardRank * m / shardCount);
        int to = (int) ((shardRank + 1) * m / shardCount);
        return Arrays.copyOfRange(batch, from, to);
    }

    /** The batch of examples {@code idx}, the first of which is example {@code from} of the whole batch. */
    private Batch gather(int[] idx, int from, int epoch, int number) {
        try (Tensor index = data.indexTensor(idx)) {
            Tensor features = data.features().indexSelect(0, index);
            if (!augmentation.isNone()) {
                Generator gen = new Generator(seed ^ (EPOCH_MIX * (epoch + 1L)) ^ (BATCH_MIX * (number + 1L)));
                augmentation.skip(gen, from);   // a shard's images change as they would in the whole batch
                try (Tensor plain = features) {
                    features = augmentation.apply(plain, gen);
                }
            }
            return new Batch(features, data.targets().indexSelect(0, index), idx, epoch, number);
        }
    }
}
