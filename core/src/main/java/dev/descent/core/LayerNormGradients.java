package dev.descent.core;

/**
 * What {@link Tensor#layerNormBackward} computes; each is null when it was not asked for (or, for
 * the weight, when there is none).
 *
 * @param input dL/dx, of the input's shape
 * @param weight dL/dweight, of the normalised shape
 * @param bias dL/dbias, of the normalised shape
 */
public record LayerNormGradients(Tensor input, Tensor weight, Tensor bias) implements AutoCloseable {

    /** Closes those present. */
    @Override
    public void close() {
        for (Tensor t : new Tensor[] {input, weight, bias}) {
            if (t != null) {
                t.close();
            }
        }
    }
}
