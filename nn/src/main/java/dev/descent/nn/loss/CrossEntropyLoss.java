package dev.descent.nn.loss;

import dev.descent.autograd.Variable;
import dev.descent.core.Check;
import dev.descent.nn.Temporaries;

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
 */
public final class CrossEntropyLoss implements Loss {
    private final Reduction reduction;
    private final double labelSmoothing;

    public CrossEntropyLoss() {
        this(Reduction.MEAN, 0);
    }

    public CrossEntropyLoss(Reduction reduction) {
        this(reduction, 0);
    }

    /** @param labelSmoothing ε in [0, 1] */
    public CrossEntropyLoss(Reduction reduction, double labelSmoothing) {
        Check.argument(labelSmoothing >= 0 && labelSmoothing <= 1, "CrossEntropyLoss",
                "expected a label smoothing in [0, 1], got %s", labelSmoothing);
        this.reduction = reduction;
        this.labelSmoothing = labelSmoothing;
    }

    @Override
    public Variable apply(Variable input, Variable target) {
        String op = "CrossEntropyLoss";
        ClassLabels.checkInput(op, input);
        int n = input.size(0);
        int c = input.size(1);
        if (ClassLabels.isLabels(target)) {
            ClassLabels.check(op, target, n, c);
        } else {
            Check.argument(target.dtype() == input.dtype(), op,
                    "expected int32/int64 class indices of shape [%d] or %s probabilities of shape [%d, %d], got %s%s",
                    n, input.dtype(), n, c, target.dtype(), target.shape());
            Check.argument(target.shape().equals(input.shape()), op,
                    "expected probabilities of the input's shape %s, got %s", input.shape(), target.shape());
        }
        Variable logp = input.logSoftmax(1);
        Variable losses = ClassLabels.isLabels(target) ? fromLabels(logp, target) : fromProbabilities(logp, target, c);
        Temporaries.release(logp, losses);
        return reduction.reduce(losses);
    }

    private Variable fromLabels(Variable logp, Variable labels) {
        Variable picked = ClassLabels.pick(logp, labels);
        Variable nll = picked.neg();
        Temporaries.release(picked, nll);
        if (labelSmoothing == 0) {
            return nll;
        }
        Variable meanLogp = logp.mean(1);
        Variable uniform = meanLogp.mul(-labelSmoothing);
        Variable hard = nll.mul(1 - labelSmoothing);
        Variable losses = hard.add(uniform);
        Temporaries.release(meanLogp, uniform);
        Temporaries.release(nll, hard);
        Temporaries.release(hard, losses);
        Temporaries.release(uniform, losses);
        return losses;
    }

    private Variable fromProbabilities(Variable logp, Variable q, int c) {
        Variable smoothed = q;
        if (labelSmoothing != 0) {
            Variable scaled = q.mul(1 - labelSmoothing);
            smoothed = scaled.add(labelSmoothing / c);
            Temporaries.release(scaled, smoothed);
        }
        Variable products = smoothed.mul(logp);
        Variable sums = products.sum(1);
        Variable losses = sums.neg();
        if (smoothed != q) {
            Temporaries.release(smoothed, products);
        }
        Temporaries.release(products, sums);
        Temporaries.release(sums, losses);
        return losses;
    }
}
