package dev.descent.nn.transformer;

import dev.descent.autograd.Variable;
import dev.descent.core.Check;
import dev.descent.core.Generator;
import dev.descent.core.Tensor;
import dev.descent.nn.Dropout;
import dev.descent.nn.Linear;
import dev.descent.nn.Module;

/**
 * Multi-head scaled dot-product self-attention (Vaswani et al. 2017, §3.2), in the layout of
 * GPT-2 and nanoGPT: one linear map {@code qkv} (dim → 3·dim, with bias; its rows in thirds give
 * queries, keys and values) split into {@code heads} heads of {@code dim/heads}; each head computes
 *
 * <pre>
 * A = softmax(Q Kᵀ / √d_head)       (causal: position i sees positions ≤ i)
 * Y = dropout(A) V
 * </pre>
 *
 * and the heads, joined again, go through the linear map {@code out} (dim → dim, with bias).
 * The products are the backend's batched matmul over [batch, heads]; the causal mask is the
 * backend's causal softmax (no mask tensor, no −∞ fill). Dropout acts on the attention weights
 * in training.
 *
 * <p>Input and output are {@code [batch, time, dim]}. With a {@link KeyValueCache} the new
 * positions attend to the cached ones too (the cache is given by the model, which advances it).
 */
public final class MultiHeadAttention extends Module {
    private final int dim;
    private final int heads;
    private final boolean causal;
    private final Linear qkv;
    private final Linear out;
    private final Dropout attentionDropout;

    /**
     * @param dim the model width, divisible by {@code heads}
     * @param causal whether position i attends to positions ≤ i only
     * @param dropout the probability of dropping an attention weight in training
     * @param gen initial weights (PyTorch's Linear defaults; a model may re-initialise) and dropout masks
     */
    public MultiHeadAttention(int dim, int heads, boolean causal, double dropout, Generator gen) {
        this(dim, heads, causal, dropout, gen, gen);
    }

    /** As above, with the dropout masks drawn from their own generator ({@code masks}). */
    public MultiHeadAttention(int dim, int heads, boolean causal, double dropout, Generator gen, Generator masks) {
        Check.argument(dim > 0 && heads > 0 && dim % heads == 0, "MultiHeadAttention",
                "expected a width divisible by the number of heads, got dim %d, heads %d", dim, heads);
        this.dim = dim;
        this.heads = heads;
        this.causal = causal;
        this.qkv = addModule("qkv", new Linear(dim, 3 * dim, gen));
        this.out = addModule("out", new Linear(dim, dim, gen));
        this.attentionDropout = addModule("dropout", new Dropout(dropout, masks));
    }

    public int heads() {
        return heads;
    }

    public int headDim() {
        return dim / heads;
    }

    /** The query/key/value map, dim → 3·dim. */
    public Linear qkv() {
        return qkv;
    }

    /** The output map, dim → dim. */
    public Linear out() {
        return out;
    }

    @Override
    public Variable forward(Variable x) {
        return forward(x, null, 0);
    }

    /**
     * Attention over {@code x} ({@code [batch, time, dim]}), with the keys and values of
     * {@code cache}'s layer {@code layer} before them when a cache is given.
     */
    Variable forward(Variable x, KeyValueCache cache, int layer) {
        Check.argument(x.rank() == 3 && x.size(2) == dim, "MultiHeadAttention.forward",
                "expected input of shape [batch, time, %d], got %s", dim, x.shape());
        int b = x.size(0);
        int t = x.size(1);
        int hd = dim / heads;
        Variable q = project(x, 0, b, t, hd);
        Variable k = project(x, 1, b, t, hd);
        Variable v = project(x, 2, b, t, hd);
        if (cache != null) {
            Tensor[] kv = cache.append(layer, k.data(), v.data());
            k = Variable.of(kv[0]);
            v = Variable.of(kv[1]);
        }
        Variable scores = q.matmul(k.transpose(2, 3)).mul(1 / Math.sqrt(hd));
        Variable weights = causal ? scores.causalSoftmax() : scores.softmax(3);
        Variable y = attentionDropout.forward(weights).matmul(v);
        return out.forward(y.permute(0, 2, 1, 3).reshape(b, t, dim));
    }

    /**
     * Part {@code which} (0: queries, 1: keys, 2: values) of the qkv map, as [batch, heads, time,
     * headDim]: its rows of the weight and bias applied to {@code x}. Slicing the (small) weight
     * rather than the (large) output keeps the gradient from filling three output-sized zero
     * tensors and adding them.
     */
    private Variable project(Variable x, int which, int b, int t, int hd) {
        Variable w = qkv.weight().narrow(0, which * dim, dim);
        Variable bias = qkv.bias().narrow(0, which * dim, dim);
        return x.matmul(w.t()).add(bias).reshape(b, t, heads, hd).permute(0, 2, 1, 3);
    }

    @Override
    protected String describeSettings() {
        return "dim=" + dim + ", heads=" + heads + ", causal=" + causal;
    }
}
