package dev.descent.nn.loss;

import dev.descent.autograd.Variable;
import dev.descent.core.Check;
import java.util.Arrays;

/**
 * Cross-entropy at every position of a sequence, the language model's loss: logits
 * {@code [..., vocab]} against next-token ids {@code [...]} (int32/int64), as PyTorch's
 * {@code cross_entropy(logits.view(-1, V), targets.view(-1))}: the positions are flattened into
 * rows and handed to a {@link CrossEntropyLoss} (the mean over every position by default).
 */
public final class TokenCrossEntropyLoss implements Loss {
    private static final String OP = "TokenCrossEntropyLoss";
    private final CrossEntropyLoss rows;

    /** The mean over every position. */
    public TokenCrossEntropyLoss() {
        this(new CrossEntropyLoss());
    }

    /** {@code rows} applied to the flattened positions (its reduction, smoothing, weights, ignore index). */
    public TokenCrossEntropyLoss(CrossEntropyLoss rows) {
        Check.argument(rows != null, OP, "expected a cross-entropy loss, got null");
        this.rows = rows;
    }

    @Override
    public Variable apply(Variable logits, Variable targets) {
        Check.argument(logits.rank() >= 2, OP, "expected logits of shape [..., vocab], got %s", logits.shape());
        int[] positions = Arrays.copyOf(logits.shape().dims(), logits.rank() - 1);
        Check.argument(Arrays.equals(targets.shape().dims(), positions), OP,
                "expected targets of shape %s (one per position of logits %s), got %s", Arrays.toString(positions),
                logits.shape(), targets.shape());
        return rows.apply(logits.reshape(-1, logits.size(-1)), targets.reshape(-1));
    }
}
