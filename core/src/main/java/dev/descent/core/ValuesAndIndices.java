package dev.descent.core;

/**
 * An op's values with the int64 positions they came from ({@link Tensor#maxPool2dWithIndices}).
 * Closing it closes both.
 *
 * @param values the values
 * @param indices where each value came from, as the op documents
 */
public record ValuesAndIndices(Tensor values, Tensor indices) implements AutoCloseable {
    @Override
    public void close() {
        values.close();
        if (indices != null) {
            indices.close();
        }
    }
}
