package dev.descent.autograd;

import dev.descent.core.Tensor;

/** Elementwise functions of one variable, each forward beside its derivative. */
final class MathOps {
    private static final double TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);

    private MathOps() {
    }

    /** d exp(x) = exp(x). */
    static Variable exp(Variable a) {
        return Node.record("exp", a.use("exp").exp(), (n, g, i) -> g.mul(n.output()), a);
    }

    /** d log(x) = 1/x. */
    static Variable log(Variable a) {
        return Node.record("log", a.use("log").log(), (n, g, i) -> g.div(n.saved(a)), a);
    }

    /** d log(1+x) = 1/(1+x). */
    static Variable log1p(Variable a) {
        return Node.record("log1p", a.use("log1p").log1p(), (n, g, i) -> g.div(n.saved(a).add(1)), a);
    }

    /** d sqrt(x) = 1/(2 sqrt(x)). */
    static Variable sqrt(Variable a) {
        return Node.record("sqrt", a.use("sqrt").sqrt(), (n, g, i) -> g.div(n.output().mul(2)), a);
    }

    /** d x^(-1/2) = -x^(-3/2)/2 = -out/(2x). */
    static Variable rsqrt(Variable a) {
        return Node.record("rsqrt", a.use("rsqrt").rsqrt(),
                (n, g, i) -> g.mul(n.output()).div(n.saved(a)).mul(-0.5), a);
    }

    /** d (1/x) = -1/x² = -out². */
    static Variable reciprocal(Variable a) {
        return Node.record("reciprocal", a.use("reciprocal").reciprocal(),
                (n, g, i) -> g.mul(n.output().square()).neg(), a);
    }

    /** d x² = 2x. */
    static Variable square(Variable a) {
        return Node.record("square", a.use("square").square(), (n, g, i) -> g.mul(n.saved(a).mul(2)), a);
    }

    /** d |x| = sign(x), 0 at 0. */
    static Variable abs(Variable a) {
        return Node.record("abs", a.use("abs").abs(),
                (n, g, i) -> g.mul(Variable.constant(n.saved(a).data().sign())), a);
    }

    static Variable sign(Variable a) {
        return Variable.constant(a.use("sign").sign());
    }

    /** The gradient passes where lo <= x <= hi. */
    static Variable clamp(Variable a, double lo, double hi) {
        return Node.record("clamp", a.use("clamp").clamp(lo, hi), (n, g, i) -> {
            Tensor x = n.saved(a).data();
            try (Tensor above = x.ge(lo); Tensor below = x.le(hi)) {
                return g.mul(Variable.constant(above.mul(below)));
            }
        }, a);
    }

    /** d (e^x - 1) = e^x = out + 1. */
    static Variable expm1(Variable a) {
        return Node.record("expm1", a.use("expm1").expm1(), (n, g, i) -> g.mul(n.output().add(1)), a);
    }

    /** d erf(x) = 2/sqrt(pi) exp(-x²). */
    static Variable erf(Variable a) {
        return Node.record("erf", a.use("erf").erf(),
                (n, g, i) -> g.mul(n.saved(a).square().neg().exp().mul(TWO_OVER_SQRT_PI)), a);
    }

    /** d sin(x) = cos(x). */
    static Variable sin(Variable a) {
        return Node.record("sin", a.use("sin").sin(), (n, g, i) -> g.mul(n.saved(a).cos()), a);
    }

    /** d cos(x) = -sin(x). */
    static Variable cos(Variable a) {
        return Node.record("cos", a.use("cos").cos(), (n, g, i) -> g.mul(n.saved(a).sin()).neg(), a);
    }
}
