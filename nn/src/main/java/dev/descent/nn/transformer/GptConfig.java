package dev.descent.nn.transformer;

import dev.descent.core.Check;

/**
 * The shape of a {@link Gpt}.
 *
 * @param vocab the number of tokens
 * @param context the longest sequence (learned positions)
 * @param layers transformer blocks
 * @param heads attention heads per block, dividing {@code dim}
 * @param dim the model's width
 * @param dropout the dropout probability (attention weights, residual branches, embeddings) in training
 */
public record GptConfig(int vocab, int context, int layers, int heads, int dim, double dropout) {
    public GptConfig {
        Check.argument(vocab > 0 && context > 0 && layers > 0 && heads > 0 && dim > 0, "GptConfig",
                "expected positive sizes, got vocab %d, context %d, layers %d, heads %d, dim %d", vocab, context,
                layers, heads, dim);
        Check.argument(dim % heads == 0, "GptConfig", "expected dim divisible by heads, got dim %d, heads %d", dim,
                heads);
        Check.argument(dropout >= 0 && dropout < 1, "GptConfig", "expected a dropout probability in [0, 1), got %s",
                dropout);
    }
}
