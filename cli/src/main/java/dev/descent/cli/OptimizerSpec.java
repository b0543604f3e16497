package dev.descent.cli;

import dev.descent.autograd.Variable;
import dev.descent.optim.Adadelta;
import dev.descent.optim.Adagrad;
import dev.descent.optim.Adam;
import dev.descent.optim.AdamW;
import dev.descent.optim.Adamax;
import dev.descent.optim.Lion;
import dev.descent.optim.NAdam;
import dev.descent.optim.Optimizer;
import dev.descent.optim.RAdam;
import dev.descent.optim.RMSprop;
import dev.descent.optim.SGD;
import dev.descent.optim.Yogi;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * The optimisers {@code --optimizer} names, built over a model's parameters. {@code momentum}
 * is SGD with classic momentum (0.9 unless {@code --momentum} says otherwise) and
 * {@code nesterov} the same with Nesterov's look-ahead; the others are the classes of the same
 * names with their (PyTorch) defaults. {@code --lr} and {@code --hp name=value} set any
 * hyper-parameter the optimiser has.
 */
public final class OptimizerSpec {
    static final Map<String, Function<List<Variable>, Optimizer>> FACTORIES = Map.ofEntries(
            Map.entry("sgd", SGD::new),
            Map.entry("momentum", SGD::new),
            Map.entry("nesterov", SGD::new),
            Map.entry("adagrad", Adagrad::new),
            Map.entry("adadelta", Adadelta::new),
            Map.entry("rmsprop", RMSprop::new),
            Map.entry("adam", Adam::new),
            Map.entry("adamw", AdamW::new),
            Map.entry("adamax", Adamax::new),
            Map.entry("nadam", NAdam::new),
            Map.entry("radam", RAdam::new),
            Map.entry("yogi", Yogi::new),
            Map.entry("lion", Lion::new));

    /** The names, in the order help lists them. */
    public static final List<String> NAMES = List.of("sgd", "momentum", "nesterov", "adagrad", "adadelta", "rmsprop",
            "adam", "adamw", "adamax", "nadam", "radam", "yogi", "lion");

    private OptimizerSpec() {
    }

    /** Checks that {@code name} is one of {@link #NAMES}, before anything is built or written. */
    public static void check(String name) {
        if (!FACTORIES.containsKey(name.toLowerCase(Locale.ROOT))) {
            throw new UserError("--optimizer: expected one of " + String.join(", ", NAMES) + ", got '" + name + "'");
        }
    }

    /**
     * Builds optimiser {@code name} with learning rate {@code lr} (NaN: its default), momentum
     * (NaN: its default; 0.9 for momentum and nesterov) and the extra hyper-parameters.
     */
    public static Optimizer build(String name, List<Variable> params, double lr, double momentum, double weightDecay,
            Map<String, String> hyper) {
        check(name);
        String key = name.toLowerCase(Locale.ROOT);
        Function<List<Variable>, Optimizer> factory = FACTORIES.get(key);
        Optimizer opt = factory.apply(params);
        try {
            if (key.equals("momentum") || key.equals("nesterov")) {
                opt.set("momentum", Double.isNaN(momentum) ? 0.9 : momentum);
                opt.set("nesterov", key.equals("nesterov"));
            } else if (!Double.isNaN(momentum)) {
                opt.set("momentum", momentum);
            }
            if (!Double.isNaN(lr)) {
                opt.set("lr", lr);
            }
            if (!Double.isNaN(weightDecay)) {
                opt.set("weightDecay", weightDecay);
            }
            for (Map.Entry<String, String> e : hyper.entrySet()) {
                String v = e.getValue().trim().toLowerCase(Locale.ROOT);
                if (v.equals("true") || v.equals("false")) {
                    opt.set(e.getKey(), Boolean.parseBoolean(v));
                } else {
                    try {
                        opt.set(e.getKey(), Double.parseDouble(v));
                    } catch (NumberFormatException ex) {
                        throw new UserError("--hp " + e.getKey() + ": expected a number or true/false, got '"
                                + e.getValue() + "'");
                    }
                }
            }
            return opt;
        } catch (RuntimeException e) {
            opt.close();
            throw e;
        }
    }
}
