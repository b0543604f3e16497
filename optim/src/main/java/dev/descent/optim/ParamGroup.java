package dev.descent.optim;

import dev.descent.autograd.Variable;
import dev.descent.core.Check;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Parameters that share hyper-parameters, as PyTorch's {@code param_groups}: each group has
 * its own values (a learning rate per layer, no weight decay on biases), and any value may be
 * changed between steps (that is how schedules work). Values are numbers or flags, named as
 * PyTorch names them in camel case ({@code lr}, {@code weightDecay}, {@code beta1}).
 */
public final class ParamGroup {
    private final String optimizer;
    private final List<Variable> params;
    private final Map<String, Object> values;

    ParamGroup(String optimizer, List<Variable> params, Map<String, Object> values) {
        this.optimizer = optimizer;
        this.params = List.copyOf(params);
        this.values = new LinkedHashMap<>(values);
    }

    /** The parameters, in the order given. */
    public List<Variable> params() {
        return params;
    }

    /** The learning rate. */
    public double lr() {
        return get("lr");
    }

    /** Whether this group has a hyper-parameter of that name. */
    public boolean has(String name) {
        return values.containsKey(name);
    }

    /** A numeric hyper-parameter. */
    public double get(String name) {
        Object v = lookup(name);
        Check.argument(v instanceof Double, optimizer + ".get", "'%s' is a flag, not a number (use flag)", name);
        return (Double) v;
    }

    /** A flag ({@code nesterov}, {@code amsgrad}, {@code maximize}). */
    public boolean flag(String name) {
        Object v = lookup(name);
        Check.argument(v instanceof Boolean, optimizer + ".flag", "'%s' is a number, not a flag (use get)", name);
        return (Boolean) v;
    }

    /** Sets a numeric hyper-parameter; it takes effect at the next step. Returns this. */
    public ParamGroup set(String name, double value) {
        Object old = lookup(name);
        Check.argument(old instanceof Double, optimizer + ".set", "'%s' is a flag, expected a boolean, got %s", name,
                value);
        Check.argument(!Double.isNaN(value), optimizer + ".set", "'%s' must be a number, got NaN", name);
        values.put(name, value);
        return this;
    }

    /** Sets a flag; it takes effect at the next step. Returns this. */
    public ParamGroup set(String name, boolean value) {
        Object old = lookup(name);
        Check.argument(old instanceof Boolean, optimizer + ".set", "'%s' is a number, expected a double, got %s", name,
                value);
        values.put(name, value);
        return this;
    }

    /** Every hyper-parameter by name (a read-only view). */
    public Map<String, Object> values() {
        return Collections.unmodifiableMap(values);
    }

    void setAll(Map<String, Object> v) {
        for (Map.Entry<String, Object> e : v.entrySet()) {
            if (e.getValue() instanceof Boolean b) {
                set(e.getKey(), b);
            } else {
                set(e.getKey(), ((Number) e.getValue()).doubleValue());
            }
        }
    }

    private Object lookup(String name) {
        Object v = values.get(name);
        if (v == null) {
            throw Check.fail(optimizer, "unknown hyper-parameter '%s'; expected one of %s", name, values.keySet());
        }
        return v;
    }

    @Override
    public String toString() {
        return "ParamGroup" + values + " (" + params.size() + " parameters)";
    }
}
