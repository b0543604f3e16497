package dev.descent.autograd;

import dev.descent.core.Check;
import dev.descent.core.Scope;
import dev.descent.core.Shape;
import dev.descent.core.Tensor;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * One reverse sweep over the graph (seed 004 eq. 2.11): the nodes reachable from the roots are
 * put in topological order, and each, from the roots back, receives the sum of the gradients of
 * its output and hands each input the gradient its rule computes. Leaves either accumulate into
 * {@link Variable#grad()} ({@link #accumulate}) or, for {@link Autograd#grad}, are collected
 * without touching {@code grad()} ({@link #grad}). A leaf's first gradient is the pass's own
 * tensor, adopted without a copy, when no other handle or view shares its memory.
 *
 * <p>Broadcasting is undone here, once for every op: each rule hands back its input's gradient
 * in the broadcast shape, and the pass sums it to the input's shape ({@link #unbroadcast}).
 *
 * <p>Memory: without {@code createGraph}, rules run under {@link NoGrad} inside a {@link Scope}
 * that releases their temporaries at once; every gradient in flight is a handle this pass owns
 * and closes when it is consumed. Unless the graph is retained, each node is freed right after
 * its rule ran: its consumers, which come before it in the sweep, are done with its output.
 *
 * <p>A leaf's gradient is complete once every node that uses the leaf has run; a pass given a
 * listener counts those uses before the sweep and reports each leaf when its count reaches zero
 * ({@link Variable#backward(Consumer)}).
 */
final class BackwardPass {
    private final boolean retainGraph;
    private final boolean createGraph;
    private final Map<Variable, Variable> captured;
    private final Set<Variable> protect = Collections.newSetFromMap(new IdentityHashMap<>());
    private final Map<Node, Variable> pending = new IdentityHashMap<>();
    private Set<Node> leadsToTarget;
    private Set<Node> reachesTarget;
    private Consumer<Variable> onLeafComplete;
    private Map<Variable, int[]> leafUsesLeft;

    private BackwardPass(boolean retainGraph, boolean createGraph, Map<Variable, Variable> captured) {
        this.retainGraph = retainGraph || createGraph;
        this.createGraph = createGraph;
        this.captured = captured;
    }

    /** {@link Variable#backward(Variable, boolean, boolean)}. */
    static void accumulate(Variable root, Variable seed, boolean retainGraph, boolean createGraph) {
        accumulate(root, seed, retainGraph, createGraph, null);
    }

    /** {@link Variable#backward(Consumer)}: as above, reporting each leaf whose gradient is complete. */
    static void accumulate(Variable root, Variable seed, boolean retainGraph, boolean createGraph,
            Consumer<Variable> onLeafComplete) {
        checkRoot("backward", root);
        BackwardPass pass = new BackwardPass(retainGraph, createGraph, null);
        pass.onLeafComplete = onLeafComplete;
        pass.protect.add(root);
        pass.run(List.of(root), Collections.singletonList(seed), "backward");
    }

    /** {@link Autograd#grad(List, List, List, boolean, boolean)}. */
    static List<Variable> grad(List<Variable> roots, List<Variable> seeds, List<Variable> inputs, boolean retainGraph,
            boolean createGraph) {
        String op = "Autograd.grad";
        Check.argument(!roots.isEmpty(), op, "expected at least one output");
        Check.argument(!inputs.isEmpty(), op, "expected at least one input");
        Check.argument(seeds == null || seeds.size() == roots.size(), op, "%d seeds for %d outputs",
                seeds == null ? 0 : seeds.size(), roots.size());
        for (Variable r : roots) {
            checkRoot(op, r);
        }
        Map<Variable, Variable> captured = new IdentityHashMap<>();
        for (int i = 0; i < inputs.size(); i++) {
            Check.argument(inputs.get(i).requiresGrad(), op, "input %d (%s) does not require grad", i,
                    inputs.get(i).describe());
            captured.put(inputs.get(i), null);
        }
        BackwardPass pass = new BackwardPass(retainGraph, createGraph, captured);
        pass.protect.addAll(roots);
        pass.protect.addAll(inputs);
        List<Variable> s = seeds != null ? seeds : Collections.nCopies(roots.size(), null);
        try {
            pass.run(roots, s, op);
        } catch (RuntimeException e) {
            for (Variable g : captured.values()) {
                if (g != null) {
                    pass.release(g);
                }
            }
            throw e;
        }
        return pass.results(inputs);
    }

    /** {@link Variable#freeGraph()}: frees every node reachable from {@code root}, keeping root's value. */
    static void free(Variable root) {
        for (Node n : topologicalOrder(List.of(root), false)) {
            n.free(n.outputValue() == root);
        }
    }

    private static void checkRoot(String op, Variable root) {
        root.use(op);
        Check.argument(root.requiresGrad(), op, "the value %s does not require grad: none of the values it was"
                + " computed from requires grad, or it was computed under NoGrad", root.describe());
    }

    // ---------------------------------------------------------------- the sweep

    private void run(List<Variable> roots, List<Variable> seeds, String op) {
        List<Node> order = topologicalOrder(roots, true);
        if (captured != null) {
            markTargetPaths(order);
        }
        if (onLeafComplete != null) {
            countLeafUses(order);
        }
        // Rules run recorded only with createGraph; the mode holds for the whole sweep.
        boolean previousMode = GradMode.set(createGraph);
        try {
            for (int i = 0; i < roots.size(); i++) {
                route(roots.get(i), seed(op, roots.get(i), seeds.get(i)));
            }
            for (int k = order.size() - 1; k >= 0; k--) {
                Node n = order.get(k);
                Variable g = pending.remove(n);
                if (g != null) {
                    try {
                        if (captured != null && captured.containsKey(n.outputValue())) {
                            capture(n.outputValue(), createGraph ? g : owned(handle(g.use(op))));
                        }
                        if (captured == null || leadsToTarget.contains(n)) {
                            propagate(n, g);
                        }
                    } finally {
                        release(g);
                    }
                }
                if (onLeafComplete != null) {
                    reportCompleteLeaves(n);
                }
                if (!retainGraph) {
                    n.free(protect.contains(n.outputValue()));
                }
            }
        } finally {
            GradMode.set(previousMode);
            for (Variable g : pending.values()) {
                release(g);
            }
            pending.clear();
        }
    }

    /** Runs the node's rule for every input that needs a gradient, and routes each gradient on. */
    private void propagate(Node n, Variable g) {
        Variable[] inputs = n.inputs();
        Variable[] grads = new Variable[inputs.length];
        Scope scope = createGraph ? null : Scope.open();
        try {
            for (int i = 0; i < inputs.length; i++) {
                if (wanted(inputs[i])) {
                    Variable gi = unbroadcast(n, i, n.rule().gradient(n, g, i));
                    checkGradient(n, i, gi);
                    grads[i] = createGraph ? gi : owned(handle(gi.data()));
                }
            }
        } catch (RuntimeException e) {
            for (Variable gi : grads) {
                if (gi != null) {
                    release(gi);
                }
            }
            throw e;
        } finally {
            if (scope != null) {
                scope.close();
            }
        }
        for (int i = 0; i < inputs.length; i++) {
            if (grads[i] != null) {
                route(inputs[i], grads[i]);
            }
        }
    }

    /**
     * The one place that undoes broadcasting: a rule returns its input's gradient in the shape the
     * input was broadcast to (the output's, for elementwise ops), and it is summed back here to the
     * input's own shape. With createGraph the sum is recorded like any other op.
     */
    private static Variable unbroadcast(Node n, int input, Variable gi) {
        Shape target = n.inputs()[input].shape();
        if (gi.shape().equals(target) || !target.broadcastsTo(gi.shape())) {
            return gi;
        }
        return gi.sumTo(target);
    }

    private boolean wanted(Variable input) {
        if (!input.requiresGrad()) {
            return false;
        }
        if (captured == null) {
            return true;
        }
        return input.gradFn() == null ? captured.containsKey(input) : reachesTarget.contains(input.gradFn());
    }

    /** Hands gradient {@code g} (owned by this pass) to the node that made {@code v}, or to leaf {@code v}. */
    private void route(Variable v, Variable g) {
        Node n = v.gradFn();
        if (n != null && (captured == null || reachesTarget.contains(n))) {
            Variable previous = pending.get(n);
            pending.put(n, previous == null ? g : sum(previous, g));
        } else if (n == null && captured != null && captured.containsKey(v)) {
            capture(v, g);
        } else if (n == null && captured == null && v.requiresGrad()) {
            accumulateLeaf(v, g);
        } else {
            release(g);
        }
    }

    private void capture(Variable target, Variable g) {
        Variable previous = captured.get(target);
        captured.put(target, previous == null ? g : sum(previous, g));
    }

    private void accumulateLeaf(Variable leaf, Variable g) {
        Variable current = leaf.grad();
        if (createGraph) {
            leaf.setGrad((current == null ? ViewOps.alias(g) : current.add(g)).keep(), false);
            return;
        }
        if (current == null && g.data().ownsMemoryAlone()) {
            // Nothing else sees this memory (not a view of another value, not also routed to another
            // input), so the leaf adopts it rather than a copy.
            leaf.setGrad(g, true);
            return;
        }
        try {
            if (current == null) {
                leaf.setGrad(Variable.constant(g.data().copy()), true);
            } else if (leaf.gradOwned()) {
                current.data().addInPlace(g.data());
            } else {
                leaf.setGrad(Variable.constant(current.data().add(g.data())), true);
            }
        } finally {
            release(g);
        }
    }

    /** {@code a + b}; without createGraph both are consumed. */
    private Variable sum(Variable a, Variable b) {
        if (createGraph) {
            return a.add(b);
        }
        try {
            return owned(a.data().add(b.data()));
        } finally {
            release(a);
            release(b);
        }
    }

    private void release(Variable g) {
        if (!createGraph) {
            g.close();
        }
    }

    private Variable seed(String op, Variable root, Variable seed) {
        Variable s;
        if (seed == null) {
            Check.argument(root.numel() == 1, op, "a seed gradient is needed for the value %s: only a one-element"
                    + " value has the implicit seed 1", root.describe());
            s = createGraph ? Variable.constant(Tensor.ones(root.device(), root.dtype(), root.shape().dims()))
                    : owned(Tensor.ones(root.device(), root.dtype(), root.shape().dims()));
        } else {
            Tensor t = seed.use(op);
            Check.argument(t.shape().equals(root.shape()), op, "the seed has shape %s, expected %s (the shape of %s)",
                    t.shape(), root.shape(), root.describe());
            Check.sameDType(op, t, root.data());
            s = createGraph ? seed : owned(handle(t));
        }
        if (AnomalyMode.isEnabled() && !isFinite(s.data())) {
            release(s);
            throw new NonFiniteGradientException("seed", op + ": the seed gradient has a NaN or an infinity", null);
        }
        return s;
    }

    private static void checkGradient(Node n, int input, Variable gi) {
        Variable in = n.inputs()[input];
        if (!gi.shape().equals(in.shape()) || gi.dtype() != in.dtype()) {
            throw new IllegalStateException("backward of '" + n.op() + "' returned a gradient " + gi.dtype()
                    + gi.shape() + " for input " + input + " of " + in.dtype() + in.shape());
        }
        if (AnomalyMode.isEnabled() && !isFinite(gi.data())) {
            Throwable at = n.createdAt();
            throw new NonFiniteGradientException(n.op(), "backward of '" + n.op() + "' produced a non-finite gradient"
                    + " (NaN or infinity) for its input " + input + " (" + in.describe() + ") from a finite incoming"
                    + " gradient" + (at == null ? "; enable AnomalyMode before the forward pass to see where the op"
                    + " was called" : "; the op was called at the location in the cause"), at);
        }
    }

    private static boolean isFinite(Tensor t) {
        try (Tensor d = t.sub(t); Tensor s = d.sum()) {
            return !Double.isNaN(s.item());
        }
    }

    /**
     * A gradient in flight, owned by this pass alone: taken out of any {@link Scope} (the pass
     * closes it when it is consumed), so a long-lived user scope does not collect dead handles.
     */
    private static Variable owned(Tensor t) {
        return Variable.constant(Scope.escape(t));
    }

    /** A second handle on the same memory, so that closing one does not free it under the other. */
    private static Tensor handle(Tensor t) {
        return t.to(t.dtype());
    }

    /** One gradient per input: zeros where none arrived; fresh values the caller owns. */
    private List<Variable> results(List<Variable> inputs) {
        List<Variable> out = new ArrayList<>(inputs.size());
        for (Variable in : inputs) {
            Variable g = captured.get(in);
            if (g == null) {
                out.add(Variable.constant(Tensor.zeros(in.device(), in.dtype(), in.shape().dims())));
            } else if (createGraph) {
                boolean previous = GradMode.set(true);
                try {
                    out.add(ViewOps.alias(g).keep());
                } finally {
                    GradMode.set(previous);
                }
            } else {
                // A handle of its own, made in the caller's scope (if any) like any other result.
                out.add(Variable.constant(handle(g.data())));
            }
        }
        for (Variable g : captured.values()) {
            if (g != null) {
                release(g);
            }
        }
        return out;
    }

    /** How many input slots of the swept nodes each leaf that requires grad fills. */
    private void countLeafUses(List<Node> order) {
        leafUsesLeft = new IdentityHashMap<>();
        for (Node n : order) {
            for (Variable in : n.inputs()) {
                if (in.gradFn() == null && in.requiresGrad()) {
                    leafUsesLeft.computeIfAbsent(in, k -> new int[1])[0]++;
                }
            }
        }
    }

    /** After node {@code n}'s turn (its rule run, or no gradient reached it): the leaves it was the last user of. */
    private void reportCompleteLeaves(Node n) {
        for (Variable in : n.inputs()) {
            int[] left = in.gradFn() == null ? leafUsesLeft.get(in) : null;
            if (left != null && --left[0] == 0 && in.grad() != null) {
                onLeafComplete.accept(in);
            }
        }
    }

    // ---------------------------------------------------------------- graph order

    /** Nodes reachable from the roots, each after all of its inputs' nodes (reverse it to sweep). */
    static List<Node> topologicalOrder(List<Variable> roots, boolean strict) {
        List<Node> order = new ArrayList<>();
        Set<Node> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        Deque<Frame> stack = new ArrayDeque<>();
        for (Variable r : roots) {
            visit(r, seen, stack, strict);
            while (!stack.isEmpty()) {
                Frame f = stack.peek();
                Variable[] inputs = f.node.inputs();
                if (f.next < inputs.length) {
                    visit(inputs[f.next++], seen, stack, strict);
                } else {
                    stack.pop();
                    order.add(f.node);
                }
            }
        }
        return order;
    }

    private static void visit(Variable v, Set<Node> seen, Deque<Frame> stack, boolean strict) {
        Node n = v.gradFn();
        if (n == null || !v.requiresGrad() || seen.contains(n)) {
            return;
        }
        if (n.isFreed()) {
            if (strict) {
                throw new IllegalStateException("backward: the graph was already freed at '" + n.op() + "' by an"
                        + " earlier backward() or freeGraph(); to go through it again, pass retainGraph = true to the"
                        + " first backward()");
            }
            return;
        }
        seen.add(n);
        stack.push(new Frame(n));
    }

    /** For {@link Autograd#grad}: which nodes lead to a target, so that nothing else is computed. */
    private void markTargetPaths(List<Node> order) {
        leadsToTarget = Collections.newSetFromMap(new IdentityHashMap<>());
        reachesTarget = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Node n : order) {
            boolean leads = false;
            for (Variable in : n.inputs()) {
                Node m = in.gradFn();
                leads |= in.requiresGrad() && (m == null ? captured.containsKey(in) : reachesTarget.contains(m));
            }
            if (leads) {
                leadsToTarget.add(n);
            }
            if (leads || captured.containsKey(n.outputValue())) {
                reachesTarget.add(n);
            }
        }
    }

    private static final class Frame {
        final Node node;
        int next;

        Frame(Node node) {
            this.node = node;
        }
    }
}
