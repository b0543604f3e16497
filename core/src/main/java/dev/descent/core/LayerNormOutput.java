package dev.descent.core;

/**
 * What {@link Tensor#layerNormWithStatistics} computes: the normalised output and, per
 * normalised slice, the mean μ and {@code ρ = 1/√(σ² + eps)} that the backward pass reuses
 * (shaped as the input with size 1 on the normalised axes).
 *
 * @param out the output, of the input's shape
 * @param mean each slice's mean
 * @param rstd each slice's reciprocal standard deviation
 */
public record LayerNormOutput(Tensor out, Tensor mean, Tensor rstd) implements AutoCloseable {

    /** Closes all three. */
    @Override
    public void close() {
        out.close();
        mean.close();
        rstd.close();
    }
}
