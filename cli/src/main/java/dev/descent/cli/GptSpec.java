package dev.descent.cli;

import dev.descent.core.Generator;
import dev.descent.nn.transformer.Gpt;
import dev.descent.nn.transformer.GptConfig;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A GPT written {@code gpt:layers=4,heads=4,dim=128,context=128} ({@link Gpt}: token and learned
 * position embeddings, pre-norm blocks with causal attention and an MLP of 4·dim, a final layer
 * norm, logits through the token embedding). Every key may be left out; those given replace the
 * defaults, which are nanoGPT's small character model: 4 layers, 4 heads, width 128, context 128.
 * The vocabulary comes from the data (its tokenizer).
 */
public record GptSpec(int layers, int heads, int dim, int context) {
    static final String PREFIX = "gpt";
    private static final String FORM = "gpt:layers=L,heads=H,dim=D,context=T";

    /** Whether {@code text} names a GPT (and not an MLP). */
    public static boolean matches(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        return t.equals(PREFIX) || t.startsWith(PREFIX + ":");
    }

    /** Parses {@code gpt[:key=value,...]}; a one-line {@link UserError} for anything else. */
    public static GptSpec parse(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        if (!matches(t)) {
            throw new UserError("--model: expected " + FORM + ", got '" + text + "'");
        }
        Map<String, Integer> v = new LinkedHashMap<>(Map.of("layers", 4, "heads", 4, "dim", 128, "context", 128));
        String rest = t.length() > PREFIX.length() ? t.substring(PREFIX.length() + 1) : "";
        for (String part : rest.isEmpty() ? new String[0] : rest.split(",")) {
            String[] kv = part.split("=", -1);
            if (kv.length != 2 || !v.containsKey(kv[0].trim())) {
                throw new UserError("--model: expected " + FORM + " (keys layers, heads, dim, context), got '" + part
                        + "' in '" + text + "'");
            }
            try {
                int n = Integer.parseInt(kv[1].trim());
                if (n < 1) {
                    throw new NumberFormatException();
                }
                v.put(kv[0].trim(), n);
            } catch (NumberFormatException e) {
                throw new UserError("--model: " + kv[0].trim() + " must be a positive integer, got '" + kv[1] + "' in '"
                        + text + "'");
            }
        }
        if (v.get("dim") % v.get("heads") != 0) {
            throw new UserError("--model: dim (" + v.get("dim") + ") must be a multiple of heads (" + v.get("heads")
                    + ") in '" + text + "'");
        }
        return new GptSpec(v.get("layers"), v.get("heads"), v.get("dim"), v.get("context"));
    }

    /** The model's configuration for a vocabulary of {@code vocab} tokens. */
    public GptConfig config(int vocab, double dropout) {
        return new GptConfig(vocab, context, layers, heads, dim, dropout);
    }

    /** The model, initialised from {@code init}, its dropout masks from {@code masks}. */
    public Gpt build(int vocab, double dropout, Generator init, Generator masks) {
        return new Gpt(config(vocab, dropout), init, masks);
    }

    @Override
    public String toString() {
        return PREFIX + ":layers=" + layers + ",heads=" + heads + ",dim=" + dim + ",context=" + context;
    }
}
