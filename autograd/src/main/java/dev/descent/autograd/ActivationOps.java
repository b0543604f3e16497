package dev.descent.autograd;

import dev.descent.core.Check;
import dev.descent.core.Scope;
import dev.descent.core.Tensor;
import dev.descent.core.fused.Expr;
import dev.descent.core.fused.UpdateRule;
import dev.descent.core.spi.BinaryOp;
import java.util.List;

/** Activation functions and (log-)softmax, each forward beside its derivative. */
final class ActivationOps {
    private static final double SQRT_HALF = Math.sqrt(0.5);
    private static final double INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);
    private static final double SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);
    private static final double GELU_CUBIC = 0.044715;

    private ActivationOps() {
    }

    /** d sigmoid(x) = y(1 - y). */
    static Variable sigmoid(Variable a) {
        return Node.record("sigmoid", a.use("sigmoid").sigmoid(), (n, g, i) -> {
            Variable y = n.output();
            return g.mul(y.mul(y.rsub(1)));
        }, a);
    }

    /** d tanh(x) = 1 - y². */
    static Variable tanh(Variable a) {
        return Node.record("tanh", a.use("tanh").tanh(), (n, g, i) -> g.mul(n.output().square().rsub(1)), a);
    }

    /**
     * d relu(x) = 1 where the output is positive, else 0: g·[y &gt; 0] in one pass over memory (an
     * elementwise program, {@link #RELU_GRADIENT}) where a mask and a product would take two,
     * the same bits; with recorded ops when the backward pass creates a graph.
     */
    static Variable relu(Variable a) {
        return Node.record("relu", a.use("relu").relu(), (n, g, i) -> GradMode.isEnabled()
                ? g.mul(Variable.constant(n.output().data().gt(0)))
                : Variable.constant(reluGradient(g.use("relu"), n.output().data())), a);
    }

    /** {@code gradIn ← grad·[output &gt; zero]}. */
    private static final UpdateRule RELU_GRADIENT = reluGradientRule();

    private static UpdateRule reluGradientRule() {
        UpdateRule.Builder r = UpdateRule.builder("relu gradient");
        Expr grad = r.tensor("grad");
        Expr output = r.tensor("output");
        Expr gradIn = r.tensor("gradIn");
        r.assign(gradIn, grad.mul(output.apply(BinaryOp.GT, r.scalar("zero"))));
        return r.build();
    }

    private static Tensor reluGradient(Tensor g, Tensor y) {
        Tensor gradIn = Tensor.empty(g.device(), g.dtype(), g.shape().dims());
        try {
            RELU_GRADIENT.run(List.of(List.of(g, y, gradIn)), 0);
        } catch (RuntimeException e) {
            gradIn.close();
            throw e;
        }
        return gradIn;
    }

    /** d = 1 for x > 0, slope otherwise. */
    static Variable leakyRelu(Variable a, double slope) {
        String op = "leakyRelu";
        Tensor x = a.use(op);
        Check.floating(op, x);
        Tensor out;
        try (Tensor positive = x.gt(0); Tensor scale = slopes(positive, slope)) {
            out = x.mul(scale);
        }
        return Node.record(op, out, (n, g, i) -> {
            try (Tensor positive = n.saved(a).data().gt(0)) {
                return g.mul(Variable.constant(slopes(positive, slope)));
            }
        }, a);
    }

    /** 1 where positive, {@code slope} elsewhere. */
    private static Tensor slopes(Tensor positive, double slope) {
        try (Tensor scaled = positive.mul(1 - slope)) {
            return scaled.add(slope);
        }
    }

    /**
     * y = x Phi(x); dy/dx = Phi(x) + x phi(x), with Phi(x) = (1 + erf(x/sqrt 2))/2 and phi the normal
     * density. Without createGraph, Phi(x) is read from the output as y/x (1/2 at x = 0) rather than
     * computed again by an erf, the slowest step of the gradient: a division costs a pass over
     * memory, an erf many.
     */
    static Variable gelu(Variable a) {
        String op = "gelu";
        return Node.record(op, a.use(op).gelu(), (n, g, i) -> {
            Variable v = n.saved(a);
            Variable pdf = v.square().mul(-0.5).exp().mul(INV_SQRT_2PI);
            Variable cdf;
            if (GradMode.isEnabled()) {
                cdf = v.mul(SQRT_HALF).erf().add(1).mul(0.5);
            } else {
                Variable zero = Variable.constant(v.data().eq(0));     // (y + z/2)/(x + z), z = [x = 0]
                cdf = n.output().add(zero.mul(0.5)).div(v.add(zero));
            }
            return g.mul(cdf.add(v.mul(pdf)));
        }, a);
    }

    /** y = x (1 + tanh u)/2 with u = c (x + k x³); dy/dx = (1 + t)/2 + x (1 - t²) c (1 + 3k x²)/2. */
    static Variable geluTanh(Variable a) {
        String op = "geluTanh";
        Tensor x = a.use(op);
        Check.floating(op, x);
        Tensor out;
        try (Scope scope = Scope.open()) {
            Tensor u = x.pow(3).mul(GELU_CUBIC).add(x).mul(SQRT_2_OVER_PI);
            out = scope.keep(u.tanh().add(1).mul(x).mul(0.5));
        }
        return Node.record(op, out, (n, g, i) -> {
            Variable v = n.saved(a);
            Variable v2 = v.square();
            Variable t = v.mul(v2).mul(GELU_CUBIC).add(v).mul(SQRT_2_OVER_PI).tanh();
            Variable dt = t.square().rsub(1).mul(v2.mul(3 * GELU_CUBIC).add(1)).mul(SQRT_2_OVER_PI);
            return g.mul(t.add(1).add(v.mul(dt)).mul(0.5));
        }, a);
    }

    /** y = softplus(bx)/b, the primitive at b = 1 and scaled around it otherwise; dy/dx = sigmoid(bx). */
    static Variable softplus(Variable a, double beta) {
        String op = "softplus";
        Tensor x = a.use(op);
        Check.argument(beta > 0 && Double.isFinite(beta), op, "expected a finite beta > 0, got %s", beta);
        Tensor out;
        if (beta == 1) {
            out = x.softplus();
        } else {
            Check.floating(op, x);
            try (Tensor bx = x.mul(beta); Tensor s = bx.softplus()) {
                out = s.div(beta);
            }
        }
        return Node.record(op, out, (n, g, i) -> g.mul(n.saved(a).mul(beta).sigmoid()), a);
    }

    /** dx = y (g - sum(g y)) along the axis. */
    static Variable softmax(Variable a, int axis) {
        Tensor x = a.use("softmax");
        int ax = Check.axis("softmax", axis, x.rank());
        return Node.record("softmax", x.softmax(ax), (n, g, i) -> {
            Variable y = n.output();
            return g.sub(g.mul(y).sum(new int[] {ax}, true)).mul(y);
        }, a);
    }

    /** As softmax's, along the last axis: masked entries have y = 0, so their gradient is 0. */
    static Variable causalSoftmax(Variable a) {
        Tensor x = a.use("causalSoftmax");
        int last = x.rank() - 1;
        return Node.record("causalSoftmax", x.causalSoftmax(), (n, g, i) -> {
            Variable y = n.output();
            return g.sub(g.mul(y).sum(new int[] {last}, true)).mul(y);
        }, a);
    }

    /** dx = g - exp(y) sum(g) along the axis. */
    static Variable logSoftmax(Variable a, int axis) {
        Tensor x = a.use("logSoftmax");
        int ax = Check.axis("logSoftmax", axis, x.rank());
        return Node.record("logSoftmax", x.logSoftmax(ax),
                (n, g, i) -> g.sub(n.output().exp().mul(g.sum(new int[] {ax}, true))), a);
    }
}
