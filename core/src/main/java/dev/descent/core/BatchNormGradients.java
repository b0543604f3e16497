package dev.descent.core;

/**
 * The gradients {@link Tensor#batchNormBackward} computed; a field is null when it was not asked
 * for. Closing the record closes the ones present.
 *
 * @param input the gradient of the input, of its shape
 * @param weight the gradient of γ, [C]
 * @param bias the gradient of β, [C]
 */
public record BatchNormGradients(Tensor input, Tensor weight, Tensor bias) implements AutoCloseable {
    @Override
    public void close() {
        for (Tensor t : new Tensor[] {input, weight, bias}) {
            if (t != null) {
                t.close();
            }
        }
    }
}
