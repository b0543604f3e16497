package dev.descent.cuda;

import dev.descent.core.spi.BinaryOp;
import dev.descent.core.spi.ElementwiseProgram;
import dev.descent.core.spi.UnaryOp;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Elementwise programs for the program-kernel tests: every op, and the optimisers' updates
 * written as {@code optim}'s {@code fusedStep}s write them (RMSprop, Adagrad, Yogi, NAdam,
 * Lion, Adadelta, Adamax, RAdam, SignDescent), built directly here because constructing the
 * optimisers needs tensors on a device. Each comes with scalars to run it with.
 */
final class TestPrograms {
    private TestPrograms() {
    }

    /**
     * A program and scalars to run it with; {@code positive} names the tensors that must hold
     * positive values, {@code small} those that must stay small (a centered RMSprop's mean
     * gradient, whose square must stay below the mean square).
     */
    record Case(ElementwiseProgram program, double[] scalars, int[] positive, int[] small) {
        Case(ElementwiseProgram program, double[] scalars, int... positive) {
            this(program, scalars, positive, new int[0]);
        }

        /** How tensor k's values are drawn: 0.1 + |N(0,1)| if positive, 0.01·N(0,1) if small, else N(0,1). */
        double draw(int k, java.util.Random r) {
            for (int q : positive) {
                if (q == k) {
                    return 0.1 + Math.abs(r.nextGaussian());
                }
            }
            for (int q : small) {
                if (q == k) {
                    return 0.01 * r.nextGaussian();
                }
            }
            return r.nextGaussian();
        }
    }

    /** {@code sign · g + weightDecay · p}, as {@code Optimizer.effectiveGradient}. */
    private static int effectiveGradient(ElementwiseProgram.Builder b, int sign, int weightDecay) {
        return b.add(b.mul(sign, b.tensor(1)), b.mul(weightDecay, b.tensor(0)));
    }

    static Map<String, Case> all() {
        Map<String, Case> m = new LinkedHashMap<>();
        m.put("every unary op", new Case(everyUnaryOp(), new double[] {0.5}, 1));
        m.put("every binary op", new Case(everyBinaryOp(), new double[] {1.5}, 1));
        m.put("stores of a tensor and a scalar register, a dead step", new Case(copies(), new double[] {3, 4}));
        m.put("RMSprop", new Case(rmsprop(false, false, false), new double[] {1, 0.01, 0.99, 0.01, 1e-8, 0, -0.01}, 2));
        m.put("RMSprop centered, momentum, eps inside the root", new Case(rmsprop(true, true, true),
                new double[] {-1, 0.01, 0.9, 0.1, 1e-8, 0.9, -0.01}, new int[] {2}, new int[] {3}));
        m.put("Adagrad", new Case(adagrad(), new double[] {1, 0.01, -0.1, 1e-10}, 2));
        m.put("Yogi", new Case(yogi(), new double[] {1, 0.9, 0.1, -0.001, 1e-3, -0.01}, 3));
        m.put("NAdam", new Case(nadam(), new double[] {1, 0, 0.999, 0.9, 0.1, 0.999, 0.001, 0.0199, 1e-8, -0.004,
            -0.005}, 3));
        m.put("Lion", new Case(lion(), new double[] {1, 0.999, 0.9, 0.1, 0.99, 0.01, -1e-4}));
        m.put("Adadelta", new Case(adadelta(), new double[] {1, 0, 0.9, 0.1, 1e-6, -1}, 2, 3));
        m.put("Adamax", new Case(adamax(), new double[] {1, 0.01, 0.9, 0.1, 0.999, 1e-8, -0.02}, 3));
        m.put("RAdam rectified", new Case(radam(true), new double[] {1, 0, 0.99, 0.9, 0.1, 0.999, 0.001, 1e-8, -0.01},
            3));
        m.put("SignDescent with eps", new Case(signDescent(false), new double[] {1, -0.01, 1e-3}));
        m.put("SignDescent", new Case(signDescent(true), new double[] {1, -0.01, 0}));
        return m;
    }

    /** out ← Σ op(x) over every unary op, each also scaled by a scalar: tensors out, x (x > 0 for log and sqrt). */
    static ElementwiseProgram everyUnaryOp() {
        ElementwiseProgram.Builder b = ElementwiseProgram.builder(2, 1);
        int x = b.tensor(1);
        int acc = -1;
        for (UnaryOp op : UnaryOp.values()) {
            int r = b.mul(b.scalar(0), b.unary(op, x));
            acc = acc < 0 ? r : b.add(acc, r);
        }
        return b.store(0, acc).build();
    }

    /** out ← Σ op(a, b) + op(a, s) over every binary op: tensors out, a (a > 0 for pow), b. */
    static ElementwiseProgram everyBinaryOp() {
        ElementwiseProgram.Builder b = ElementwiseProgram.builder(3, 1);
        int x = b.tensor(1);
        int y = b.tensor(2);
        int s = b.scalar(0);
        int acc = -1;
        for (BinaryOp op : BinaryOp.values()) {
            int r = b.add(b.binary(op, x, y), b.binary(op, x, s));
            acc = acc < 0 ? r : b.add(acc, r);
        }
        return b.store(0, acc).build();
    }

    /** a ← b, b ← s0, c ← a · s1 (every read before any store), and a step nothing stores. */
    static ElementwiseProgram copies() {
        ElementwiseProgram.Builder b = ElementwiseProgram.builder(3, 2);
        b.unary(UnaryOp.EXP, b.tensor(2));
        int scaled = b.mul(b.tensor(0), b.scalar(1));
        return b.store(0, b.tensor(1)).store(1, b.scalar(0)).store(2, scaled).build();
    }

    /** RMSprop.fusedStep: tensors p, g, squareAvg[, gradAvg][, momentumBuffer]; 7 scalars. */
    static ElementwiseProgram rmsprop(boolean centered, boolean momentum, boolean epsInsideSqrt) {
        int tensors = 3 + (centered ? 1 : 0) + (momentum ? 1 : 0);
        ElementwiseProgram.Builder b = ElementwiseProgram.builder(tensors, 7);
        int d = effectiveGradient(b, b.scalar(0), b.scalar(1));
        int rhoR = b.scalar(2);
        int oneMinusRho = b.scalar(3);
        int eps = b.scalar(4);
        int sq2 = b.addScaled(b.mul(rhoR, b.tensor(2)), oneMinusRho, b.square(d));
        b.store(2, sq2);
        int avg = sq2;
        if (centered) {
            int mean2 = b.addScaled(b.mul(rhoR, b.tensor(3)), oneMinusRho, d);
            b.store(3, mean2);
            avg = b.sub(sq2, b.square(mean2));
        }
        int denom = epsInsideSqrt ? b.sqrt(b.add(avg, eps)) : b.add(b.sqrt(avg), eps);
        int step = b.div(d, denom);
        if (momentum) {
            int buf = tensors - 1;
            step = b.add(b.mul(b.scalar(5), b.tensor(buf)), step);
            b.store(buf, step);
        }
        int p2 = b.addScaled(b.tensor(0), b.scalar(6), step);
        return b.store(0, p2).build();
    }

    static ElementwiseProgram adagrad() {
        ElementwiseProgram.Builder b = ElementwiseProgram.builder(3, 4);
        int d = effectiveGradient(b, b.scalar(0), b.scalar(1));
        int sum2 = b.add(b.tensor(2), b.square(d));
        int p2 = b.addScaled(b.tensor(0), b.scalar(2), b.div(d, b.add(b.sqrt(sum2), b.scalar(3))));
        return b.store(0, p2).store(2, sum2).build();
    }

    static ElementwiseProgram yogi() {
        ElementwiseProgram.Builder b = ElementwiseProgram.builder(4, 6);
        int d = b.mul(b.scalar(0), b.tensor(1));
        int m2 = b.addScaled(b.mul(b.scalar(1), b.tensor(2)), b.scalar(2), d);
        int g2 = b.square(d);
        int v2 = b.addScaled(b.tensor(3), b.scalar(3), b.mul(b.sign(b.sub(b.tensor(3), g2)), g2));
        int p2 = b.addScaled(b.tensor(0), b.scalar(5), b.div(m2, b.add(b.sqrt(v2), b.scalar(4))));
        return b.store(0, p2).store(2, m2).store(3, v2).build();
    }

    static ElementwiseProgram nadam() {
        ElementwiseProgram.Builder b = ElementwiseProgram.builder(4, 11);
        int d = effectiveGradient(b, b.scalar(0), b.scalar(1));
        int decayed = b.mul(b.scalar(2), b.tensor(0));
        int m2 = b.addScaled(b.mul(b.scalar(3), b.tensor(2)), b.scalar(4), d);
        int v2 = b.addScaled(b.mul(b.scalar(5), b.tensor(3)), b.scalar(6), b.square(d));
        int denom = b.add(b.sqrt(b.div(v2, b.scalar(7))), b.scalar(8));
        int p2 = b.addScaled(b.addScaled(decayed, b.scalar(9), b.div(d, denom)), b.scalar(10), b.div(m2, denom));
        return b.store(0, p2).store(2, m2).store(3, v2).build();
    }

    static ElementwiseProgram lion() {
        ElementwiseProgram.Builder b = ElementwiseProgram.builder(3, 7);
        int d = b.mul(b.scalar(0), b.tensor(1));
        int decayed = b.mul(b.scalar(1), b.tensor(0));
        int c = b.addScaled(b.mul(b.scalar(2), b.tensor(2)), b.scalar(3), d);
        int p2 = b.addScaled(decayed, b.scalar(6), b.sign(c));
        int m2 = b.addScaled(b.mul(b.scalar(4), b.tensor(2)), b.scalar(5), d);
        return b.store(0, p2).store(2, m2).build();
    }

    static ElementwiseProgram adadelta() {
        ElementwiseProgram.Builder b = ElementwiseProgram.builder(4, 6);
        int d = effectiveGradient(b, b.scalar(0), b.scalar(1));
        int rhoR = b.scalar(2);
        int oneMinusRho = b.scalar(3);
        int eps = b.scalar(4);
        int v2 = b.addScaled(b.mul(rhoR, b.tensor(2)), oneMinusRho, b.square(d));
        int delta = b.mul(b.div(b.sqrt(b.add(b.tensor(3), eps)), b.sqrt(b.add(v2, eps))), d);
        int u2 = b.addScaled(b.mul(rhoR, b.tensor(3)), oneMinusRho, b.square(delta));
        int p2 = b.addScaled(b.tensor(0), b.scalar(5), delta);
        return b.store(0, p2).store(2, v2).store(3, u2).build();
    }

    static ElementwiseProgram adamax() {
        ElementwiseProgram.Builder b = ElementwiseProgram.builder(4, 7);
        int d = effectiveGradient(b, b.scalar(0), b.scalar(1));
        int m2 = b.addScaled(b.mul(b.scalar(2), b.tensor(2)), b.scalar(3), d);
        int u2 = b.max(b.mul(b.scalar(4), b.tensor(3)), b.add(b.abs(d), b.scalar(5)));
        int p2 = b.addScaled(b.tensor(0), b.scalar(6), b.div(m2, u2));
        return b.store(0, p2).store(2, m2).store(3, u2).build();
    }

    static ElementwiseProgram radam(boolean rectified) {
        ElementwiseProgram.Builder b = ElementwiseProgram.builder(4, 9);
        int d = effectiveGradient(b, b.scalar(0), b.scalar(1));
        int decayed = b.mul(b.scalar(2), b.tensor(0));
        int m2 = b.addScaled(b.mul(b.scalar(3), b.tensor(2)), b.scalar(4), d);
        int v2 = b.addScaled(b.mul(b.scalar(5), b.tensor(3)), b.scalar(6), b.square(d));
        int step = rectified ? b.div(m2, b.add(b.sqrt(v2), b.scalar(7))) : m2;
        int p2 = b.addScaled(decayed, b.scalar(8), step);
        return b.store(0, p2).store(2, m2).store(3, v2).build();
    }

    static ElementwiseProgram signDescent(boolean pureSign) {
        ElementwiseProgram.Builder b = ElementwiseProgram.builder(2, 3);
        int d = b.mul(b.scalar(0), b.tensor(1));
        int step = pureSign ? b.sign(d) : b.div(d, b.add(b.abs(d), b.scalar(2)));
        int p2 = b.addScaled(b.tensor(0), b.scalar(1), step);
        return b.store(0, p2).build();
    }
}
