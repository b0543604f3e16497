package dev.descent.train.data;

/**
 * A training set and a test set (held out: never trained on) of the same kind of examples.
 * Closing the split closes both.
 */
public record DataSplit(Dataset train, Dataset test) implements AutoCloseable {

    @Override
    public void close() {
        train.close();
        test.close();
    }
}
