package dev.descent.train.data;

import dev.descent.core.Check;
import dev.descent.core.DType;
import dev.descent.core.Device;
import dev.descent.core.Generator;
import dev.descent.core.Scope;
import dev.descent.core.Tensor;

/**
 * Data sets made from a seeded {@link Generator}, so that everything runs with no download and
 * the same seed gives the same examples. The small sets of the texts are here under their
 * names; where a text leaves a number open (a noise level), the choice is stated.
 */
public final class GeneratedData {
    private GeneratedData() {
    }

    // ---------------------------------------------------------------- classification

    /**
     * Two interleaved spirals in the plane, {@code perClass} points each (labels 0 and 1).
     * Point i of class c lies at radius r = 0.1 + 0.9·t and angle θ = 3π·t + cπ with t uniform in
     * [0, 1), plus N(0, noise²) on each coordinate. Not linearly separable: a network must bend
     * its decision boundary twice.
     */
    public static Dataset twoSpirals(int perClass, double noise, Generator gen) {
        Check.argument(perClass >= 1, "twoSpirals", "expected at least 1 point per class, got %d", perClass);
        Check.argument(noise >= 0, "twoSpirals", "expected noise >= 0, got %s", noise);
        int n = 2 * perClass;
        double[] x = new double[2 * n];
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            int c = i % 2;
            double t = gen.nextDouble();
            double r = 0.1 + 0.9 * t;
            double theta = 3 * Math.PI * t + c * Math.PI;
            x[2 * i] = r * Math.cos(theta) + noise * gen.nextGaussian();
            x[2 * i + 1] = r * Math.sin(theta) + noise * gen.nextGaussian();
            y[i] = c;
        }
        return classification("two-spirals", x, y, n, 2, 2);
    }

    /** {@link #twoSpirals} for training and a second draw from the same generator for testing. */
    public static DataSplit twoSpirals(int trainPerClass, int testPerClass, double noise, Generator gen) {
        Dataset train = twoSpirals(trainPerClass, noise, gen);
        return new DataSplit(train, twoSpirals(testPerClass, noise, gen));
    }

    /**
     * Gaussian blobs: {@code classes} centres drawn uniformly from [−spread, spread]^dims, and
     * {@code perClass} points around each, N(centre, std²·I). Points are interleaved by class.
     */
    public static Dataset gaussianBlobs(int perClass, int classes, int dims, double spread, double std, Generator gen) {
        double[][] centres = blobCentres(classes, dims, spread, gen);
        return blobsAround(centres, perClass, std, gen);
    }

    /** {@link #gaussianBlobs} for training and testing around the same centres. */
    public static DataSplit gaussianBlobs(int trainPerClass, int testPerClass, int classes, int dims, double spread,
            double std, Generator gen) {
        double[][] centres = blobCentres(classes, dims, spread, gen);
        Dataset train = blobsAround(centres, trainPerClass, std, gen);
        return new DataSplit(train, blobsAround(centres, testPerClass, std, gen));
    }

    private static double[][] blobCentres(int classes, int dims, double spread, Generator gen) {
        Check.argument(classes >= 1 && dims >= 1, "gaussianBlobs", "expected classes >= 1 and dims >= 1, got %d and %d",
                classes, dims);
        double[][] centres = new double[classes][];
        for (int c = 0; c < classes; c++) {
            centres[c] = gen.uniform(dims, -spread, spread);
        }
        return centres;
    }

    private static Dataset blobsAround(double[][] centres, int perClass, double std, Generator gen) {
        Check.argument(perClass >= 1, "gaussianBlobs", "expected at least 1 point per class, got %d", perClass);
        Check.argument(std >= 0, "gaussianBlobs", "expected std >= 0, got %s", std);
        int classes = centres.length;
        int dims = centres[0].length;
        int n = perClass * classes;
        double[] x = new double[n * dims];
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            int c = i % classes;
            for (int d = 0; d < dims; d++) {
                x[i * dims + d] = centres[c][d] + std * gen.nextGaussian();
            }
            y[i] = c;
        }
        return classification("gaussian-blobs", x, y, n, dims, classes);
    }

    private static Dataset classification(String name, double[] x, int[] y, int n, int dims, int classes) {
        try (Scope scope = Scope.open()) {
            return Dataset.classification(name, Tensor.of(defaultDevice(), DType.FLOAT32, x, n, dims),
                    Tensor.of(y, n), classes);
        }
    }

    // ---------------------------------------------------------------- regression (the texts)

    /**
     * The Gabor model of seed 003 eq. 6.8:
     * f(x, φ) = sin(φ₀ + 0.06·φ₁·x) · exp(−(φ₀ + 0.06·φ₁·x)² / 32).
     */
    public static double gabor(double x, double phi0, double phi1) {
        double z = phi0 + 0.06 * phi1 * x;
        return Math.sin(z) * Math.exp(-z * z / 32.0);
    }

    /**
     * The training data of seed 003 figure 6.3: 28 points, x uniform in [−15, 15], y the Gabor
     * model at φ = [0, 16.6] plus N(0, σ²). The text does not give σ; 0.15 is chosen because
     * then the expected least-squares loss at the true φ, 28·σ² = 0.63, matches the global
     * minimum loss of 0.64 that the text reports. Features and targets are {@code [28, 1]}.
     */
    public static Dataset gaborData(Generator gen, DType dtype) {
        return gaborData(28, 0.0, 16.6, 0.15, gen, dtype);
    }

    /** Gabor data with every number chosen by the caller. */
    public static Dataset gaborData(int n, double phi0, double phi1, double noise, Generator gen, DType dtype) {
        Check.argument(n >= 1, "gaborData", "expected at least 1 point, got %d", n);
        double[] x = gen.uniform(n, -15, 15);
        double[] y = new double[n];
        for (int i = 0; i < n; i++) {
            y[i] = gabor(x[i], phi0, phi1) + noise * gen.nextGaussian();
        }
        return regression("gabor", x, y, n, 1, dtype);
    }

    /**
     * Data for the 1-D linear regression of seed 003 §6.1.1, y = φ₀ + φ₁·x + N(0, σ²), x uniform
     * in [xLow, xHigh]. (Figure 6.1 uses I = 12 points; the text gives no φ or σ.)
     */
    public static Dataset linearRegressionData(int n, double xLow, double xHigh, double phi0, double phi1, double noise,
            Generator gen, DType dtype) {
        Check.argument(n >= 1, "linearRegressionData", "expected at least 1 point, got %d", n);
        Check.argument(xHigh > xLow, "linearRegressionData", "expected xLow < xHigh, got %s and %s", xLow, xHigh);
        double[] x = gen.uniform(n, xLow, xHigh);
        double[] y = new double[n];
        for (int i = 0; i < n; i++) {
            y[i] = phi0 + phi1 * x[i] + noise * gen.nextGaussian();
        }
        return regression("linear-regression", x, y, n, 1, dtype);
    }

    /**
     * The three-point problem of seed 000 ("SGD and fractals", after Rojas): inputs
     * X = [[0, 1], [1, ½], [1, −½]], targets Y = [0, 4, 0], for the model w₁x₁ + w₂x₂ under
     * L = ½ Σ (f − y)². Its minimum is w = (2, 4/3). Features {@code [3, 2]}, targets {@code [3, 1]}.
     */
    public static Dataset threePointProblem(DType dtype) {
        double[] x = {0, 1, 1, 0.5, 1, -0.5};
        double[] y = {0, 4, 0};
        return regression("three-point", x, y, 3, 2, dtype);
    }

    private static Dataset regression(String name, double[] x, double[] y, int n, int dims, DType dtype) {
        Check.argument(dtype.isFloating(), name, "expected a floating dtype, got %s", dtype);
        try (Scope scope = Scope.open()) {
            Device d = defaultDevice();
            return Dataset.regression(name, Tensor.of(d, dtype, x, n, dims), Tensor.of(d, dtype, y, n, 1));
        }
    }

    private static Device defaultDevice() {
        return dev.descent.core.Backends.defaultDevice();
    }
}
