package dev.descent.nn.transformer;

import dev.descent.core.Check;
import dev.descent.core.DType;
import dev.descent.core.Device;
import dev.descent.core.Scope;
import dev.descent.core.Tensor;

/**
 * The keys and values of the tokens a model has seen, per attention layer, so that generating a
 * token runs the model on that token alone instead of on the whole prefix again. Each layer holds
 * two tensors {@code [batch, heads, capacity, headDim]}; the first {@link #length()} positions are
 * filled. A forward pass with a cache writes its new keys and values after them and attends to
 * all of them; the model then {@link #advance}s the length.
 *
 * <p>The cache owns its memory (taken out of any open {@link Scope}) and frees it in
 * {@link #close()}.
 */
public final class KeyValueCache implements AutoCloseable {
    private final Tensor[] keys;
    private final Tensor[] values;
    private final int capacity;
    private int length;

    /**
     * @param layers attention layers (one pair of tensors each)
     * @param batch sequences generated side by side
     * @param capacity the most positions it holds (the model's context)
     */
    public KeyValueCache(int layers, int batch, int heads, int capacity, int headDim, DType dtype, Device device) {
        Check.argument(layers > 0 && batch > 0 && heads > 0 && capacity > 0 && headDim > 0, "KeyValueCache",
                "expected positive sizes, got layers %d, batch %d, heads %d, capacity %d, headDim %d", layers, batch,
                heads, capacity, headDim);
        this.keys = new Tensor[layers];
        this.values = new Tensor[layers];
        this.capacity = capacity;
        for (int l = 0; l < layers; l++) {
            keys[l] = Scope.escape(Tensor.zeros(device, dtype, batch, heads, capacity, headDim));
            values[l] = Scope.escape(Tensor.zeros(device, dtype, batch, heads, capacity, headDim));
        }
    }

    /** Positions filled. */
    public int length() {
        return length;
    }

    /** The most positions the cache holds. */
    public int capacity() {
        return capacity;
    }

    /** Positions left. */
    public int remaining() {
        return capacity - length;
    }

    public int layers() {
        return keys.length;
    }

    /**
     * Writes {@code k} and {@code v} ({@code [batch, heads, t, headDim]}) for layer {@code layer}
     * at positions {@code length .. length + t - 1} and returns views of every filled position
     * with them, {@code [batch, heads, length + t, headDim]} (the caller closes the views).
     */
    Tensor[] append(int layer, Tensor k, Tensor v) {
        int t = k.size(2);
        Check.argument(t <= remaining(), "KeyValueCache", "%d new positions do not fit: %d of %d are filled", t,
                length, capacity);
        try (Tensor kSlot = keys[layer].narrow(2, length, t); Tensor vSlot = values[layer].narrow(2, length, t)) {
            kSlot.copyFrom(k);
            vSlot.copyFrom(v);
        }
        return new Tensor[] {keys[layer].narrow(2, 0, length + t), values[layer].narrow(2, 0, length + t)};
    }

    /** Counts {@code t} more positions as filled, once every layer has appended them. */
    void advance(int t) {
        Check.argument(t >= 0 && t <= remaining(), "KeyValueCache", "cannot advance by %d with %d of %d filled", t,
                length, capacity);
        length += t;
    }

    /** Forgets every position (the memory is kept for reuse). */
    public void clear() {
        length = 0;
    }

    @Override
    public void close() {
        for (int l = 0; l < keys.length; l++) {
            keys[l].close();
            values[l].close();
        }
    }
}
