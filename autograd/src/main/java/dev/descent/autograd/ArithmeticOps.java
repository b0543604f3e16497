package dev.descent.autograd;

import dev.descent.core.Check;
import dev.descent.core.Tensor;

/**
 * Arithmetic with broadcasting, each op's forward computation beside its backward rule. A rule
 * returns its gradient in the output's (broadcast) shape; the backward pass sums it back to
 * each input's shape, once, for every op ({@link BackwardPass}).
 */
final class ArithmeticOps {
    private ArithmeticOps() {
    }

    /** d(a+b)/da = d(a+b)/db = 1. */
    static Variable add(Variable a, Variable b) {
        Tensor out = a.use("add").add(b.use("add"));
        return Node.record("add", out, (n, g, i) -> g, a, b);
    }

    static Variable add(Variable a, double s) {
        return Node.record("add", a.use("add").add(s), (n, g, i) -> g, a);
    }

    /** d(a-b)/da = 1, d(a-b)/db = -1. */
    static Variable sub(Variable a, Variable b) {
        Tensor out = a.use("sub").sub(b.use("sub"));
        return Node.record("sub", out, (n, g, i) -> i == 0 ? g : g.neg(), a, b);
    }

    static Variable sub(Variable a, double s) {
        return Node.record("sub", a.use("sub").sub(s), (n, g, i) -> g, a);
    }

    /** d(s-a)/da = -1. */
    static Variable rsub(Variable a, double s) {
        Tensor t = a.use("rsub");
        Tensor out;
        try (Tensor negated = t.neg()) {
            out = negated.add(s);
        }
        return Node.record("rsub", out, (n, g, i) -> g.neg(), a);
    }

    /** d(ab)/da = b, d(ab)/db = a. */
    static Variable mul(Variable a, Variable b) {
        Tensor out = a.use("mul").mul(b.use("mul"));
        return Node.record("mul", out, (n, g, i) -> i == 0
                ? g.mul(n.saved(b))
                : g.mul(n.saved(a)), a, b);
    }

    static Variable mul(Variable a, double s) {
        return Node.record("mul", a.use("mul").mul(s), (n, g, i) -> g.mul(s), a);
    }

    /** d(a/b)/da = 1/b, d(a/b)/db = -a/b². */
    static Variable div(Variable a, Variable b) {
        Tensor out = a.use("div").div(b.use("div"));
        return Node.record("div", out, (n, g, i) -> i == 0
                ? g.div(n.saved(b))
                : g.mul(n.saved(a)).div(n.saved(b).square()).neg(), a, b);
    }

    /** d(a/c)/da = 1/c for a constant c that broadcasts to a's shape; the node keeps its own handle of c. */
    static Variable div(Variable a, Tensor c) {
        String op = "div";
        Tensor x = a.use(op);
        c.checkOpen(op);
        Check.argument(c.shape().broadcastsTo(x.shape()), op, "the divisor's shape %s does not broadcast to %s",
                c.shape(), x.shape());
        Tensor out = x.div(c);
        Tensor kept = c.to(c.dtype());
        return Node.recordOwning(op, out, new Tensor[] {kept}, (n, g, i) -> g.div(kept), a);
    }

    static Variable div(Variable a, double s) {
        return Node.record("div", a.use("div").div(s), (n, g, i) -> g.div(s), a);
    }

    /** d(s/a)/da = -s/a² = -out/a. */
    static Variable rdiv(Variable a, double s) {
        Tensor out;
        try (Tensor r = a.use("rdiv").reciprocal()) {
            out = r.mul(s);
        }
        return Node.record("rdiv", out, (n, g, i) -> g.mul(n.output()).div(n.saved(a)).neg(), a);
    }

    /**
     * d(a^b)/da = b a^(b-1) (0 where b = 0), d(a^b)/db = a^b log a (0 where a = 0 and b >= 0),
     * as PyTorch defines the limits.
     */
    static Variable pow(Variable a, Variable b) {
        Tensor out = a.use("pow").pow(b.use("pow"));
        return Node.record("pow", out, (n, g, i) -> {
            Variable x = n.saved(a);
            Variable p = n.saved(b);
            if (i == 0) {
                try (Tensor zeroExponent = p.data().eq(0)) {
                    Variable d = p.mul(x.pow(p.sub(1))).maskedFill(zeroExponent, 0);
                    return g.mul(d);
                }
            }
            try (Tensor xZero = x.data().eq(0); Tensor pNonNegative = p.data().ge(0);
                 Tensor zeroBase = xZero.mul(pNonNegative)) {
                Variable d = n.output().mul(x.log()).maskedFill(zeroBase, 0);
                return g.mul(d);
            }
        }, a, b);
    }

    /** d(a^p)/da = p a^(p-1); zero for p = 0. */
    static Variable pow(Variable a, double p) {
        Tensor out = a.use("pow").pow(p);
        return Node.record("pow", out, (n, g, i) -> p == 0
                ? Variable.zerosLike(g)
                : g.mul(n.saved(a).pow(p - 1).mul(p)), a);
    }

    static Variable neg(Variable a) {
        return Node.record("neg", a.use("neg").neg(), (n, g, i) -> g.neg(), a);
    }

    /** The gradient goes to the larger input; where they are equal, half to each. */
    static Variable maximum(Variable a, Variable b) {
        Tensor out = a.use("maximum").maximum(b.use("maximum"));
        return Node.record("maximum", out, (n, g, i) -> {
            Tensor self = n.saved(i == 0 ? a : b).data();
            Tensor other = n.saved(i == 0 ? b : a).data();
            return g.mul(Variable.constant(tieSplit(self, other, true)));
        }, a, b);
    }

    static Variable maximum(Variable a, double s) {
        Tensor out = a.use("maximum").maximum(s);
        return Node.record("maximum", out, (n, g, i) -> g.mul(Variable.constant(tieSplit(n.saved(a).data(), s, true))), a);
    }

    /** The gradient goes to the smaller input; where they are equal, half to each. */
    static Variable minimum(Variable a, Variable b) {
        Tensor out = a.use("minimum").minimum(b.use("minimum"));
        return Node.record("minimum", out, (n, g, i) -> {
            Tensor self = n.saved(i == 0 ? a : b).data();
            Tensor other = n.saved(i == 0 ? b : a).data();
            return g.mul(Variable.constant(tieSplit(self, other, false)));
        }, a, b);
    }

    static Variable minimum(Variable a, double s) {
        Tensor out = a.use("minimum").minimum(s);
        return Node.record("minimum", out, (n, g, i) -> g.mul(Variable.constant(tieSplit(n.saved(a).data(), s, false))), a);
    }

    /** 1 where {@code self} wins, 1/2 where it ties, 0 where it loses (broadcast to the output's shape). */
    private static Tensor tieSplit(Tensor self, Tensor other, boolean larger) {
        try (Tensor wins = larger ? self.gt(other) : self.lt(other);
             Tensor ties = self.eq(other);
             Tensor half = ties.mul(0.5)) {
            return wins.add(half);
        }
    }

    private static Tensor tieSplit(Tensor self, double other, boolean larger) {
        try (Tensor wins = larger ? self.gt(other) : self.lt(other);
             Tensor ties = self.eq(other);
             Tensor half = ties.mul(0.5)) {
            return wins.add(half);
        }
    }

    /** The gradient of {@code a} where {@code cond} holds, of {@code b} elsewhere. */
    static Variable where(Tensor cond, Variable a, Variable b) {
        String op = "where";
        cond.checkOpen(op);
        Tensor out = Tensor.where(cond, a.use(op), b.use(op));
        Tensor notCond = cond.eq(0);
        Tensor keptCond = cond.to(cond.dtype());
        return Node.recordOwning(op, out, new Tensor[] {notCond, keptCond}, (n, g, i) -> i == 0
                ? g.maskedFill(notCond, 0)
                : g.maskedFill(keptCond, 0), a, b);
    }

    /** The gradient passes where the mask is 0. */
    static Variable maskedFill(Variable a, Tensor mask, double value) {
        String op = "maskedFill";
        Tensor x = a.use(op);
        mask.checkOpen(op);
        Check.argument(mask.shape().broadcastsTo(x.shape()), op, "mask shape %s does not broadcast to %s",
                mask.shape(), x.shape());
        Tensor out;
        try (Tensor fill = Tensor.full(x.device(), x.dtype(), value)) {
            out = Tensor.where(mask, fill, x);
        }
        Tensor keptMask = mask.to(mask.dtype());
        return Node.recordOwning(op, out, new Tensor[] {keptMask}, (n, g, i) -> g.maskedFill(keptMask, 0), a);
    }
}
