package dev.descent.optim;

import dev.descent.autograd.Variable;
import dev.descent.core.Check;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Parameters split for weight decay as GPT-2 and nanoGPT train them: matrices and embedding tables
 * (rank ≥ 2) decay, biases and normalisation scales (rank ≤ 1) do not, since shrinking a bias or a
 * gain towards 0 is not the regularisation that decay is for (Loshchilov and Hutter 2019 decouple
 * it; nanoGPT's {@code configure_optimizers} groups it so).
 *
 * <pre>{@code
 * WeightDecayGroups groups = WeightDecayGroups.matricesOnly(model.parameters());
 * AdamW opt = groups.adamW(1e-3, 0.1);      // two groups: decayed, then not
 * }</pre>
 *
 * @param decayed parameters of rank ≥ 2, in the order given
 * @param notDecayed parameters of rank ≤ 1, in the order given
 */
public record WeightDecayGroups(List<Variable> decayed, List<Variable> notDecayed) {

    public WeightDecayGroups {
        decayed = List.copyOf(decayed);
        notDecayed = List.copyOf(notDecayed);
    }

    /** The parameters split by rank: matrices (and higher) decay, vectors and scalars do not. */
    public static WeightDecayGroups matricesOnly(List<Variable> params) {
        Check.argument(params != null, "WeightDecayGroups", "expected a list of parameters, got null");
        List<Variable> decay = new ArrayList<>();
        List<Variable> keep = new ArrayList<>();
        for (Variable p : params) {
            (p.rank() >= 2 ? decay : keep).add(p);
        }
        return new WeightDecayGroups(decay, keep);
    }

    /**
     * Adds the groups to {@code optimizer}, whose first group must be {@link #decayed} (built from
     * it, with the decay): the rank ≤ 1 parameters join as a second group with {@code weightDecay}
     * 0 (an optimiser without that hyper-parameter gets them as a plain second group). Returns the
     * optimiser.
     */
    public <O extends Optimizer> O addNotDecayedTo(O optimizer) {
        Check.argument(optimizer.paramGroups().size() == 1 && optimizer.paramGroups().get(0).params().equals(decayed),
                "WeightDecayGroups", "expected an optimiser built on the decayed parameters alone");
        if (!notDecayed.isEmpty()) {
            boolean decays = optimizer.paramGroups().get(0).has("weightDecay");
            optimizer.addParamGroup(notDecayed, decays ? Map.of("weightDecay", 0.0) : Map.of());
        }
        return optimizer;
    }

    /** AdamW over both groups: {@code weightDecay} for the matrices, none for the rest. */
    public AdamW adamW(double lr, double weightDecay) {
        return addNotDecayedTo(new AdamW(decayed, lr, weightDecay));
    }
}
