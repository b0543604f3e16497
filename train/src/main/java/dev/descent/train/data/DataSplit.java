package dev.descent.train.data;

/**
 * A training set and a test set (held out: never trained on) of the same kind of examples.
 * Closing the split closes both.
 */
public record DataSplit(Dataset train, Dataset test) implements AutoCloseable {

    /** Both sets with their examples seen in {@code shape} ({@link Dataset#withFeatureShape}); this split stays open. */
    public DataSplit withFeatureShape(int... shape) {
        Dataset t = train.withFeatureShape(shape);
        try {
            return new DataSplit(t, test.withFeatureShape(shape));
        } catch (RuntimeException e) {
            t.close();
            throw e;
        }
    }

    @Override
    public void close() {
        train.close();
        test.close();
    }
}
