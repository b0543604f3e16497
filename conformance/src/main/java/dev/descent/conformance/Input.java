package dev.descent.conformance;

import dev.descent.core.Tensor;

/**
 * A test input: the tensor handed to the op, its values as the reference sees them, and the
 * storage behind it, so that in-place cases can check what a write did to the whole storage.
 *
 * @param tensor the input, laid out as {@code layout} says
 * @param values its logical values (what the op must see)
 * @param base the tensor that owns the storage ({@code tensor} itself when contiguous)
 * @param baseValues the storage's values, sentinels in the gaps included
 * @param positions for each element of {@code tensor}, its row-major position in {@code base}
 * @param layout how the input actually lies (a layout that does not apply to the shape falls back to contiguous)
 */
public record Input(Tensor tensor, RefArray values, Tensor base, RefArray baseValues, RefArray positions,
        String layout) {

    /** What the whole storage must hold after {@code newValues} were written through the view. */
    public RefArray baseAfterWriting(RefArray newValues) {
        return baseValues.scatter(positions, newValues);
    }
}
