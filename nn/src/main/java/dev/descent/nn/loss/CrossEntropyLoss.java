package dev.descent.nn.loss;

import dev.descent.autograd.Variable;
import dev.descent.core.Check;
import dev.descent.core.DType;
import dev.descent.core.Scope;
import dev.descent.core.Tensor;
import java.util.OptionalInt;

/**
 * Cross-entropy from logits, as PyTorch's {@code CrossEntropyLoss}. The input is
 * {@code [N, C]} logits; the log-softmax is taken inside, {@code log p = x − logsumexp(x)}, which
 * stays finite for any finite logits (no softmax is formed and then logged).
 *
 * <p>The target is either
 * <ul>
 * <li>class indices {@code y} (int32/int64, shape {@code [N]}, each in {@code 0..C−1}):
 *     {@code ℓ_i = −log p[i, y_i]}; or
 * <li>probabilities {@code q} (the input's floating dtype, shape {@code [N, C]}, rows summing to
 *     1): {@code ℓ_i = −Σ_c q[i, c] log p[i, c]}.
 * </ul>
 *
 * <p>With label smoothing ε (Szegedy et al. 2016) the target becomes
 * {@code (1 − ε)·q + ε/C} (q the one-hot of y for indices), so
 * {@code ℓ_i = (1 − ε)(−log p[i, y_i]) + ε·(−(1/C) Σ_c log p[i, c])}.
 *
 * <p>{@link #withWeight Class weights} {@code w} and an {@link #withIgnoreIndex ignore index}
 * follow PyTorch's {@code cross_entropy} ({@code aten/src/ATen/native/LossNLL.cpp}). For class
 * indices {@code ℓ_i = (1 − ε)·w[y_i]·(−log p[i, y_i]) + (ε/C)·Σ_c w[c]·(−log p[i, c])}, and 0,
 * with no gradient, where {@code y_i} is the ignore index; {@code MEAN} is
 * {@code Σ_i ℓ_i / Σ_i w[y_i]} over the rows not ignored, so NaN (0/0, as in PyTorch) when every
 * row is ignored. For probabilities {@code ℓ_i = −Σ_c w[c]·q̃[i, c]·log p[i, c]} (q̃ the smoothed
 * target) and {@code MEAN} divides by N.
 */
public final class CrossEntropyLoss implements Loss {
    private static final String OP = "CrossEntropyLoss";
    private final Reduction reduction;
    private final double labelSmoothing;
    private final Tensor weight;
    private final OptionalInt ignoreIndex;

    public CrossEntropyLoss() {
        this(Reduction.MEAN, 0);
    }

    public CrossEntropyLoss(Reduction reduction) {
        this(reduction, 0);
    }

    /** @param labelSmoothing ε in [0, 1] */
    public CrossEntropyLoss(Reduction reduction, double labelSmoothing) {
        this(reduction, labelSmoothing, null, OptionalInt.empty());
    }

    private CrossEntropyLoss(Reduction reduction, double labelSmoothing, Tensor weight, OptionalInt ignoreIndex) {
        Check.argument(labelSmoothing >= 0 && labelSmoothing <= 1, OP,
                "expected a label smoothing in [0, 1], got %s", labelSmoothing);
        this.reduction = reduction;
        this.labelSmoothing = labelSmoothing;
        this.weight = weight;
        this.ignoreIndex = ignoreIndex;
    }

    /**
     * This loss with a weight per class (PyTorch's {@code weight}): a floating {@code [C]} tensor
     * of the input's dtype, on its device. The loss keeps its own copy, out of any scope, for as
     * long as it lives (one tensor of C values, not one per step); the tensor given may be closed
     * afterwards.
     */
    public CrossEntropyLoss withWeight(Tensor weight) {
        Check.argument(weight.rank() == 1, OP, "expected a weight of shape [C] (one per class), got %s",
                weight.shape());
        Check.argument(weight.dtype().isFloating(), OP, "expected a float32 or float64 weight, got %s",
                weight.dtype());
        return new CrossEntropyLoss(reduction, labelSmoothing, Scope.escape(weight.copy()), ignoreIndex);
    }

    /**
     * This loss with rows whose class index is {@code index} ignored (PyTorch's
     * {@code ignore_index}; unlike PyTorch, whose default is −100, no index is ignored unless
     * asked). The index need not be a class: −100 is the usual choice.
     */
    public CrossEntropyLoss withIgnoreIndex(int index) {
        return new CrossEntropyLoss(reduction, labelSmoothing, weight, OptionalInt.of(index));
    }

    @Override
    public Variable apply(Variable input, Variable target) {
        ClassLabels.checkInput(OP, input);
        int n = input.size(0);
        int c = input.size(1);
        if (weight != null) {
            Check.argument(weight.size(0) == c, OP, "expected a weight of %d entries (one per class), got %d",
                    c, weight.size(0));
            Check.argument(weight.dtype() == input.dtype(), OP, "expected a weight of the input's dtype %s, got %s",
                    input.dtype(), weight.dtype());
            Check.argument(weight.device().equals(input.device()), OP,
                    "expected a weight on the input's device %s, got %s", input.device(), weight.device());
        }
        if (ClassLabels.isLabels(target)) {
            ClassLabels.check(OP, target, n);
            try (Rows rows = rows(target.data(), input.dtype())) {
                Variable scored = weightedLogSoftmax(input);
                Variable losses = fromLabels(scored, rows);
                return reduce(losses, rows);
            }
        }
        Check.argument(target.dtype() == input.dtype(), OP,
                "expected int32/int64 class indices of shape [%d] or %s probabilities of shape [%d, %d], got %s%s",
                n, input.dtype(), n, c, target.dtype(), target.shape());
        Check.argument(target.shape().equals(input.shape()), OP,
                "expected probabilities of the input's shape %s, got %s", input.shape(), target.shape());
        // As PyTorch: a negative index matches no probability row, so only a class index is refused.
        Check.argument(ignoreIndex.orElse(-1) < 0, OP,
                "expected int32/int64 class indices with the ignore index %d, got %s probabilities",
                ignoreIndex.orElse(-1), target.dtype());
        Variable scored = weightedLogSoftmax(input);
        Variable losses = fromProbabilities(scored, target);
        return reduction.reduce(losses);
    }

    /**
     * {@code w[c]·log p[i, c]} (w = 1 without weights): every term of the loss is one of these, so
     * weighting them once covers the picked class, the smoothing and probability targets alike.
     */
    private Variable weightedLogSoftmax(Variable input) {
        Variable logp = input.logSoftmax(1);
        if (weight == null) {
            return logp;
        }
        Variable scored = logp.mul(Variable.of(weight));
        return scored;
    }

    /**
     * The targets, on the device: the labels to pick at (an ignored row's replaced by 0, a safe
     * class) and, with an ignore index, 1 where a row is ignored (in the input's dtype; else null).
     * Nothing is read back to the host.
     */
    private record Rows(Tensor labels, Tensor ignored) implements AutoCloseable {
        @Override
        public void close() {
            if (ignored != null) {   // both made here; without an ignore index the labels are the caller's
                labels.close();
                ignored.close();
            }
        }
    }

    private Rows rows(Tensor labels, DType dtype) {
        if (ignoreIndex.isEmpty()) {
            return new Rows(labels, null);
        }
        try (Tensor hit = labels.eq(ignoreIndex.getAsInt());
             Tensor zero = Tensor.zeros(labels.device(), labels.dtype())) {
            return new Rows(Tensor.where(hit, zero, labels), hit.to(dtype));
        }
    }

    private Variable fromLabels(Variable scored, Rows rows) {
        Variable picked = ClassLabels.pick(OP, scored, rows.labels(), ignoreIndex);
        Variable nll = picked.neg();
        Variable losses = labelSmoothing == 0 ? nll : smoothed(scored, nll);
        if (rows.ignored() == null) {
            return losses;
        }
        // A fill, not a product with 0: the gradient reaching an ignored row stays exactly 0 even when MEAN
        // then divides by a total weight of 0 (every row ignored), as PyTorch's masked_fill_ does.
        Variable kept = losses.maskedFill(rows.ignored(), 0);
        return kept;
    }

    /** {@code (1 − ε)·hard_i + (ε/C)·Σ_c (−w[c]·log p[i, c])}: the uniform part of the smoothed target. */
    private Variable smoothed(Variable scored, Variable hard) {
        Variable sums = scored.sum(1);
        Variable uniform = sums.mul(-labelSmoothing / scored.size(1));
        Variable scaled = hard.mul(1 - labelSmoothing);
        Variable losses = scaled.add(uniform);
        return losses;
    }

    /** {@code −Σ_c q[i, c]·w[c]·log p[i, c]}, smoothed as for class indices (so q̃ is never formed). */
    private Variable fromProbabilities(Variable scored, Variable q) {
        Variable products = q.mul(scored);
        Variable sums = products.sum(1);
        Variable hard = sums.neg();
        return labelSmoothing == 0 ? hard : smoothed(scored, hard);
    }

    /**
     * MEAN over class indices divides by the summed weight of the rows kept, not by N (as
     * PyTorch). Without weights or an ignore index that is N: the plain mean, so unweighted runs
     * compute exactly what they did before weights existed. The total is summed on the device.
     */
    private Variable reduce(Variable losses, Rows rows) {
        if (reduction != Reduction.MEAN || (weight == null && rows.ignored() == null)) {
            return reduction.reduce(losses);
        }
        Variable sum = losses.sum();
        Variable mean;
        try (Tensor total = totalWeight(rows, losses)) {
            mean = sum.div(total);
        }
        return mean;
    }

    /** {@code Σ_i w[y_i]} over the rows kept (w = 1 without weights), a scalar on the device. */
    private Tensor totalWeight(Rows rows, Variable losses) {
        if (weight == null) {   // N − (rows ignored)
            try (Tensor ignoredRows = rows.ignored().sum(); Tensor negated = ignoredRows.neg()) {
                return negated.add(losses.size(0));
            }
        }
        try (Tensor perRow = weight.gather(0, rows.labels())) {
            if (rows.ignored() == null) {
                return perRow.sum();
            }
            try (Tensor zero = Tensor.zeros(perRow.device(), perRow.dtype());
                 Tensor kept = Tensor.where(rows.ignored(), zero, perRow)) {
                return kept.sum();
            }
        }
    }
}
