package dev.descent.nn.transformer;

import dev.descent.autograd.GradMode;
import dev.descent.autograd.Variable;
import dev.descent.core.Check;
import dev.descent.core.DType;
import dev.descent.core.Generator;
import dev.descent.core.Tensor;
import dev.descent.nn.Dropout;
import dev.descent.nn.Embedding;
import dev.descent.nn.LayerNorm;
import dev.descent.nn.Linear;
import dev.descent.nn.Module;
import dev.descent.nn.Sequential;
import dev.descent.nn.init.Init;

/**
 * A decoder-only transformer language model in the shape of GPT-2 (Radford et al. 2019) as
 * nanoGPT writes it: token embeddings plus learned position embeddings, {@code layers} pre-norm
 * {@link TransformerBlock}s with causal attention, a final {@link LayerNorm}, and output logits
 * through the token embedding's own matrix (tied weights, Press and Wolf 2017):
 *
 * <pre>
 * x = dropout(E[tokens] + P[0..t-1])          E: [vocab, dim], P: [context, dim]
 * x = block_L(... block_1(x))
 * logits = norm(x) Eᵀ                          [batch, time, vocab]
 * </pre>
 *
 * <p>Initialisation as GPT-2/nanoGPT: every linear weight and both embeddings ~ N(0, 0.02²), biases 0,
 * and the maps that write into the residual stream (attention's {@code out}, the MLP's last layer)
 * ~ N(0, (0.02/√(2·layers))²); layer norms start at γ = 1, β = 0.
 *
 * <p>Input: token ids {@code [batch, time]} (int32 or int64), time ≤ context. For generation,
 * {@link #forward(Tensor, KeyValueCache)} runs the new tokens only, against a {@link KeyValueCache}
 * of the earlier ones.
 */
public final class Gpt extends Module {
    /** GPT-2's initial standard deviation. */
    public static final double INIT_STD = 0.02;

    private final GptConfig config;
    private final Embedding tokens;
    private final Embedding positions;
    private final Dropout embeddingDropout;
    private final Sequential blocks;
    private final LayerNorm norm;

    /** A model initialised from {@code gen}, which also draws its dropout masks. */
    public Gpt(GptConfig config, Generator gen) {
        this(config, gen, gen);
    }

    /** A model initialised from {@code gen}, its dropout masks drawn from {@code masks}. */
    public Gpt(GptConfig config, Generator gen, Generator masks) {
        Check.argument(config != null && gen != null && masks != null, "Gpt",
                "expected a configuration and generators");
        this.config = config;
        int d = config.dim();
        tokens = addModule("tokenEmbedding", new Embedding(config.vocab(), d, gen));
        positions = addModule("positionEmbedding", new Embedding(config.context(), d, gen));
        embeddingDropout = addModule("dropout", new Dropout(config.dropout(), masks));
        blocks = addModule("blocks", new Sequential());
        for (int l = 0; l < config.layers(); l++) {
            blocks.add(new TransformerBlock(d, config.heads(), true, config.dropout(), gen, masks));
        }
        norm = addModule("norm", new LayerNorm(d));
        initialise(gen);
    }

    private void initialise(Generator gen) {
        double residualStd = INIT_STD / Math.sqrt(2.0 * config.layers());
        Init.normal(tokens.weight().data(), gen, 0, INIT_STD);
        Init.normal(positions.weight().data(), gen, 0, INIT_STD);
        for (int l = 0; l < config.layers(); l++) {
            TransformerBlock b = block(l);
            initLinear(b.attention().qkv(), gen, INIT_STD);
            initLinear(b.attention().out(), gen, residualStd);
            initLinear(b.mlpIn(), gen, INIT_STD);
            initLinear(b.mlpOut(), gen, residualStd);
        }
    }

    private static void initLinear(Linear layer, Generator gen, double std) {
        Init.normal(layer.weight().data(), gen, 0, std);
        Init.zeros(layer.bias().data());
    }

    public GptConfig config() {
        return config;
    }

    /** Block {@code l} (from 0). */
    public TransformerBlock block(int l) {
        return (TransformerBlock) blocks.get(l);
    }

    /** The token embedding E, whose matrix also gives the logits. */
    public Embedding tokenEmbedding() {
        return tokens;
    }

    /** Logits {@code [batch, time, vocab]} for token ids {@code [batch, time]}. */
    @Override
    public Variable forward(Variable ids) {
        return forward(ids.data(), null);
    }

    /**
     * Logits for the new tokens {@code ids} ({@code [batch, t]}); with a cache, they follow its
     * {@link KeyValueCache#length()} cached positions, attend to them, are added to it, and the
     * cache advances by t. Recorded for autograd only without a cache.
     */
    public Variable forward(Tensor ids, KeyValueCache cache) {
        String op = "Gpt.forward";
        ids.checkOpen(op);
        Check.argument(ids.rank() == 2, op, "expected token ids of shape [batch, time], got %s", ids.shape());
        int t = ids.size(1);
        int start = cache == null ? 0 : cache.length();
        Check.argument(t >= 1 && start + t <= config.context(), op,
                "expected 1 to %d tokens (the context) in all, got %d%s", config.context(), start + t,
                cache == null ? "" : " (" + start + " cached)");
        if (cache != null) {
            Check.argument(cache.layers() == config.layers() && !GradMode.isEnabled(), op,
                    "a key/value cache is for generation: one of %d layers, used under NoGrad", config.layers());
        }
        Variable x = tokens.lookup(ids).add(positions.weight().narrow(0, start, t));
        x = embeddingDropout.forward(x);
        for (int l = 0; l < config.layers(); l++) {
            x = block(l).forward(x, cache, l);
        }
        if (cache != null) {
            cache.advance(t);
        }
        return norm.forward(x).matmul(tokens.weight().t());
    }

    /** An empty cache for generating {@code batch} sequences with this model. */
    public KeyValueCache newCache(int batch) {
        Variable w = tokens.weight();
        return new KeyValueCache(config.layers(), batch, config.heads(), config.context(),
                config.dim() / config.heads(), w.dtype(), w.device());
    }

    /** The parameters' dtype. */
    public DType dtype() {
        return tokens.weight().dtype();
    }

    @Override
    protected String describeSettings() {
        return config.toString();
    }
}
