package dev.descent.train.data;

import dev.descent.core.Check;
import dev.descent.core.Generator;
import dev.descent.core.Tensor;
import java.util.ArrayList;
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

    /**
     * @param batchSize m, from 1 to the dataset's size
     * @param shuffle a fresh permutation each epoch (otherwise the dataset's order)
     * @param dropLast drop the last batch of an epoch when it is smaller than m
     * @param seed fixes the permutations
     */
    public DataLoader(Dataset data, int batchSize, boolean shuffle, boolean dropLast, long seed) {
        this(data, batchSize, shuffle, dropLast, seed, 0, Augmentation.NONE);
        Check.argument(batchSize <= data.size(), "DataLoader",
                "expected a batch size from 1 to %d (the size of '%s'), got %d", data.size(), data.name(), batchSize);
    }

    private DataLoader(Dataset data, int batchSize, boolean shuffle, boolean dropLast, long seed, int sampledBatches,
            Augmentation augmentation) {
        Check.argument(data != null, "DataLoader", "expected a dataset, got null");
        Check.argument(data.size() > 0, "DataLoader", "the dataset '%s' is empty", data.name());
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
        return new DataLoader(data, batchSize, true, true, seed, batchesPerEpoch, Augmentation.NONE);
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
        return new DataLoader(data, batchSize, shuffle, dropLast, seed, sampledBatches, augmentation);
    }

    public Augmentation augmentation() {
        return augmentation;
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

    /** Batches in one epoch: ⌈N/m⌉, or ⌊N/m⌋ when the last smaller batch is dropped. */
    public int batchesPerEpoch() {
        if (sampledBatches > 0) {
            return sampledBatches;
        }
        int n = data.size();
        return dropLast ? n / batchSize : (n + batchSize - 1) / batchSize;
    }

    /** Examples seen in one epoch. */
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

    /** The batches of epoch {@code epoch}, each made when the iterator reaches it. */
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
                int[] idx = plan.get(next);
                return gather(idx, epoch, next++);
            }
        };
    }

    private Batch gather(int[] idx, int epoch, int number) {
        try (Tensor index = data.indexTensor(idx)) {
            Tensor features = data.features().indexSelect(0, index);
            if (!augmentation.isNone()) {
                Generator gen = new Generator(seed ^ (EPOCH_MIX * (epoch + 1L)) ^ (BATCH_MIX * (number + 1L)));
                try (Tensor plain = features) {
                    features = augmentation.apply(plain, gen);
                }
            }
            return new Batch(features, data.targets().indexSelect(0, index), idx, epoch, number);
        }
    }
}
