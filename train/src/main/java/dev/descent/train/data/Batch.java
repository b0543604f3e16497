package dev.descent.train.data;

import dev.descent.core.Tensor;

/**
 * One batch drawn by a {@link DataLoader}: the features and targets of the examples at
 * {@code indices} (positions in the dataset), as tensors the batch owns and frees when closed.
 *
 * @param features {@code [m, ...]}
 * @param targets labels {@code [m]} or values {@code [m, ...]}
 * @param indices the examples' positions in the dataset, in batch order
 * @param epoch the epoch the batch belongs to (from 0)
 * @param number the batch's position within its epoch (from 0)
 */
public record Batch(Tensor features, Tensor targets, int[] indices, int epoch, int number) implements AutoCloseable {

    /** The number of examples m. */
    public int size() {
        return indices.length;
    }

    @Override
    public void close() {
        features.close();
        targets.close();
    }
}
