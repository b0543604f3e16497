package dev.descent.optim;

import dev.descent.autograd.NoGrad;
import dev.descent.autograd.Variable;
import dev.descent.core.Check;
import dev.descent.core.DType;
import dev.descent.core.Device;
import dev.descent.core.Tensor;
import dev.descent.core.fused.Expr;
import dev.descent.core.fused.UpdateRule;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

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
 * <p>An elementwise optimiser states its update once, as an {@link UpdateRule} over the
 * parameter, its gradient and its state tensors (a static {@code rule(...)} method per class),
 * and computes the step's scalars on the host in {@link #update}; {@link #updateGroup} runs the
 * rule over the whole group in one backend call ({@code fused}, the default) or composed of
 * tensor ops ({@code fused} false). Both forms come from the one rule, so they cannot disagree
 * on the equation; precision is the rule's (see {@link UpdateRule}).
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
    /** The name under which a rule reads the parameter. */
    protected static final String PARAM = "param";
    /** The name under which a rule reads the parameter's gradient. */
    protected static final String GRAD = "grad";
    /** Every optimiser's rules, by class and options: written once per process. */
    private static final Map<List<Object>, UpdateRule> RULES = new ConcurrentHashMap<>();

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
     * Updates the parameters of one group that have gradients. The default asks
     * {@link #update} for each parameter's step (its rule and scalars), binds each rule's
     * tensors by name ({@value #PARAM}, {@value #GRAD}, and the parameter's state tensors of
     * the other names, created at {@link #initialState} on first use), and runs the
     * parameters whose steps are equal (same rule, same scalar values: in practice the whole
     * group) and whose tensors share a dtype and device in one backend call, fused ({@link UpdateRule#run}), or in the composed form
     * ({@link UpdateRule#compose}) when the group's {@code fused} flag is false.
     */
    protected void updateGroup(ParamGroup group, List<Variable> params, List<Tensor> grads) {
        boolean fused = !group.has("fused") || group.flag("fused");
        Map<Call, List<List<Tensor>>> calls = new LinkedHashMap<>();
        for (int i = 0; i < params.size(); i++) {
            Tensor p = params.get(i).data();
            ParamState s = state(params.get(i));
            UpdateRule.Step step = update(group, s);
            calls.computeIfAbsent(new Call(step, p.dtype(), p.device()), k -> new ArrayList<>())
                    .add(bind(step.rule(), group, p, grads.get(i), s));
        }
        for (Map.Entry<Call, List<List<Tensor>>> call : calls.entrySet()) {
            if (fused) {
                call.getKey().step().run(call.getValue());
            } else {
                call.getKey().step().compose(call.getValue());
            }
        }
    }

    /** What the parameters of one backend call share: the step, and the dtype and device of their tensors. */
    private record Call(UpdateRule.Step step, DType dtype, Device device) {
    }

    /**
     * This step's update of one parameter: the optimiser's rule (the equation, written once)
     * and its scalar values. Called once per parameter with a gradient, in order; it advances
     * the parameter's counters ({@link ParamState#nextStep}) and computes on the host, in
     * double, what depends only on hyper-parameters and the step (1 − β, bias corrections, a
     * schedule, a switch between two rules), so no value is read from the device. Optimisers
     * that are not one elementwise rule (closures, line searches) override
     * {@link #updateGroup} instead.
     */
    protected UpdateRule.Step update(ParamGroup group, ParamState state) {
        throw new UnsupportedOperationException(name + ": has no elementwise update rule");
    }

    /** The value every element of the state tensor {@code tensor} starts from; 0 unless overridden. */
    protected double initialState(ParamGroup group, String tensor) {
        return 0;
    }

    /** The tensors of {@code rule} for one parameter, in the rule's order. */
    private List<Tensor> bind(UpdateRule rule, ParamGroup group, Tensor param, Tensor grad, ParamState s) {
        List<Tensor> tensors = new ArrayList<>(rule.tensors().size());
        for (String n : rule.tensors()) {
            tensors.add(switch (n) {
                case PARAM -> param;
                case GRAD -> grad;
                default -> s.tensor(n, () -> fullLike(param, initialState(group, n)));
            });
        }
        return tensors;
    }

    /**
     * The rule {@code write} makes, written once per key (the optimiser's class and the options
     * that shape the rule) and kept: a backend compiles each rule once, and parameters with
     * equal rules run in one call.
     */
    protected static UpdateRule once(Supplier<UpdateRule> write, Object... key) {
        return RULES.computeIfAbsent(List.of(key), k -> write.get());
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
     * {@code sign·g + weightDecay·θ}: the gradient an update uses, with scalars {@code sign}
     * (−1 to maximise, see {@link #sign}) and {@code weightDecay} (L2, 0 for none).
     */
    protected static Expr effectiveGradient(UpdateRule.Builder r, Expr param, Expr grad) {
        return r.scalar("sign").mul(grad).add(r.scalar("weightDecay").mul(param));
    }

    /** −1 when the group maximises, else 1: the gradient's sign in a rule. */
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
     * kind over parameters of the same shapes and dtypes in the same groups. All or nothing:
     * everything is checked ({@link OptimizerState#checkFits}) before anything changes.
     */
    public void loadState(OptimizerState saved) {
        checkOpen("loadState");
        saved.checkFits(this);
        int k = 0;
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
            s.put(x.getKey(), Tensor.of(like == null ? Device.cpu() : like.device(), h.dtype(), values,
                    h.shape()));
        }
    }

    // ---------------------------------------------------------------- lifecycle

    protected void checkOpen(String op) {
        if (closed) {
            throw new IllegalStateException(name + "." + op + ": the optimiser was closed");
        }
        if (op.equals("step")) {
            checkParametersOpen(op);
        }
    }

    /**
     * Fails when a parameter was closed, which is what {@code Module.to(dtype)} and
     * {@code Module.to(device)} do to the parameters they replace: an optimiser built before the
     * move would otherwise step over tensors nobody reads (they have no gradient), and every
     * step would silently leave the model unchanged (DESIGN.md: misuse that would silently do
     * nothing fails loudly).
     */
    private void checkParametersOpen(String op) {
        int k = 0;
        for (ParamGroup g : groups) {
            for (Variable p : g.params()) {
                if (p.isReleased()) {
                    throw new IllegalStateException(String.format("%s.%s: parameter %d (%s) is closed: it was"
                            + " replaced or freed after the optimiser was built (Module.to(dtype) and Module.to(device)"
                            + " replace every parameter); build the optimiser after moving the model, from"
                            + " model.parameters()", name, op, k, p.describe()));
                }
                k++;
            }
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
