package dev.descent.lab;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An experiment's option values: its defaults overridden by the given strings. Unknown keys
 * and values that do not parse are refused with a message that lists what is valid.
 */
public final class Options {
    private final String experiment;
    private final Map<String, Option> specs = new LinkedHashMap<>();
    private final Map<String, String> values = new LinkedHashMap<>();

    public Options(String experiment, List<Option> options, Map<String, String> given) {
        this.experiment = experiment;
        for (Option o : options) {
            specs.put(o.key(), o);
            values.put(o.key(), o.defaultValue());
        }
        for (Map.Entry<String, String> e : given.entrySet()) {
            if (!specs.containsKey(e.getKey())) {
                throw new IllegalArgumentException("experiment '" + experiment + "' has no option '" + e.getKey()
                        + "'; its options are " + (specs.isEmpty() ? "none" : String.join(", ", specs.keySet())));
            }
            values.put(e.getKey(), e.getValue());
        }
    }

    /** The effective values, defaults included, in the experiment's order. */
    public Map<String, String> values() {
        return Collections.unmodifiableMap(values);
    }

    public String string(String key) {
        String v = values.get(key);
        if (v == null) {
            throw new IllegalArgumentException("experiment '" + experiment + "' has no option '" + key
                    + "'; its options are " + String.join(", ", specs.keySet()));
        }
        return v.trim();
    }

    public double number(String key) {
        return parse(key, string(key));
    }

    /** A number that must be positive (learning rates, tolerances). */
    public double positive(String key) {
        double v = number(key);
        if (!(v > 0)) {
            throw bad(key, string(key), "a number > 0");
        }
        return v;
    }

    /** A whole number >= {@code min}. */
    public int integer(String key, int min) {
        long v = longInteger(key, min);
        if (v > Integer.MAX_VALUE) {
            throw bad(key, string(key), "a whole number <= " + Integer.MAX_VALUE);
        }
        return (int) v;
    }

    public long longInteger(String key, long min) {
        String s = string(key);
        double d = parse(key, s);
        if (d != Math.rint(d) || d < min || Math.abs(d) > 9e15) {
            throw bad(key, s, "a whole number >= " + min);
        }
        return (long) d;
    }

    /** A comma-separated list of numbers, at least one. */
    public double[] numbers(String key) {
        String s = string(key);
        List<Double> out = new ArrayList<>();
        for (String part : s.split(",")) {
            if (part.isBlank()) {
                throw bad(key, s, "a comma-separated list of numbers");
            }
            out.add(parse(key, part.trim()));
        }
        return out.stream().mapToDouble(Double::doubleValue).toArray();
    }

    private double parse(String key, String s) {
        try {
            double d = Double.parseDouble(s);
            if (!Double.isFinite(d)) {
                throw bad(key, s, "a finite number");
            }
            return d;
        } catch (NumberFormatException e) {
            throw bad(key, s, "a number");
        }
    }

    private IllegalArgumentException bad(String key, String value, String expected) {
        return new IllegalArgumentException("option --" + key + " of experiment '" + experiment + "': expected "
                + expected + ", got '" + value + "'");
    }
}
