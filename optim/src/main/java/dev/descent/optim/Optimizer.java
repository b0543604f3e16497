package dev.descent.optim;

import dev.descent.autograd.NoGrad;
import dev.descent.autograd.Variable;
import dev.descent.core.Check;
import dev.descent.core.DType;
import dev.descent.core.FusedUpdates;
import dev.descent.core.Scope;
import dev.descent.core.spi.ElementwiseProgram;
import dev.descent.core.Tensor;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The shape every optimiser shares (PyTorch's {@code torch.optim.Optimizer}, with optax's
 * explicit state): parameter groups with their own hyper-parameters, a {@link ParamState} per
 * parameter that the optimiser owns and closes, a step counter, {@link #step()},
 * {@link #zeroGrad()}, a {@link #step(LossClosure) closure-taking step} for methods that
 * re-evaluate the loss, and a state that can be saved and restored exactly.
 *
 * <p>A step reads each parameter's {@code grad()} (parameters without one are skipped, as in
 * PyTorch) and changes its tensor in place, without recording anything for autograd. Every
 * optimiser has the flag {@code maximize} (ascend instead of descend: the gradient's sign is
 * flipped) and the learning rate {@code lr}.
 *
 * <pre>{@code
 * try (Adam opt = new Adam(model.parameters())) {
 *     for (Batch b : loader) {
 *         opt.zeroGrad();
 *         Variable loss = model.loss(b);
 *         loss.backward();
 *         opt.step();
 *     }
 * }
 * }</pre>
 */
public abstract class Optimizer implements AutoCloseable {
    private final String name;
    private final Map<String, Object> defaults;
    private final List<ParamGroup> groups = new ArrayList<>();
    private final Map<Variable, ParamState> state = new IdentityHashMap<>();
    private final ParamState global = new ParamState();
    private long stepCount;
    private boolean closed;

    /**
     * @param name the optimiser's name, for messages
     * @param params the parameters of the first group
     * @param defaults every hyper-parameter with its default (a Double or a Boolean)
     */
    protected Optimizer(String name, List<Variable> params, Map<String, Object> defaults) {
        this.name = name;
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("lr", 1e-3);
        d.put("maximize", false);
        for (Map.Entry<String, Object> e : defaults.entrySet()) {
            Object v = e.getValue();
            d.put(e.getKey(), v instanceof Boolean ? v : (Object) ((Number) v).doubleValue());
        }
        this.defaults = d;
        addParamGroup(params, Map.of());
    }

    /** The optimiser's name ({@code Adam}). */
    public String name() {
        return name;
    }

    /**
     * Adds a group of parameters with its own values for some hyper-parameters (the others take
     * the defaults). A parameter may belong to one group only.
     */
    public ParamGroup addParamGroup(List<Variable> params, Map<String, ?> overrides) {
        checkOpen("addParamGroup");
        Check.argument(params != null, name + ".addParamGroup", "expected a list of parameters, got null");
        for (Variable p : params) {
            Check.argument(p != null, name + ".addParamGroup", "a parameter is null");
            Check.argument(p.isLeaf(), name + ".addParamGroup",
                    "expected leaf variables (parameters), got a value made by an op: %s", p.describe());
            Check.argument(p.dtype().isFloating(), name + ".addParamGroup",
                    "expected floating parameters, got %s", p.describe());
            for (ParamGroup g : groups) {
                for (Variable q : g.params()) {
                    Check.argument(q != p, name + ".addParamGroup", "parameter %s is already in a group", p.describe());
                }
            }
        }
        ParamGroup g = new ParamGroup(name, params, defaults);
        @SuppressWarnings("unchecked")
        Map<String, Object> o = (Map<String, Object>) overrides;
        g.setAll(o);
        validate(g);
        groups.add(g);
        return g;
    }

    /** The groups, in the order added. */
    public List<ParamGroup> paramGroups() {
        return List.copyOf(groups);
    }

    /** Every parameter of every group, in order. */
    public List<Variable> params() {
        List<Variable> all = new ArrayList<>();
        for (ParamGroup g : groups) {
            all.addAll(g.params());
        }
        return all;
    }

    /** Sets a numeric hyper-parameter in every group (and for groups added later). Returns this. */
    public Optimizer set(String key, double value) {
        for (ParamGroup g : groups) {
            double old = g.get(key);
            g.set(key, value);
            try {
                validate(g);
            } catch (IllegalArgumentException e) {
                g.set(key, old);
                throw e;
            }
        }
        defaults.put(key, value);
        return this;
    }

    /** Sets a flag in every group (and for groups added later). Returns this. */
    public Optimizer set(String key, boolean value) {
        for (ParamGroup g : groups) {
            boolean old = g.flag(key);
            g.set(key, value);
            try {
                validate(g);
            } catch (IllegalArgumentException e) {
                g.set(key, old);
                throw e;
            }
        }
        defaults.put(key, value);
        return this;
    }

    /** How many steps have been taken. */
    public long stepCount() {
        return stepCount;
    }

    /** Drops every parameter's gradient (PyTorch's {@code zero_grad(set_to_none=True)}). */
    public void zeroGrad() {
        for (ParamGroup g : groups) {
            for (Variable p : g.params()) {
                p.zeroGrad();
            }
        }
    }

    /** One update of every parameter that has a gradient. */
    public void step() {
        checkOpen("step");
        stepCount++;
        try (NoGrad ignored = NoGrad.open()) {
            for (ParamGroup g : groups) {
                validate(g);
                List<Variable> ps = new ArrayList<>();
                List<Tensor> grads = new ArrayList<>();
                for (Variable p : g.params()) {
                    if (p.grad() != null) {
                        Check.argument(p.grad().shape().equals(p.shape()), name + ".step",
                                "gradient of shape %s for a parameter of shape %s", p.grad().shape(), p.shape());
                        ps.add(p);
                        grads.add(p.grad().data());
                    }
                }
                if (!ps.isEmpty()) {
                    updateGroup(g, ps, grads);
                }
            }
        }
    }

    /**
     * Evaluates the loss with {@code closure} (which back-propagates it), then takes a step;
     * returns the loss before the step. Methods that need the loss at trial points (line
     * searches, L-BFGS, Newton) override this and call the closure again as they need.
     */
    public double step(LossClosure closure) {
        checkOpen("step");
        double loss = closure.evaluate();
        step();
        return loss;
    }

    /**
     * Updates the parameters of one group that have gradients. The default updates them one by
     * one with {@link #updateParameter}, each inside its own {@link Scope} so temporaries are
     * released at once; fused optimisers override it to update the whole list in one call.
     */
    protected void updateGroup(ParamGroup group, List<Variable> params, List<Tensor> grads) {
        boolean fused = group.has("fused") && group.flag("fused");
        for (int i = 0; i < params.size(); i++) {
            try (Scope ignored = Scope.open()) {
                Tensor p = params.get(i).data();
                ParamState s = state(params.get(i));
                FusedStep f = fused ? fusedStep(group, p, grads.get(i), s) : null;
                if (f != null) {
                    FusedUpdates.runOrCompose(f.program(), f.tensors(), f.scalars());
                } else {
                    updateParameter(group, p, grads.get(i), s);
                }
            }
        }
    }

    /** The composed (reference) update of one parameter in place, from its gradient and state. */
    protected abstract void updateParameter(ParamGroup group, Tensor param, Tensor grad, ParamState state);

    /**
     * One parameter's update as an elementwise program that a backend runs in one pass.
     *
     * @param tensors the parameter first, then its gradient, then its state tensors
     * @param scalars the program's scalars for this step
     */
    protected record FusedStep(ElementwiseProgram program, List<Tensor> tensors, double[] scalars) {
    }

    /**
     * The fused form of {@link #updateParameter} for one parameter, or null where an optimiser
     * has none. Like the composed form it advances the step count and creates the state; it
     * must compute the same equations, which the tests check against the composed form.
     */
    protected FusedStep fusedStep(ParamGroup group, Tensor param, Tensor grad, ParamState state) {
        return null;
    }

    /**
     * Checks a group's hyper-parameters (ranges); called when added and before each step. Every
     * numeric one must be finite: an infinite learning rate makes the weights infinite in one step.
     */
    protected void validate(ParamGroup group) {
        for (Map.Entry<String, Object> e : group.values().entrySet()) {
            if (e.getValue() instanceof Number n) {
                Check.argument(Double.isFinite(n.doubleValue()), name, "expected a finite %s, got %s", e.getKey(), n);
            }
        }
        Check.argument(group.lr() >= 0, name, "expected lr >= 0, got %s", group.lr());
    }

    /** The state of {@code param}, empty before its first update. */
    public ParamState state(Variable param) {
        return state.computeIfAbsent(param, k -> new ParamState());
    }

    /** State that belongs to the whole optimiser rather than to one parameter (L-BFGS's history). */
    protected ParamState globalState() {
        return global;
    }

    /**
     * {@code (maximize ? −g : g) + weightDecay · p}: the gradient an update uses, as a new tensor
     * in the current scope (or {@code grad} itself when neither applies).
     */
    protected static Tensor effectiveGradient(Tensor param, Tensor grad, boolean maximize, double weightDecay) {
        Tensor g = grad;
        if (maximize) {
            g = grad.neg();
        }
        if (weightDecay != 0) {
            if (g == grad) {
                g = grad.copy();
            }
            g.addScaledInPlace(param, weightDecay);
        }
        return g;
    }

    /**
     * The register of {@code sign · g + weightDecay · p} in a program: {@link #effectiveGradient}
     * for fused updates, with {@code sign} = −1 to maximise (see {@link #sign}).
     */
    protected static int effectiveGradient(ElementwiseProgram.Builder b, int p, int g, int sign, int weightDecay) {
        return b.add(b.mul(sign, b.tensor(g)), b.mul(weightDecay, b.tensor(p)));
    }

    /** −1 when the group maximises, else 1: the gradient's sign in a fused update. */
    protected static double sign(ParamGroup group) {
        return group.flag("maximize") ? -1 : 1;
    }

    /** An ordered map of hyper-parameter defaults from {@code name, value, name, value, ...}. */
    protected static Map<String, Object> hyper(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    /** Checks {@code lo <= value < hi} (or <= hi when {@code hiIncluded}) for a named hyper-parameter. */
    protected final void range(ParamGroup g, String key, double lo, double hi, boolean hiIncluded) {
        double v = g.get(key);
        boolean ok = v >= lo && (hiIncluded ? v <= hi : v < hi);
        Check.argument(ok, name, "expected %s in [%s, %s%s, got %s", key, lo, hi, hiIncluded ? "]" : ")", v);
    }

    /** A zero tensor shaped like {@code param}: the usual initial state. */
    protected static Tensor zerosLike(Tensor param) {
        return Tensor.zeros(param.device(), param.dtype(), param.shape().dims());
    }

    /** A tensor shaped like {@code param} filled with {@code value}. */
    protected static Tensor fullLike(Tensor param, double value) {
        return Tensor.full(param.device(), param.dtype(), value, param.shape().dims());
    }

    // ---------------------------------------------------------------- saving and restoring

    /** A host copy of the whole state: step counter, hyper-parameters, per-parameter state. */
    public OptimizerState saveState() {
        checkOpen("saveState");
        List<Map<String, Object>> gs = new ArrayList<>();
        List<Integer> sizes = new ArrayList<>();
        List<OptimizerState.Entry> entries = new ArrayList<>();
        for (ParamGroup g : groups) {
            gs.add(new LinkedHashMap<>(g.values()));
            sizes.add(g.params().size());
            for (Variable p : g.params()) {
                ParamState s = state.get(p);
                entries.add(s == null ? new OptimizerState.Entry(Map.of(), Map.of()) : entry(s));
            }
        }
        return new OptimizerState(name, stepCount, gs, sizes, entries, entry(global));
    }

    /**
     * Replaces the whole state with a saved one, which must come from an optimiser of the same
     * kind over parameters of the same shapes and dtypes in the same groups.
     */
    public void loadState(OptimizerState saved) {
        String op = name + ".loadState";
        checkOpen("loadState");
        Check.argument(saved.optimizer.equals(name), op, "the state was saved by %s, not %s", saved.optimizer, name);
        Check.argument(saved.groups.size() == groups.size(), op, "the state has %d parameter groups, expected %d",
                saved.groups.size(), groups.size());
        int k = 0;
        for (int gi = 0; gi < groups.size(); gi++) {
            ParamGroup g = groups.get(gi);
            Check.argument(saved.groupSizes.get(gi) == g.params().size(), op,
                    "group %d has %d parameters in the state, expected %d", gi, saved.groupSizes.get(gi),
                    g.params().size());
            for (Variable p : g.params()) {
                for (OptimizerState.HostTensor h : saved.params.get(k).tensors().values()) {
                    Check.argument(h.dtype() == p.dtype() && java.util.Arrays.equals(h.shape(), p.shape().dims()), op,
                            "parameter %d is %s but its saved state holds %s%s", k, p.describe(), h.dtype(),
                            java.util.Arrays.toString(h.shape()));
                }
                k++;
            }
        }
        k = 0;
        for (int gi = 0; gi < groups.size(); gi++) {
            ParamGroup g = groups.get(gi);
            g.setAll(saved.groups.get(gi));
            for (Variable p : g.params()) {
                ParamState s = state(p);
                s.close();
                restore(s, saved.params.get(k++), p.data());
            }
        }
        global.close();
        restore(global, saved.global, params().isEmpty() ? null : params().get(0).data());
        stepCount = saved.stepCount;
    }

    private static OptimizerState.Entry entry(ParamState s) {
        Map<String, OptimizerState.HostTensor> ts = new LinkedHashMap<>();
        for (Map.Entry<String, Tensor> e : s.tensors().entrySet()) {
            Tensor t = e.getValue();
            Object data = t.dtype() == DType.FLOAT32 ? t.toFloatArray() : t.toDoubleArray();
            ts.put(e.getKey(), new OptimizerState.HostTensor(t.dtype(), t.shape().dims(), data));
        }
        return new OptimizerState.Entry(new LinkedHashMap<>(s.scalars()), ts);
    }

    private static void restore(ParamState s, OptimizerState.Entry e, Tensor like) {
        for (Map.Entry<String, Double> x : e.scalars().entrySet()) {
            s.setScalar(x.getKey(), x.getValue());
        }
        for (Map.Entry<String, OptimizerState.HostTensor> x : e.tensors().entrySet()) {
            OptimizerState.HostTensor h = x.getValue();
            double[] values;
            if (h.data() instanceof float[] f) {
                values = new double[f.length];
                for (int i = 0; i < f.length; i++) {
                    values[i] = f[i];
                }
            } else {
                values = (double[]) h.data();
            }
            s.put(x.getKey(), Tensor.of(like == null ? dev.descent.core.Device.cpu() : like.device(), h.dtype(), values,
                    h.shape()));
        }
    }

    // ---------------------------------------------------------------- lifecycle

    protected void checkOpen(String op) {
        if (closed) {
            throw new IllegalStateException(name + "." + op + ": the optimiser was closed");
        }
    }

    /** Closes every state tensor. The parameters are not the optimiser's and stay open. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (ParamState s : state.values()) {
            s.close();
        }
        state.clear();
        global.close();
    }
}
