package dev.descent.core.fused;

import dev.descent.core.Check;
import dev.descent.core.Scope;
import dev.descent.core.Tensor;
import dev.descent.core.spi.Backend;
import dev.descent.core.spi.ElementwiseProgram;
import dev.descent.core.spi.StridedView;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * An elementwise update written once, with named tensors and named scalars: the statement an
 * optimiser gives of its equation ({@code expAvg ← beta1·expAvg + oneMinusBeta1·grad}, ...),
 * from which every form that runs is derived:
 *
 * <ul>
 * <li>the fused form ({@link #run}): the rule compiled to an {@link ElementwiseProgram} (the
 *     SPI's register form, an implementation detail here) that a backend runs in one pass
 *     over memory, for a whole list of tensor sets in one call ({@code Backend.runProgram});
 * <li>the composed reference form ({@link #compose}): the same program evaluated with
 *     ordinary tensor ops, one full-size temporary per op, on any backend.
 * </ul>
 *
 * Every assignment reads the tensors' values from before the update (as a simultaneous
 * assignment), so the order of the assignments does not matter. Scalars are bound at each run
 * ({@link #step()}), so new hyper-parameters or bias corrections need no new rule; anything
 * that depends only on hyper-parameters and the step count (1 − β1, bias corrections, a
 * rectification switch) is computed on the host in double and passed as a scalar.
 *
 * <p>Precision: a float64 rule is evaluated in double everywhere. A float32 rule is evaluated
 * with each op's result rounded to float (scalars rounded once): by the CPU backend, by the
 * CUDA backend (unless {@code descent.cuda.programDouble=true}, which computes in double and
 * rounds once on store) and by the composed form, so on the CPU the fused and composed forms
 * agree exactly for + − × ÷ √ and the comparisons.
 *
 * <pre>{@code
 * UpdateRule.Builder r = UpdateRule.builder("momentum");
 * Expr p = r.tensor("param");
 * Expr g = r.tensor("grad");
 * Expr b = r.tensor("momentumBuffer");
 * Expr b2 = r.assign(b, r.scalar("momentum").mul(b).add(g));
 * r.assign(p, p.sub(r.scalar("lr").mul(b2)));
 * UpdateRule rule = r.build();
 * rule.step().set("momentum", 0.9).set("lr", 0.1).run(List.of(List.of(param, grad, buffer)));
 * }</pre>
 */
public final class UpdateRule {
    private final String name;
    private final List<String> tensors;
    private final List<String> scalars;
    private final Map<String, Integer> scalarIndex;
    private final List<String> assigned;
    private final ElementwiseProgram program;
    private final String equations;

    private UpdateRule(Builder b) {
        this.name = b.name;
        this.tensors = List.copyOf(b.tensorNames);
        this.scalars = List.copyOf(b.scalarNames);
        Map<String, Integer> index = new HashMap<>();
        for (int i = 0; i < scalars.size(); i++) {
            index.put(scalars.get(i), i);
        }
        this.scalarIndex = index;
        List<String> names = new ArrayList<>();
        StringBuilder text = new StringBuilder();
        for (Map.Entry<Expr, Expr> a : b.assignments.entrySet()) {
            names.add(a.getKey().name);
            text.append(text.length() == 0 ? "" : "\n").append(a.getKey().name).append(" <- ").append(a.getValue());
        }
        this.assigned = List.copyOf(names);
        this.equations = text.toString();
        this.program = compile(b);
    }

    public static Builder builder(String name) {
        return new Builder(name);
    }

    /** The rule's name, for messages ({@code Adam}). */
    public String name() {
        return name;
    }

    /** The tensors' names in the order a tensor set lists them. */
    public List<String> tensors() {
        return tensors;
    }

    /** The scalars' names in the order {@link #run} takes their values. */
    public List<String> scalars() {
        return scalars;
    }

    /** The names of the tensors the rule assigns, in the order assigned. */
    public List<String> assigned() {
        return assigned;
    }

    /** The compiled form a backend runs: tensors and scalars in declaration order, common values computed once. */
    public ElementwiseProgram program() {
        return program;
    }

    /** A binding of this rule's scalars by name, to run it with. */
    public Step step() {
        return new Step(this);
    }

    /** One line per assignment: {@code expAvg <- beta1 * expAvg + oneMinusBeta1 * grad}. */
    @Override
    public String toString() {
        return name + ":\n" + equations;
    }

    /**
     * Applies the rule to every tensor set in place, in one backend call where the backend
     * runs programs ({@code Backend.runProgram}), else in the composed form. Each set lists
     * tensors in the order of {@link #tensors()}, all of one shape; every tensor of every set
     * has one floating dtype and one device; sets may differ in shape. Assigned tensors must
     * not overlap one another or repeat elements.
     *
     * @param scalars the values of {@link #scalars()}, in order
     */
    public void run(List<? extends List<Tensor>> sets, double... scalars) {
        String op = name + ".run";
        check(op, sets, scalars);
        if (sets.isEmpty()) {
            return;
        }
        Backend backend = sets.get(0).get(0).backend();
        List<StridedView[]> views = new ArrayList<>(sets.size());
        boolean oneBackend = true;
        for (List<Tensor> set : sets) {
            StridedView[] v = new StridedView[set.size()];
            for (int i = 0; i < v.length; i++) {
                oneBackend &= set.get(i).backend() == backend;
                v[i] = set.get(i).stridedView();
            }
            views.add(v);
        }
        if (!oneBackend || !backend.runProgram(program, Collections.unmodifiableList(views), scalars.clone())) {
            compose(sets, scalars);
        }
    }

    /**
     * Applies the rule with ordinary tensor ops, one full-size temporary per op: the composed
     * reference form of {@link #run}, on any backend, with the same arguments.
     */
    public void compose(List<? extends List<Tensor>> sets, double... scalars) {
        check(name + ".compose", sets, scalars);
        for (List<Tensor> set : sets) {
            composeOne(set, scalars);
        }
    }

    private void composeOne(List<Tensor> tensors, double[] values) {
        Tensor first = tensors.get(0);
        int nt = program.tensors();
        try (Scope ignored = Scope.open()) {
            Tensor[] reg = new Tensor[program.registers()];
            for (int i = 0; i < nt; i++) {
                reg[i] = tensors.get(i);
            }
            for (int i = 0; i < program.scalars(); i++) {
                reg[nt + i] = Tensor.full(first.device(), first.dtype(), values[i]);
            }
            int r = nt + program.scalars();
            for (ElementwiseProgram.Step step : program.steps()) {
                reg[r++] = step.unary() != null ? reg[step.a()].apply(step.unary())
                        : reg[step.a()].apply(step.binary(), reg[step.b()]);
            }
            // Copies first, then stores: a store must not change what another store reads.
            List<ElementwiseProgram.Store> stores = program.stores();
            Tensor[] out = new Tensor[stores.size()];
            for (int k = 0; k < out.length; k++) {
                out[k] = reg[stores.get(k).register()].broadcastTo(first.shape()).copy();
            }
            for (int k = 0; k < out.length; k++) {
                tensors.get(stores.get(k).tensor()).copyFrom(out[k]);
            }
        }
    }

    private void check(String op, List<? extends List<Tensor>> sets, double[] values) {
        Check.argument(sets != null, op, "expected a list of tensor sets, got null");
        Check.argument(values != null && values.length == scalars.size(), op, "expected %d scalars %s, got %s",
                scalars.size(), scalars, values == null ? "null" : String.valueOf(values.length));
        Tensor first = null;
        for (int s = 0; s < sets.size(); s++) {
            List<Tensor> set = sets.get(s);
            Check.argument(set != null && set.size() == tensors.size(), op, "set %d: expected %d tensors %s, got %s", s,
                    tensors.size(), tensors, set == null ? "null" : String.valueOf(set.size()));
            for (int i = 0; i < set.size(); i++) {
                Tensor t = set.get(i);
                Check.argument(t != null, op, "set %d: tensor '%s' is null", s, tensors.get(i));
                t.checkOpen(op);
                Check.floating(op, t);
                if (first == null) {
                    first = t;
                }
                Check.sameDType(op, first, t);
                Check.sameDevice(op, first, t);
                Check.argument(t.shape().equals(set.get(0).shape()), op,
                        "set %d: tensor '%s' has shape %s, expected the set's shape %s", s, tensors.get(i), t.shape(),
                        set.get(0).shape());
            }
            for (ElementwiseProgram.Store store : program.stores()) {
                Check.argument(!repeats(set.get(store.tensor()).stridedView()), op,
                        "set %d: tensor '%s' is assigned but repeats elements (a broadcast view)", s,
                        tensors.get(store.tensor()));
            }
        }
    }

    private static boolean repeats(StridedView v) {
        for (int d = 0; d < v.rank(); d++) {
            if (v.shape()[d] > 1 && v.strides()[d] == 0) {
                return true;
            }
        }
        return false;
    }

    /** Registers for tensors, then scalars, then one step per distinct op value reached from an assignment. */
    private static ElementwiseProgram compile(Builder b) {
        ElementwiseProgram.Builder p = ElementwiseProgram.builder(b.tensorNames.size(), b.scalarNames.size());
        Map<Expr, Integer> registers = new HashMap<>();
        List<Integer> values = new ArrayList<>();
        for (Expr value : b.assignments.values()) {
            values.add(emit(value, p, registers));
        }
        int k = 0;
        for (Expr target : b.assignments.keySet()) {
            p.store(target.index, values.get(k++));
        }
        return p.build();
    }

    private static int emit(Expr e, ElementwiseProgram.Builder p, Map<Expr, Integer> registers) {
        Integer known = registers.get(e);
        if (known != null) {
            return known;
        }
        int r = switch (e.kind) {
            case TENSOR -> p.tensor(e.index);
            case SCALAR -> p.scalar(e.index);
            case UNARY -> p.unary(e.unary, emit(e.a, p, registers));
            case BINARY -> {
                int a = emit(e.a, p, registers);
                yield p.binary(e.binary, a, emit(e.b, p, registers));
            }
        };
        registers.put(e, r);
        return r;
    }

    /** Declares tensors and scalars by name and the assignments between them. */
    public static final class Builder {
        private final String name;
        private final List<String> tensorNames = new ArrayList<>();
        private final List<String> scalarNames = new ArrayList<>();
        private final Map<Expr, Expr> assignments = new LinkedHashMap<>();
        private boolean built;

        private Builder(String name) {
            this.name = Objects.requireNonNull(name, "name");
        }

        /** A tensor of every set, named as the caller binds it ({@code param}, {@code expAvg}). */
        public Expr tensor(String tensorName) {
            declare(tensorName);
            tensorNames.add(tensorName);
            return Expr.tensor(this, tensorNames.size() - 1, tensorName);
        }

        /** A scalar, the same for every element and set, bound at each run ({@code beta1}). */
        public Expr scalar(String scalarName) {
            declare(scalarName);
            scalarNames.add(scalarName);
            return Expr.scalar(this, scalarNames.size() - 1, scalarName);
        }

        private void declare(String n) {
            open();
            Check.argument(n != null && !n.isBlank(), "UpdateRule " + name, "expected a name, got '%s'", n);
            Check.argument(!tensorNames.contains(n) && !scalarNames.contains(n), "UpdateRule " + name,
                    "'%s' is declared twice", n);
        }

        /**
         * The tensor {@code target} receives {@code value} (computed from the values before the
         * update); returns {@code value}, for use in later lines.
         */
        public Expr assign(Expr target, Expr value) {
            open();
            Objects.requireNonNull(target, "target");
            Objects.requireNonNull(value, "value");
            Check.argument(target.owner == this && target.kind == Expr.Kind.TENSOR, "UpdateRule " + name,
                    "can only assign to a tensor of this rule, got %s", target);
            Check.argument(value.owner == this, "UpdateRule " + name, "%s belongs to another rule", value);
            Check.argument(!assignments.containsKey(target), "UpdateRule " + name, "'%s' is assigned twice",
                    target.name);
            assignments.put(target, value);
            return value;
        }

        public UpdateRule build() {
            open();
            Check.argument(!assignments.isEmpty(), "UpdateRule " + name, "a rule must assign at least one tensor");
            built = true;
            return new UpdateRule(this);
        }

        private void open() {
            if (built) {
                throw new IllegalStateException("UpdateRule " + name + ": the rule is built; start a new builder");
            }
        }
    }

    /**
     * A rule with this step's scalar values, bound by name: what an optimiser computes per
     * parameter each step. Two steps are equal when their rule and values are, so parameters
     * with equal steps can run in one call.
     */
    public static final class Step {
        private final UpdateRule rule;
        private final double[] values;
        private final boolean[] given;

        private Step(UpdateRule rule) {
            this.rule = rule;
            this.values = new double[rule.scalars.size()];
            this.given = new boolean[values.length];
        }

        public UpdateRule rule() {
            return rule;
        }

        /** Sets scalar {@code scalarName}; returns this. */
        public Step set(String scalarName, double value) {
            Integer i = rule.scalarIndex.get(scalarName);
            Check.argument(i != null, rule.name, "unknown scalar '%s'; the rule's scalars are %s", scalarName,
                    rule.scalars);
            values[i] = value;
            given[i] = true;
            return this;
        }

        /** The values in the rule's order; every scalar must have been set. */
        public double[] values() {
            for (int i = 0; i < given.length; i++) {
                Check.argument(given[i], rule.name, "scalar '%s' was not set", rule.scalars.get(i));
            }
            return values.clone();
        }

        /** {@link UpdateRule#run} with these values. */
        public void run(List<? extends List<Tensor>> sets) {
            rule.run(sets, values());
        }

        /** {@link UpdateRule#compose} with these values. */
        public void compose(List<? extends List<Tensor>> sets) {
            rule.compose(sets, values());
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Step s && s.rule == rule && Arrays.equals(s.values, values)
                    && Arrays.equals(s.given, given);
        }

        @Override
        public int hashCode() {
            return 31 * System.identityHashCode(rule) + Arrays.hashCode(values);
        }

        @Override
        public String toString() {
            StringBuilder sb = new StringBuilder(rule.name).append(" step {");
            for (int i = 0; i < values.length; i++) {
                sb.append(i == 0 ? "" : ", ").append(rule.scalars.get(i)).append('=').append(given[i] ? values[i] : "?");
            }
            return sb.append('}').toString();
        }
    }
}
