package dev.descent.cuda;

import dev.descent.core.fused.Expr;
import dev.descent.core.fused.UpdateRule;
import dev.descent.core.spi.BinaryOp;
import dev.descent.core.spi.ElementwiseProgram;
import dev.descent.core.spi.UnaryOp;
import dev.descent.optim.Adadelta;
import dev.descent.optim.Adagrad;
import dev.descent.optim.Adam;
import dev.descent.optim.Adamax;
import dev.descent.optim.Lion;
import dev.descent.optim.NAdam;
import dev.descent.optim.RAdam;
import dev.descent.optim.RMSprop;
import dev.descent.optim.SGD;
import dev.descent.optim.SignDescent;
import dev.descent.optim.Swats;
import dev.descent.optim.Yogi;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * Update rules for the program-kernel tests: every op, and every optimiser's rule in each of
 * its shapes, taken from {@code optim} itself (so these tests compile and run exactly what the
 * optimisers run), each with scalars to run it with and a way to draw its tensors' values.
 */
final class TestPrograms {
    /** State tensors that hold positive values (second moments, accumulators). */
    private static final Set<String> POSITIVE = Set.of("expAvgSq", "maxExpAvgSq", "squareAvg", "sum", "accDelta",
            "expInf", "x");
    /** State tensors that must stay small: a centered RMSprop's mean gradient, whose square stays below the mean square. */
    private static final Set<String> SMALL = Set.of("gradAvg");

    private TestPrograms() {
    }

    /** A rule and scalars to run it with. */
    record Case(UpdateRule rule, double[] scalars) {
        ElementwiseProgram program() {
            return rule.program();
        }

        /** How tensor k's values are drawn: 0.1 + |N(0,1)| if positive, 0.01·N(0,1) if small, else N(0,1). */
        double draw(int k, Random r) {
            String name = rule.tensors().get(k);
            if (POSITIVE.contains(name)) {
                return 0.1 + Math.abs(r.nextGaussian());
            }
            if (SMALL.contains(name)) {
                return 0.01 * r.nextGaussian();
            }
            return r.nextGaussian();
        }
    }

    /** A typical value for each scalar name the optimisers use. */
    private static double scalar(String name) {
        return switch (name) {
            case "sign" -> -1;
            case "weightDecay" -> 0.01;
            case "shrink" -> 0.999;
            case "beta1", "momentum", "rho" -> 0.9;
            case "oneMinusBeta1", "oneMinusRho" -> 0.1;
            case "beta2" -> 0.999;
            case "oneMinusBeta2" -> 0.001;
            case "alpha" -> 0.99;
            case "oneMinusAlpha" -> 0.01;
            case "eps" -> 1e-8;
            case "keep" -> 1;
            case "biasCorrection2" -> 0.0199;
            case "sqrtBiasCorrection2" -> Math.sqrt(0.0199);
            case "stepScale" -> -0.001;
            default -> 0.01;
        };
    }

    private static Case of(UpdateRule rule) {
        double[] s = new double[rule.scalars().size()];
        for (int j = 0; j < s.length; j++) {
            s[j] = scalar(rule.scalars().get(j));
        }
        return new Case(rule, s);
    }

    static Map<String, Case> all() {
        Map<String, Case> m = new LinkedHashMap<>();
        m.put("every unary op", new Case(everyUnaryOp(), new double[] {0.5}));
        m.put("every binary op", new Case(everyBinaryOp(), new double[] {1.5}));
        m.put("stores of a tensor and a scalar", new Case(copies(), new double[] {3, 4}));
        m.put("SGD", of(SGD.rule(false, false, false)));
        m.put("SGD momentum, first step", of(SGD.rule(true, true, false)));
        m.put("SGD Nesterov momentum", of(SGD.rule(true, false, true)));
        for (boolean ams : new boolean[] {false, true}) {
            for (boolean inside : new boolean[] {false, true}) {
                m.put("Adam" + (ams ? " AMSGrad" : "") + (inside ? " eps inside the root" : ""), of(Adam.rule(ams, inside)));
            }
        }
        m.put("RMSprop", of(RMSprop.rule(false, false, false)));
        m.put("RMSprop centered, momentum, eps inside the root", of(RMSprop.rule(true, true, true)));
        m.put("Adagrad", of(Adagrad.rule()));
        m.put("Adadelta", of(Adadelta.rule()));
        m.put("Adamax", of(Adamax.rule()));
        m.put("NAdam", of(NAdam.rule()));
        m.put("RAdam rectified", of(RAdam.rule(true)));
        m.put("RAdam before rectification", of(RAdam.rule(false)));
        m.put("Yogi", of(Yogi.rule()));
        m.put("Lion", of(Lion.rule()));
        m.put("SignDescent with eps", of(SignDescent.rule(false)));
        m.put("SignDescent", of(SignDescent.rule(true)));
        m.put("SWATS Adam phase", of(Swats.adamPhase()));
        m.put("SWATS SGD phase", of(Swats.sgdPhase()));
        return m;
    }

    /** out ← Σ s·op(x) over every unary op: tensors out, x (x > 0 for log and sqrt). */
    static UpdateRule everyUnaryOp() {
        UpdateRule.Builder r = UpdateRule.builder("every unary op");
        Expr out = r.tensor("out");
        Expr x = r.tensor("x");
        Expr s = r.scalar("s");
        Expr acc = null;
        for (UnaryOp op : UnaryOp.values()) {
            Expr term = s.mul(x.apply(op));
            acc = acc == null ? term : acc.add(term);
        }
        r.assign(out, acc);
        return r.build();
    }

    /** out ← Σ op(x, y) + op(x, s) over every binary op: tensors out, x (x > 0 for pow), y. */
    static UpdateRule everyBinaryOp() {
        UpdateRule.Builder r = UpdateRule.builder("every binary op");
        Expr out = r.tensor("out");
        Expr x = r.tensor("x");
        Expr y = r.tensor("y");
        Expr s = r.scalar("s");
        Expr acc = null;
        for (BinaryOp op : BinaryOp.values()) {
            Expr term = x.apply(op, y).add(x.apply(op, s));
            acc = acc == null ? term : acc.add(term);
        }
        r.assign(out, acc);
        return r.build();
    }

    /** a ← b, b ← s0, c ← a · s1 (every read before any store). */
    static UpdateRule copies() {
        UpdateRule.Builder r = UpdateRule.builder("copies");
        Expr a = r.tensor("a");
        Expr b = r.tensor("b");
        Expr c = r.tensor("c");
        Expr s0 = r.scalar("s0");
        Expr s1 = r.scalar("s1");
        r.assign(a, b);
        r.assign(b, s0);
        r.assign(c, a.mul(s1));
        return r.build();
    }

    /** As {@link #copies} in the register form, with a step (exp of tensor 2) that nothing stores. */
    static ElementwiseProgram copiesWithADeadStep() {
        ElementwiseProgram.Builder b = ElementwiseProgram.builder(3, 2);
        b.unary(UnaryOp.EXP, b.tensor(2));
        int scaled = b.mul(b.tensor(0), b.scalar(1));
        return b.store(0, b.tensor(1)).store(1, b.scalar(0)).store(2, scaled).build();
    }
}
