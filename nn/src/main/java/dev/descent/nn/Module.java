package dev.descent.nn;

import dev.descent.autograd.NoGrad;
import dev.descent.autograd.Variable;
import dev.descent.core.Check;
import dev.descent.core.DType;
import dev.descent.core.Device;
import dev.descent.core.Scope;
import dev.descent.core.Tensor;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * A piece of a network, as PyTorch's {@code nn.Module}: a {@link #forward} computation, named
 * <b>parameters</b> (leaves that require grad, trained by an optimiser), named <b>buffers</b>
 * (state that is saved but not trained, such as batch-norm running averages), named child
 * modules, and a train/eval mode.
 *
 * <p>Names are found recursively, in registration order, joined with dots:
 * {@code layers.0.weight}. They are the keys of a weights file ({@link dev.descent.nn.io.Weights}).
 *
 * <p>A module of one's own is a few lines: register children and parameters, write forward.
 *
 * <pre>{@code
 * class TwoLayer extends Module {
 *     private final Linear hidden;
 *     private final Linear out;
 *
 *     TwoLayer(Generator gen) {
 *         hidden = addModule("hidden", new Linear(2, 8, gen));
 *         out = addModule("out", new Linear(8, 1, gen));
 *     }
 *
 *     public Variable forward(Variable x) {
 *         return out.forward(hidden.forward(x).tanh());
 *     }
 * }
 * }</pre>
 *
 * <h2>Memory</h2>
 * A module owns its parameters and buffers (they are taken out of any {@link Scope} open when
 * they are made) and frees them in {@link #close()}. A forward pass makes intermediate values:
 * those recorded in the graph are freed by {@code backward()}; the others (constants, made when
 * nothing requires grad) belong to the caller, so run each step inside a {@link Scope}.
 *
 * <h2>Device and dtype moves</h2>
 * {@link #to(Device)} and {@link #to(DType)} replace each parameter by a new leaf on the new
 * device or of the new dtype (gradients are dropped). Code that needs a parameter reads it with
 * {@link #parameter(String)} at each use rather than keeping the {@link Variable} in a field,
 * and an optimiser is built after the move.
 *
 * <p>Not thread-safe.
 */
public abstract class Module implements AutoCloseable {
    private final Map<String, Variable> parameters = new LinkedHashMap<>();
    private final Map<String, Tensor> buffers = new LinkedHashMap<>();
    private final Map<String, Module> children = new LinkedHashMap<>();
    private boolean training = true;

    /** The module's computation. In training mode it may record a graph and change buffers. */
    public abstract Variable forward(Variable input);

    /**
     * The module's computation with side inputs: {@code input} is the main input, the one that
     * flows from layer to layer (through {@link Sequential} too), and {@code sideInputs} are
     * values the module also reads, such as an attention mask or a second sequence. A module
     * that takes side inputs overrides this and {@link #takesSideInputs()}, and its
     * {@code forward(input)} passes its defaults (no mask); every other module takes none, and
     * this throws when given some. {@code forward(x)} calls resolve to the one-input form.
     */
    public Variable forward(Variable input, Variable... sideInputs) {
        if (sideInputs.length == 0) {
            return forward(input);
        }
        throw Check.fail(getClass().getSimpleName() + ".forward", "takes one input, got %d side input(s) as well",
                sideInputs.length);
    }

    /**
     * Whether {@link #forward(Variable, Variable...)} reads side inputs. {@link Sequential} hands
     * its side inputs to each child that does, and the main input alone to the others.
     */
    public boolean takesSideInputs() {
        return false;
    }

    // ---------------------------------------------------------------- registration

    /**
     * Registers {@code data} as a trainable parameter (a leaf that requires grad) named
     * {@code name}; the module takes ownership of the tensor.
     */
    protected final Variable addParameter(String name, Tensor data) {
        checkNewName("addParameter", name);
        Check.floating("addParameter", data);
        Variable p = Variable.parameter(Scope.escape(data));
        parameters.put(name, p);
        return p;
    }

    /** Registers {@code data} as a buffer: saved with the weights, moved with the module, not trained. */
    protected final Tensor addBuffer(String name, Tensor data) {
        checkNewName("addBuffer", name);
        data.checkOpen("addBuffer");
        buffers.put(name, Scope.escape(data));
        return data;
    }

    /** Registers a child module; its parameters appear under {@code name + "."}. Returns the child. */
    protected final <M extends Module> M addModule(String name, M child) {
        checkNewName("addModule", name);
        Check.argument(child != null && child != this, "addModule", "expected a child module, got %s",
                child == null ? "null" : "the module itself");
        children.put(name, child);
        return child;
    }

    private void checkNewName(String op, String name) {
        Check.argument(name != null && !name.isEmpty() && !name.contains("."), op,
                "expected a non-empty name without dots, got '%s'", name);
        Check.argument(!parameters.containsKey(name) && !buffers.containsKey(name) && !children.containsKey(name), op,
                "the name '%s' is already used in %s", name, getClass().getSimpleName());
    }

    // ---------------------------------------------------------------- lookup

    /** This module's own parameter {@code name} (not a child's). */
    public final Variable parameter(String name) {
        Variable p = parameters.get(name);
        if (p == null) {
            throw Check.fail("parameter", "%s has no parameter '%s' (it has %s)", getClass().getSimpleName(), name,
                    parameters.keySet());
        }
        return p;
    }

    /** Whether this module has a parameter of that name of its own. */
    public final boolean hasParameter(String name) {
        return parameters.containsKey(name);
    }

    /** This module's own buffer {@code name}. */
    public final Tensor buffer(String name) {
        Tensor b = buffers.get(name);
        if (b == null) {
            throw Check.fail("buffer", "%s has no buffer '%s' (it has %s)", getClass().getSimpleName(), name,
                    buffers.keySet());
        }
        return b;
    }

    /** The child modules of this module, by name, in registration order. */
    public final Map<String, Module> children() {
        return Collections.unmodifiableMap(children);
    }

    /** Every parameter of this module and its descendants, by dotted name, in registration order. */
    public final Map<String, Variable> namedParameters() {
        Map<String, Variable> out = new LinkedHashMap<>();
        collectParameters("", out);
        return out;
    }

    private void collectParameters(String prefix, Map<String, Variable> out) {
        parameters.forEach((n, p) -> out.put(prefix + n, p));
        children.forEach((n, c) -> c.collectParameters(prefix + n + ".", out));
    }

    /** The values of {@link #namedParameters()}: what an optimiser is given. */
    public final List<Variable> parameters() {
        return new ArrayList<>(namedParameters().values());
    }

    /** Every buffer of this module and its descendants, by dotted name. */
    public final Map<String, Tensor> namedBuffers() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        collectBuffers("", out);
        return out;
    }

    private void collectBuffers(String prefix, Map<String, Tensor> out) {
        buffers.forEach((n, b) -> out.put(prefix + n, b));
        children.forEach((n, c) -> c.collectBuffers(prefix + n + ".", out));
    }

    /**
     * Everything a weights file holds, by dotted name: each module's parameters (their
     * tensors) then its buffers, depth first, in registration order (PyTorch's
     * {@code state_dict} order).
     */
    public final Map<String, Tensor> namedState() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        collectState("", out);
        return out;
    }

    private void collectState(String prefix, Map<String, Tensor> out) {
        parameters.forEach((n, p) -> out.put(prefix + n, p.data()));
        buffers.forEach((n, b) -> out.put(prefix + n, b));
        children.forEach((n, c) -> c.collectState(prefix + n + ".", out));
    }

    /** How many scalar parameters the module trains. */
    public final long parameterCount() {
        long n = 0;
        for (Variable p : namedParameters().values()) {
            n += p.numel();
        }
        return n;
    }

    // ---------------------------------------------------------------- mode and gradients

    /** Training mode for this module and every descendant (dropout drops, batch norm uses batch statistics). */
    public final Module train() {
        return train(true);
    }

    /** Evaluation mode for this module and every descendant. */
    public final Module eval() {
        return train(false);
    }

    public final Module train(boolean on) {
        training = on;
        for (Module c : children.values()) {
            c.train(on);
        }
        return this;
    }

    public final boolean isTraining() {
        return training;
    }

    /** Drops the accumulated gradient of every parameter ({@link Variable#zeroGrad()}). */
    public final void zeroGrad() {
        for (Variable p : namedParameters().values()) {
            p.zeroGrad();
        }
    }

    // ---------------------------------------------------------------- moves

    /** Moves every parameter and buffer to {@code device} (see the class comment). Returns this. */
    public final Module to(Device device) {
        Check.argument(device != null, "Module.to", "expected a device, got null");
        return convert(t -> t.to(device));
    }

    /**
     * Converts every floating parameter and buffer to {@code dtype}, a floating type (integer
     * buffers, such as a step counter, keep theirs). Returns this.
     */
    public final Module to(DType dtype) {
        Check.argument(dtype != null && dtype.isFloating(), "Module.to", "expected a floating dtype, got %s", dtype);
        return convert(t -> t.dtype().isFloating() ? t.to(dtype) : t.to(t.dtype()));
    }

    private Module convert(UnaryOperator<Tensor> move) {
        for (Map.Entry<String, Variable> e : parameters.entrySet()) {
            Variable old = e.getValue();
            Variable moved = Variable.of(Scope.escape(move.apply(old.data())), old.requiresGrad());
            old.close();
            e.setValue(moved);
        }
        for (Map.Entry<String, Tensor> e : buffers.entrySet()) {
            Tensor old = e.getValue();
            e.setValue(Scope.escape(move.apply(old)));
            old.close();
        }
        for (Module c : children.values()) {
            c.convert(move);
        }
        return this;
    }

    /**
     * Copies {@code values} into the parameters and buffers of the same dotted names, under
     * {@link NoGrad}. Every name of {@link #namedState()} must be present with the same shape
     * and dtype, and no other; everything is checked before anything is copied, and the first
     * mismatch (in the module's order) is named.
     */
    public final void loadState(Map<String, Tensor> values) {
        Map<String, Tensor> state = namedState();
        StateCheck.requireMatch("loadState", state, values);
        Map<String, Variable> params = namedParameters();
        try (NoGrad off = NoGrad.open()) {
            for (Map.Entry<String, Tensor> e : state.entrySet()) {
                Tensor target = e.getValue();
                Tensor given = values.get(e.getKey());
                try (Tensor src = given.to(target.device())) {
                    Variable p = params.get(e.getKey());
                    if (p != null) {
                        p.copyFrom(src);
                    } else {
                        target.copyFrom(src);
                    }
                }
            }
        }
    }

    // ---------------------------------------------------------------- functional call

    /**
     * Runs {@link #forward} with some parameters replaced by the given values (dotted names),
     * then puts the module's own parameters back, as {@code torch.func.functional_call}. The
     * result is differentiable with respect to the replacements: this is how a gradient check
     * or a Hessian with respect to a module's parameters is written.
     */
    public final Variable forwardWith(Map<String, Variable> replacements, Variable input, Variable... sideInputs) {
        Map<String, Variable> params = namedParameters();
        for (Map.Entry<String, Variable> e : replacements.entrySet()) {
            Variable current = params.get(e.getKey());
            if (current == null) {
                throw Check.fail("forwardWith", "%s has no parameter '%s' (it has %s)", getClass().getSimpleName(),
                        e.getKey(), params.keySet());
            }
            Check.argument(current.shape().equals(e.getValue().shape()), "forwardWith",
                    "parameter '%s' has shape %s, the replacement %s", e.getKey(), current.shape(),
                    e.getValue().shape());
        }
        swap(replacements);
        try {
            return forward(input, sideInputs);
        } finally {
            Map<String, Variable> originals = new LinkedHashMap<>();
            for (String name : replacements.keySet()) {
                originals.put(name, params.get(name));
            }
            swap(originals);
        }
    }

    private void swap(Map<String, Variable> byName) {
        for (Map.Entry<String, Variable> e : byName.entrySet()) {
            String name = e.getKey();
            Module owner = this;
            int dot;
            while ((dot = name.indexOf('.')) >= 0) {
                owner = owner.children.get(name.substring(0, dot));
                name = name.substring(dot + 1);
            }
            owner.parameters.put(name, e.getValue());
        }
    }

    // ---------------------------------------------------------------- memory

    /** Frees every parameter (with its gradient) and buffer of this module and its descendants. Idempotent. */
    @Override
    public void close() {
        for (Variable p : parameters.values()) {
            p.close();
        }
        for (Tensor b : buffers.values()) {
            b.close();
        }
        for (Module c : children.values()) {
            c.close();
        }
    }

    // ---------------------------------------------------------------- printing

    /**
     * A table of the model, as Keras's {@code summary()} and torchinfo print: every module of
     * the tree with its output shape on an input of shape {@code inputShape} (zeros of the
     * parameters' dtype, on their device, in eval mode, without recording a graph) and its
     * parameter count, then the totals. Output shapes are known for the model and for the
     * modules of a {@link Sequential} (each is run on its predecessor's output); a module that
     * another calls from its own {@code forward} shows {@code -}.
     */
    public final String summary(int... inputShape) {
        return ModelSummary.of(this, inputShape);
    }

    /** The settings shown in {@link #toString()} between the parentheses, for example {@code in=4, out=2}. */
    protected String describeSettings() {
        return "";
    }

    /** The module tree, as PyTorch prints it. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(getClass().getSimpleName()).append('(').append(describeSettings());
        if (!children.isEmpty()) {
            sb.append('\n');
            children.forEach((n, c) -> sb.append("  (").append(n).append("): ")
                    .append(c.toString().replace("\n", "\n  ")).append('\n'));
        }
        return sb.append(')').toString();
    }
}
