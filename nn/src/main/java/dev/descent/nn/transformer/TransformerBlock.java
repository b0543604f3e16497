package dev.descent.nn.transformer;

import dev.descent.autograd.Variable;
import dev.descent.core.Check;
import dev.descent.core.Generator;
import dev.descent.nn.Dropout;
import dev.descent.nn.LayerNorm;
import dev.descent.nn.Linear;
import dev.descent.nn.Module;
import dev.descent.nn.Sequential;
import dev.descent.nn.activation.GELU;

/**
 * A pre-norm transformer block (GPT-2; Xiong et al. 2020 on why the norm goes first):
 *
 * <pre>
 * x = x + dropout(attention(norm1(x)))
 * x = x + dropout(mlp(norm2(x)))        mlp = Linear(dim, 4·dim) → GELU → Linear(4·dim, dim)
 * </pre>
 *
 * with the exact GELU ({@code x·Φ(x)}, PyTorch's default) and an MLP ratio of 4. Input and
 * output are {@code [batch, time, dim]}.
 */
public final class TransformerBlock extends Module {
    /** The MLP's hidden width as a multiple of the model's. */
    public static final int MLP_RATIO = 4;

    private final LayerNorm norm1;
    private final MultiHeadAttention attention;
    private final LayerNorm norm2;
    private final Sequential mlp;
    private final Dropout residualDropout;

    public TransformerBlock(int dim, int heads, boolean causal, double dropout, Generator gen) {
        this(dim, heads, causal, dropout, gen, gen);
    }

    /** As above, with the dropout masks drawn from their own generator ({@code masks}). */
    public TransformerBlock(int dim, int heads, boolean causal, double dropout, Generator gen, Generator masks) {
        Check.argument(dim > 0, "TransformerBlock", "expected dim > 0, got %d", dim);
        norm1 = addModule("norm1", new LayerNorm(dim));
        attention = addModule("attention", new MultiHeadAttention(dim, heads, causal, dropout, gen, masks));
        norm2 = addModule("norm2", new LayerNorm(dim));
        mlp = addModule("mlp", new Sequential(new Linear(dim, MLP_RATIO * dim, gen), new GELU(),
                new Linear(MLP_RATIO * dim, dim, gen)));
        residualDropout = addModule("dropout", new Dropout(dropout, masks));
    }

    public MultiHeadAttention attention() {
        return attention;
    }

    /** The MLP's first linear map (dim → 4·dim). */
    public Linear mlpIn() {
        return (Linear) mlp.get(0);
    }

    /** The MLP's last linear map (4·dim → dim), which writes into the residual stream. */
    public Linear mlpOut() {
        return (Linear) mlp.get(2);
    }

    @Override
    public Variable forward(Variable x) {
        return forward(x, null, 0);
    }

    Variable forward(Variable x, KeyValueCache cache, int layer) {
        Variable h = x.add(residualDropout.forward(attention.forward(norm1.forward(x), cache, layer)));
        return h.add(residualDropout.forward(mlp.forward(norm2.forward(h))));
    }
}
