package dev.descent.train.data;

import dev.descent.core.Check;
import dev.descent.core.DType;
import dev.descent.core.Device;
import dev.descent.core.Scope;
import dev.descent.core.Shape;
import dev.descent.core.Tensor;
import java.util.Arrays;

/**
 * Examples held in memory as two tensors whose first axis counts the examples: the inputs
 * {@code features} ({@code [N, ...]}, floating) and the {@code targets}, either class labels
 * ({@code [N]}, int32, each in {@code 0..classes-1}) or values to regress ({@code [N, ...]},
 * floating); or token sequences, int32 inputs and next-token targets ({@link #sequences}).
 *
 * <p>The dataset owns both tensors (they are taken out of any open {@link Scope}) and frees
 * them in {@link #close()}.
 */
public final class Dataset implements AutoCloseable {
    private final String name;
    private final Tensor features;
    private final Tensor targets;
    private final int classes;

    private Dataset(String name, Tensor features, Tensor targets, int classes) {
        this.name = name;
        this.features = Scope.escape(features);
        this.targets = Scope.escape(targets);
        this.classes = classes;
    }

    /**
     * A classification set: {@code labels} are class indices {@code 0..classes-1}, int32 or
     * int64 (converted to int32), one per example.
     */
    public static Dataset classification(String name, Tensor features, Tensor labels, int classes) {
        String op = "Dataset.classification";
        checkFeatures(op, features);
        Check.argument(labels.rank() == 1, op, "expected labels of shape [%d], got %s", features.size(0), labels.shape());
        Check.argument(labels.size(0) == features.size(0), op, "%d examples but %d labels", features.size(0),
                labels.size(0));
        Check.argument(labels.dtype() == DType.INT32 || labels.dtype() == DType.INT64, op,
                "expected int32 or int64 labels, got %s", labels.dtype());
        Check.argument(classes >= 1, op, "expected at least 1 class, got %d", classes);
        if (labels.numel() > 0) {
            try (Tensor lo = labels.min(0); Tensor hi = labels.max(0)) {
                Check.argument(lo.item() >= 0 && hi.item() < classes, op,
                        "labels range over %d..%d, expected 0..%d", (long) lo.item(), (long) hi.item(), classes - 1);
            }
        }
        Tensor int32 = labels.dtype() == DType.INT32 ? labels : convert(labels);
        return new Dataset(name, features, int32, classes);
    }

    private static Tensor convert(Tensor labels) {
        Tensor converted = labels.to(DType.INT32);
        labels.close();
        return converted;
    }

    /** A regression set: floating {@code targets} with one row per example. */
    public static Dataset regression(String name, Tensor features, Tensor targets) {
        String op = "Dataset.regression";
        checkFeatures(op, features);
        Check.argument(targets.rank() >= 1 && targets.size(0) == features.size(0), op,
                "expected targets with %d rows, got shape %s", features.size(0), targets.shape());
        Check.floating(op, targets);
        Check.argument(targets.dtype() == features.dtype(), op, "features are %s but targets %s", features.dtype(),
                targets.dtype());
        return new Dataset(name, features, targets, 0);
    }

    /**
     * A set of token sequences for a language model: {@code inputs} and next-token
     * {@code targets}, both {@code [N, T]} int32 ids in {@code 0..vocab-1} (views may overlap:
     * every window of a text shares its memory). Its loss is per position; it has no accuracy
     * ({@link #isClassification()} is false).
     */
    public static Dataset sequences(String name, Tensor inputs, Tensor targets) {
        String op = "Dataset.sequences";
        inputs.checkOpen(op);
        targets.checkOpen(op);
        Check.argument(inputs.rank() == 2 && inputs.dtype() == DType.INT32, op,
                "expected int32 inputs of shape [N, T], got %s%s", inputs.dtype(), inputs.shape());
        Check.argument(targets.shape().equals(inputs.shape()) && targets.dtype() == DType.INT32, op,
                "expected int32 targets of the inputs' shape %s, got %s%s", inputs.shape(), targets.dtype(),
                targets.shape());
        return new Dataset(name, inputs, targets, 0);
    }

    private static void checkFeatures(String op, Tensor features) {
        features.checkOpen(op);
        Check.argument(features.rank() >= 1, op, "expected features of shape [N, ...], got a scalar");
        Check.floating(op, features);
    }

    public String name() {
        return name;
    }

    /** The inputs, {@code [N, ...]}. */
    public Tensor features() {
        return features;
    }

    /** The targets: labels {@code [N]} (int32) or values {@code [N, ...]}. */
    public Tensor targets() {
        return targets;
    }

    /** How many examples. */
    public int size() {
        return features.size(0);
    }

    /** The shape of one example's features. */
    public int[] featureShape() {
        int[] dims = features.shape().dims();
        int[] one = new int[dims.length - 1];
        System.arraycopy(dims, 1, one, 0, one.length);
        return one;
    }

    /** The number of features of one example (the product of {@link #featureShape()}). */
    public int featureCount() {
        return (int) Shape.of(featureShape()).numel();
    }

    /** The number of classes, or 0 for a regression set. */
    public int classes() {
        return classes;
    }

    public boolean isClassification() {
        return classes > 0;
    }

    public Device device() {
        return features.device();
    }

    /** The examples at {@code indices}, in that order, as a new dataset of the same kind. */
    public Dataset subset(String subsetName, int[] indices) {
        for (int i : indices) {
            Check.argument(i >= 0 && i < size(), "Dataset.subset", "index %d is out of range for %d examples", i,
                    size());
        }
        try (Tensor idx = indexTensor(indices)) {
            return new Dataset(subsetName, features.indexSelect(0, idx), targets.indexSelect(0, idx), classes);
        }
    }

    /**
     * The same examples with each one's features seen in {@code shape} (same number of elements):
     * a view of this set's memory, closed independently of it. Images {@code [N, 1, 28, 28]} become
     * rows {@code [N, 784]} for an MLP with {@code withFeatureShape(784)}.
     */
    public Dataset withFeatureShape(int... shape) {
        Check.argument(Shape.of(shape).numel() == featureCount(), "Dataset.withFeatureShape",
                "'%s' has %d features per example, which shape %s does not hold", name, featureCount(),
                Arrays.toString(shape));
        int[] dims = new int[shape.length + 1];
        dims[0] = size();
        System.arraycopy(shape, 0, dims, 1, shape.length);
        return new Dataset(name, features.reshape(dims), targets.to(targets.dtype()), classes);
    }

    /** The same examples with {@code features} replaced (same number of rows); targets are copied. */
    Dataset withFeatures(Tensor newFeatures) {
        return new Dataset(name, newFeatures, targets.copy(), classes);
    }

    /** The indices uploaded straight to the examples' device: a batch's one upload. */
    Tensor indexTensor(int[] indices) {
        double[] values = new double[indices.length];
        for (int i = 0; i < indices.length; i++) {
            values[i] = indices[i];
        }
        return Tensor.of(device(), DType.INT32, values, indices.length);
    }

    @Override
    public void close() {
        features.close();
        targets.close();
    }

    @Override
    public String toString() {
        return name + ": " + size() + " examples, features " + features.dtype() + Arrays.toString(featureShape())
                + (isClassification() ? ", " + classes + " classes" : ", targets " + targets.shape());
    }
}
