package dev.descent.train.data;

import dev.descent.core.Check;
import dev.descent.core.Scope;
import dev.descent.core.Tensor;
import java.util.Arrays;

/**
 * Standardisation of inputs, x' = (x − μ) / σ, with μ and σ measured on the training set and
 * applied unchanged to the test set (so that nothing about the test set leaks into training).
 *
 * <p>{@link Mode#PER_FEATURE} measures each feature on its own (tabular data);
 * {@link Mode#GLOBAL} one μ and σ over every feature (images, where a border pixel that is
 * always 0 in training has σ = 0). A σ below {@link #MIN_STD} is replaced by 1, so a constant
 * feature is only centred. σ is the population standard deviation (divisor N).
 *
 * @param mean μ, one per feature (length 1 in global mode)
 * @param std σ, one per feature (length 1 in global mode), each at least {@link #MIN_STD}
 */
public record Normalization(Mode mode, double[] mean, double[] std) {
    /** Below this σ a feature is treated as constant. */
    public static final double MIN_STD = 1e-6;

    /** Whether μ and σ are per feature or one for all. */
    public enum Mode { PER_FEATURE, GLOBAL }

    public Normalization {
        Check.argument(mean.length == std.length && mean.length > 0, "Normalization",
                "expected as many means as deviations (at least 1), got %d and %d", mean.length, std.length);
        mean = mean.clone();
        std = std.clone();
    }

    /** Measures μ and σ on {@code train}'s features. */
    public static Normalization fit(Dataset train, Mode mode) {
        try (Scope scope = Scope.open()) {
            Tensor x = train.features().reshape(train.size(), -1);
            if (mode == Mode.GLOBAL) {
                x = x.reshape(-1, 1);
            }
            double[] mu = x.mean(0).toDoubleArray();
            double[] sigma = x.var(new int[] {0}, 0, false).sqrt().toDoubleArray();
            for (int i = 0; i < sigma.length; i++) {
                if (!(sigma[i] >= MIN_STD)) {
                    sigma[i] = 1;
                }
            }
            return new Normalization(mode, mu, sigma);
        }
    }

    /** A new dataset with standardised features (same targets); {@code data} is left as it was. */
    public Dataset apply(Dataset data) {
        int features = data.featureCount();
        Check.argument(mode == Mode.GLOBAL || mean.length == features, "Normalization.apply",
                "measured on %d features, given '%s' with %d", mean.length, data.name(), features);
        try (Scope scope = Scope.open()) {
            int[] dims = mode == Mode.GLOBAL ? new int[] {1} : new int[] {features};
            Tensor mu = Tensor.of(data.device(), data.features().dtype(), mean, dims);
            Tensor sigma = Tensor.of(data.device(), data.features().dtype(), std, dims);
            Tensor flat = data.features().reshape(data.size(), -1);
            Tensor out = flat.sub(mu).div(sigma).reshape(data.features().shape().dims());
            Tensor owned = out.isContiguous() ? out : out.contiguous();
            scope.keep(owned);
            return data.withFeatures(owned);
        }
    }

    @Override
    public String toString() {
        return mode == Mode.GLOBAL ? "global mean " + mean[0] + ", std " + std[0]
                : "per-feature means " + Arrays.toString(mean) + ", stds " + Arrays.toString(std);
    }
}
