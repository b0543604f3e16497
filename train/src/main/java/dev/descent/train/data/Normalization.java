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

    /** Rows read from the device at a time while measuring (about 8 MB of doubles). */
    private static final int CHUNK_ELEMENTS = 1 << 20;

    /**
     * Measures μ and σ (the population standard deviation) on {@code train}'s features, in
     * double on the host: the features are read in chunks of rows, once for the means and once
     * for the squared deviations from them (the two-pass algorithm: no cancellation, unlike
     * E[x²] − E[x]²). Composed of tensor ops it made two full-size temporaries and five passes
     * (2.9 s of a cold run's 4 s for Fashion-MNIST); this is data preparation, not the training
     * loop, so reading the device here costs nothing that matters.
     */
    public static Normalization fit(Dataset train, Mode mode) {
        Tensor f = train.features();
        int rows = train.size();
        int width = train.featureCount();
        boolean global = mode == Mode.GLOBAL;
        double[] mu = new double[global ? 1 : width];
        forEachChunk(f, rows, width, (x, n) -> {
            for (int r = 0; r < n; r++) {
                for (int j = 0; j < width; j++) {
                    mu[global ? 0 : j] += x[r * width + j];
                }
            }
        });
        long per = global ? (long) rows * width : rows;
        for (int c = 0; c < mu.length; c++) {
            mu[c] /= per;
        }
        double[] squares = new double[mu.length];
        forEachChunk(f, rows, width, (x, n) -> {
            for (int r = 0; r < n; r++) {
                for (int j = 0; j < width; j++) {
                    double d = x[r * width + j] - mu[global ? 0 : j];
                    squares[global ? 0 : j] += d * d;
                }
            }
        });
        double[] sigma = new double[mu.length];
        for (int c = 0; c < sigma.length; c++) {
            sigma[c] = Math.sqrt(squares[c] / per);
            if (!(sigma[c] >= MIN_STD)) {
                sigma[c] = 1;
            }
        }
        return new Normalization(mode, mu, sigma);
    }

    /** A chunk of {@code rows} rows of features, row-major, as doubles. */
    private interface Chunk {
        void accept(double[] values, int rows);
    }

    private static void forEachChunk(Tensor features, int rows, int width, Chunk chunk) {
        int step = Math.max(1, CHUNK_ELEMENTS / Math.max(width, 1));
        for (int r = 0; r < rows; r += step) {
            int n = Math.min(step, rows - r);
            try (Scope scope = Scope.open()) {
                chunk.accept(features.narrow(0, r, n).reshape(-1).toDoubleArray(), n);
            }
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
            // one new tensor, divided in place: a second full-size temporary cost a cold run 0.5 s
            Tensor out = flat.sub(mu).divInPlace(sigma).reshape(data.features().shape().dims());
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
