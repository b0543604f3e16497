package dev.descent.autograd;

import dev.descent.core.Tensor;

/**
 * One recorded op of the graph (PyTorch's {@code grad_fn}): its inputs, its output, and the
 * rule that turns the gradient of its output into the gradient of each input. Every
 * differentiable op of {@link Variable} records one node with {@link #record}; the rule is a
 * lambda written next to the op's forward computation.
 *
 * <p>Values a rule needs from the forward pass (an input, the output) are read through
 * {@link #saved}, which checks that they were not changed in place since the op ran.
 *
 * <p>A node is freed after a backward pass goes through it (unless the pass retains the
 * graph): its rule and references are dropped and its output's memory is released, unless
 * that output is a root or a target of the pass, or was {@linkplain Variable#keep() kept}.
 */
public final class Node {
    /**
     * The gradient of input {@code input}, given the gradient {@code g} of the node's output.
     * Written with {@link Variable} ops, so that with {@code createGraph} it is itself recorded
     * and can be differentiated again. Called only for inputs that require grad.
     */
    @FunctionalInterface
    interface Rule {
        Variable gradient(Node n, Variable g, int input);
    }

    private final String op;
    private Variable[] inputs;
    private int[] inputVersions;
    private Variable output;
    private int outputVersion;
    private Rule rule;
    private Tensor[] owned;
    private final Throwable createdAt;
    private boolean freed;

    private Node(String op, Variable[] inputs, Rule rule, Tensor[] owned) {
        this.op = op;
        this.inputs = inputs;
        this.rule = rule;
        this.owned = owned;
        this.inputVersions = new int[inputs.length];
        for (int i = 0; i < inputs.length; i++) {
            inputVersions[i] = inputs[i].versionCounter().value();
        }
        this.createdAt = AnomalyMode.isEnabled() ? new Throwable("forward call of '" + op + "'") : null;
    }

    /**
     * The output of op {@code op}, computed as {@code out}, with a node recording {@code rule}
     * when grad mode is on and some input requires grad; otherwise a plain value.
     */
    static Variable record(String op, Tensor out, Rule rule, Variable... inputs) {
        return record(op, out, new Version(), null, rule, inputs);
    }

    /** As {@link #record}, for a view: the output shares memory, so it shares the version counter. */
    static Variable recordView(String op, Tensor out, Rule rule, Variable input) {
        return record(op, out, input.versionCounter(), null, rule, new Variable[] {input});
    }

    /**
     * As {@link #record}, where the rule also needs tensors that are not values of the graph
     * (an index, a mask): the node owns them and closes them when freed.
     */
    static Variable recordOwning(String op, Tensor out, Tensor[] owned, Rule rule, Variable... inputs) {
        return record(op, out, new Version(), owned, rule, inputs);
    }

    private static Variable record(String op, Tensor out, Version version, Tensor[] owned, Rule rule,
            Variable[] inputs) {
        if (!GradMode.isEnabled() || !anyRequiresGrad(inputs)) {
            closeAll(owned);
            return new Variable(out, null, false, version);
        }
        Node n = new Node(op, inputs.clone(), rule, owned);
        Variable v = new Variable(out, n, true, version);
        n.output = v;
        n.outputVersion = version.value();
        return v;
    }

    private static boolean anyRequiresGrad(Variable[] inputs) {
        for (Variable v : inputs) {
            if (v.requiresGrad()) {
                return true;
            }
        }
        return false;
    }

    /** The op's name, as errors print it. */
    public String op() {
        return op;
    }

    /** Whether a backward pass (or {@link Variable#freeGraph()}) already released this node. */
    public boolean isFreed() {
        return freed;
    }

    @Override
    public String toString() {
        return "Node(" + op + (freed ? ", freed)" : ")");
    }

    // ---------------------------------------------------------------- for rules

    /**
     * {@code v}, an input or the output of this node, after checking that it was not changed
     * in place since the op ran: a rule must see the values the forward pass saw.
     */
    Variable saved(Variable v) {
        if (v == output) {
            checkVersion(v, outputVersion, "its output");
            return v;
        }
        for (int i = 0; i < inputs.length; i++) {
            if (inputs[i] == v) {
                checkVersion(v, inputVersions[i], "its input " + i);
                return v;
            }
        }
        throw new IllegalStateException("backward of '" + op + "': saved() was given a value that is neither an"
                + " input nor the output of the op");
    }

    /** The node's output, checked as {@link #saved}. */
    Variable output() {
        return saved(output);
    }

    private void checkVersion(Variable v, int expected, String which) {
        int now = v.versionCounter().value();
        if (now != expected) {
            throw new IllegalStateException(String.format(
                    "backward of '%s': %s (%s), which it saved for the backward pass, was modified in place by %s"
                            + " after the forward pass (version %d, saved at version %d); change a copy instead, or"
                            + " make the change after backward()",
                    op, which, v.describe(), v.versionCounter().lastOp(), now, expected));
        }
    }

    // ---------------------------------------------------------------- for the backward pass

    Variable[] inputs() {
        return inputs;
    }

    Variable outputValue() {
        return output;
    }

    Rule rule() {
        return rule;
    }

    Throwable createdAt() {
        return createdAt;
    }

    /**
     * Drops the rule and references, and releases the output's memory unless {@code keepOutput}.
     * Idempotent.
     */
    void free(boolean keepOutput) {
        if (freed) {
            return;
        }
        freed = true;
        if (!keepOutput && output != null && !output.isKept()) {
            output.releaseByGraph();
        }
        closeAll(owned);
        owned = null;
        rule = null;
        inputs = null;
        inputVersions = null;
        output = null;
    }

    private static void closeAll(Tensor[] tensors) {
        if (tensors != null) {
            for (Tensor t : tensors) {
                t.close();
            }
        }
    }
}
