package dev.descent.conformance;

import dev.descent.core.DType;
import dev.descent.core.Tensor;
import dev.descent.core.fused.Expr;
import dev.descent.core.fused.UpdateRule;
import dev.descent.core.spi.BinaryOp;
import dev.descent.core.spi.StridedView;
import dev.descent.core.spi.UnaryOp;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;

/**
 * Elementwise programs ({@code Backend.runProgram}), the form every fused optimiser update
 * takes: update rules of the optimisers' shapes, several tensor sets of different shapes in
 * one call (one set transposed, one over 2^17 elements), against their equations written as
 * plain float64 loops here; the composed form ({@link UpdateRule#compose}) against the same
 * equations; and every op inside a program against the same op run alone. A backend without
 * program kernels skips the fused checks (its optimisers then run the composed form, which
 * these cases and the op cases cover).
 */
final class FusedUpdateCases {
    private static final int[][] SIZES = {{7}, {33, 5}, {(1 << 17) + 3}};
    /**
     * Roundings allowed per term: a kernel may round after every operation of the update in
     * the tensor's dtype, so each element's error scale is this many units of roundoff times
     * the sum of the magnitudes of the terms it combines (the same bound as {@link Tolerance}'s sums).
     */
    private static final double ROUNDINGS = 8;

    private FusedUpdateCases() {
    }

    static Stream<DynamicNode> fusedUpdates(Harness h) {
        List<DynamicNode> cases = new ArrayList<>();
        for (DType dt : h.floats()) {
            for (boolean fused : new boolean[] {true, false}) {
                String form = fused ? "runProgram" : "composed";
                cases.add(h.test("optimiser", form, String.format("Adam-shaped rule (AMSGrad, L2, decoupled decay) %s"
                        + " %s on sets %s in one call equals its equations", form, dt, shapes()),
                        c -> adamCase(c, dt, fused)));
                cases.add(h.test("optimiser", form, String.format("SGD-shaped rule (momentum, dampening, Nesterov) %s"
                        + " %s on sets %s in one call equals its equations", form, dt, shapes()),
                        c -> sgdCase(c, dt, fused)));
                cases.add(h.test("optimiser", form, String.format("RMSprop-shaped rule (square, sqrt, div, sign,"
                        + " maximum) %s %s on sets %s equals its equations", form, dt, shapes()),
                        c -> rmspropCase(c, dt, fused)));
            }
            for (UnaryOp op : UnaryOp.values()) {
                cases.add(h.test("optimiser", "runProgram", String.format("%s inside a program %s equals %s alone",
                        op.label(), dt, op.label()), c -> unaryInProgram(c, dt, op)));
            }
            for (BinaryOp op : BinaryOp.values()) {
                cases.add(h.test("optimiser", "runProgram", String.format("%s inside a program %s equals %s alone",
                        op.label(), dt, op.label()), c -> binaryInProgram(c, dt, op)));
            }
        }
        return Stream.of(DynamicContainer.dynamicContainer("elementwise programs (fused optimiser updates)", cases));
    }

    private static String shapes() {
        StringBuilder sb = new StringBuilder();
        for (int[] s : SIZES) {
            sb.append(Harness.dims(s));
        }
        return sb.append(" (the second's gradient transposed)").toString();
    }

    /** The values a float32 tensor actually holds, so the reference starts where the backend does. */
    private static RefArray drawn(CaseContext c, DType dt, Domain d, int[] shape) {
        return c.draw(dt, d, shape).cast(dt);
    }

    /**
     * Runs {@code step} on {@code sets}: through the backend's {@code runProgram} in one call
     * (skipping the case where the backend has none), or in the composed form.
     */
    private static void apply(UpdateRule.Step step, List<List<Tensor>> sets, boolean fused) {
        if (!fused) {
            step.compose(sets);
            return;
        }
        List<StridedView[]> views = new ArrayList<>();
        for (List<Tensor> set : sets) {
            views.add(set.stream().map(Tensor::stridedView).toArray(StridedView[]::new));
        }
        boolean ran = sets.get(0).get(0).backend().runProgram(step.rule().program(), views, step.values());
        Assumptions.assumeTrue(ran, "backend has no elementwise program kernel (the composed form is checked apart)");
    }

    /** The gradient of set 1 as a transposed view, so one call mixes contiguous and strided sets. */
    private static Tensor gradient(CaseContext c, DType dt, int set, RefArray values) {
        return set == 1 ? c.transposed(dt, values).tensor() : c.tensor(dt, values);
    }

    // ---------------------------------------------------------------- Adam

    /**
     * p ← shrink·p − stepSize·m'/(√v̂max / √c2 + eps), with g = g + wd·p, m' = β1·m + (1−β1)·g,
     * v' = β2·v + (1−β2)·g², v̂max' = max(v̂max, v').
     */
    private static UpdateRule adamRule() {
        UpdateRule.Builder r = UpdateRule.builder("Adam-shaped");
        Expr p = r.tensor("param");
        Expr grad = r.tensor("grad");
        Expr m = r.tensor("m");
        Expr v = r.tensor("v");
        Expr vmax = r.tensor("vmax");
        Expr g = grad.add(r.scalar("wd").mul(p));
        Expr m2 = r.assign(m, r.scalar("beta1").mul(m).add(r.scalar("oneMinusBeta1").mul(g)));
        Expr v2 = r.assign(v, r.scalar("beta2").mul(v).add(r.scalar("oneMinusBeta2").mul(g.square())));
        Expr second = r.assign(vmax, vmax.max(v2));
        Expr denom = second.sqrt().div(r.scalar("sqrtC2")).add(r.scalar("eps"));
        r.assign(p, r.scalar("shrink").mul(p).sub(r.scalar("stepSize").mul(m2.div(denom))));
        return r.build();
    }

    private static void adamCase(CaseContext c, DType dt, boolean fused) {
        double lr = 0.01;
        double b1 = 0.9;
        double b2 = 0.999;
        double eps = 1e-8;
        double wd = 0.01;
        double shrink = 1 - lr * 0.1;
        int t = 7;
        double c1 = 1 - Math.pow(b1, t);
        double c2 = 1 - Math.pow(b2, t);
        List<List<Tensor>> sets = new ArrayList<>();
        List<RefArray[]> ref = new ArrayList<>();
        for (int k = 0; k < SIZES.length; k++) {
            int[] s = SIZES[k];
            RefArray p0 = drawn(c, dt, Domain.NORMAL, s);
            RefArray g0 = drawn(c, dt, Domain.NORMAL, s);
            RefArray m0 = drawn(c, dt, Domain.NORMAL, s);
            RefArray v0 = drawn(c, dt, Domain.POSITIVE, s);
            RefArray x0 = drawn(c, dt, Domain.POSITIVE, s);
            sets.add(List.of(c.tensor(dt, p0), gradient(c, dt, k, g0), c.tensor(dt, m0), c.tensor(dt, v0),
                    c.tensor(dt, x0)));
            ref.add(adamReference(lr, b1, b2, eps, wd, shrink, c1, c2, p0.data().clone(), g0.data(),
                    m0.data().clone(), v0.data().clone(), x0.data().clone(), s));
        }
        apply(adamRule().step().set("wd", wd).set("beta1", b1).set("oneMinusBeta1", 1 - b1).set("beta2", b2)
                .set("oneMinusBeta2", 1 - b2).set("sqrtC2", Math.sqrt(c2)).set("eps", eps).set("shrink", shrink)
                .set("stepSize", lr / c1), sets, fused);
        for (int k = 0; k < SIZES.length; k++) {
            RefArray[] r = ref.get(k);
            c.expect(sets.get(k).get(0), dt, r[0], r[4], Tolerance.sum(dt));
            c.expect(sets.get(k).get(2), dt, r[1], r[5], Tolerance.sum(dt));
            c.expect(sets.get(k).get(3), dt, r[2], r[6], Tolerance.sum(dt));
            c.expect(sets.get(k).get(4), dt, r[3], r[6], Tolerance.sum(dt));
        }
    }

    private static RefArray[] adamReference(double lr, double b1, double b2, double eps, double wd, double shrink,
            double c1, double c2, double[] p, double[] g, double[] m, double[] v, double[] vmax, int[] shape) {
        double[] pScale = new double[p.length];
        double[] mScale = new double[p.length];
        double[] vScale = new double[p.length];
        for (int i = 0; i < p.length; i++) {
            double gi = g[i] + wd * p[i];
            double gScale = Math.abs(g[i]) + Math.abs(wd * p[i]);
            mScale[i] = ROUNDINGS * (Math.abs(b1 * m[i]) + (1 - b1) * gScale);
            vScale[i] = ROUNDINGS * (Math.abs(b2 * v[i]) + (1 - b2) * gScale * gScale);
            m[i] = b1 * m[i] + (1 - b1) * gi;
            v[i] = b2 * v[i] + (1 - b2) * gi * gi;
            vmax[i] = Math.max(vmax[i], v[i]);
            double step = lr / c1 * m[i] / (Math.sqrt(vmax[i]) / Math.sqrt(c2) + eps);
            // The step's own relative error is a few roundings of m and v plus a square root.
            pScale[i] = ROUNDINGS * (Math.abs(shrink * p[i]) + Math.abs(step) * (1
                    + mScale[i] / Math.max(Math.abs(m[i]), Double.MIN_NORMAL) + vScale[i] / Math.max(vmax[i],
                    Double.MIN_NORMAL)));
            p[i] = shrink * p[i] - step;
        }
        return new RefArray[] {RefArray.of(shape, p), RefArray.of(shape, m), RefArray.of(shape, v),
            RefArray.of(shape, vmax), RefArray.of(shape, pScale), RefArray.of(shape, mScale), RefArray.of(shape, vScale)};
    }

    // ---------------------------------------------------------------- SGD

    /** b ← μ·b + keep·g;  p ← p − lr·(keep·g + μ·b'), with g = −grad + wd·p (maximising). */
    private static UpdateRule sgdRule() {
        UpdateRule.Builder r = UpdateRule.builder("SGD-shaped");
        Expr p = r.tensor("param");
        Expr grad = r.tensor("grad");
        Expr b = r.tensor("buffer");
        Expr mu = r.scalar("momentum");
        Expr keep = r.scalar("keep");
        Expr g = r.scalar("sign").mul(grad).add(r.scalar("wd").mul(p));
        Expr b2 = r.assign(b, mu.mul(b).add(keep.mul(g)));
        r.assign(p, p.sub(r.scalar("lr").mul(keep.mul(g).add(mu.mul(b2)))));
        return r.build();
    }

    private static void sgdCase(CaseContext c, DType dt, boolean fused) {
        double lr = 0.05;
        double mu = 0.9;
        double keep = 0.7;
        double wd = 0.01;
        List<List<Tensor>> sets = new ArrayList<>();
        List<RefArray[]> ref = new ArrayList<>();
        for (int k = 0; k < SIZES.length; k++) {
            int[] s = SIZES[k];
            RefArray p0 = drawn(c, dt, Domain.NORMAL, s);
            RefArray g0 = drawn(c, dt, Domain.NORMAL, s);
            RefArray b0 = drawn(c, dt, Domain.NORMAL, s);
            sets.add(List.of(c.tensor(dt, p0), gradient(c, dt, k, g0), c.tensor(dt, b0)));
            double[] p = p0.data().clone();
            double[] g = g0.data();
            double[] b = b0.data().clone();
            double[] pScale = new double[p.length];
            double[] bScale = new double[p.length];
            for (int i = 0; i < p.length; i++) {
                double gi = -g[i] + wd * p[i];
                double gScale = Math.abs(g[i]) + Math.abs(wd * p[i]);
                bScale[i] = ROUNDINGS * (Math.abs(mu * b[i]) + keep * gScale);
                b[i] = mu * b[i] + keep * gi;
                pScale[i] = ROUNDINGS * (Math.abs(p[i]) + lr * (keep * gScale + mu * bScale[i] + Math.abs(mu * b[i])));
                p[i] -= lr * (keep * gi + mu * b[i]);
            }
            ref.add(new RefArray[] {RefArray.of(s, p), RefArray.of(s, b), RefArray.of(s, pScale), RefArray.of(s, bScale)});
        }
        apply(sgdRule().step().set("momentum", mu).set("keep", keep).set("sign", -1).set("wd", wd).set("lr", lr), sets,
                fused);
        for (int k = 0; k < SIZES.length; k++) {
            RefArray[] r = ref.get(k);
            c.expect(sets.get(k).get(0), dt, r[0], r[2], Tolerance.sum(dt));
            c.expect(sets.get(k).get(2), dt, r[1], r[3], Tolerance.sum(dt));
        }
    }

    // ---------------------------------------------------------------- RMSprop-like

    /** v ← rho·v + (1−rho)·g²;  p ← p − lr·g/(√v' + eps) + lr·sign(g)·max(p, g), v positive. */
    private static UpdateRule rmspropRule() {
        UpdateRule.Builder r = UpdateRule.builder("RMSprop-shaped");
        Expr p = r.tensor("param");
        Expr g = r.tensor("grad");
        Expr v = r.tensor("v");
        Expr lr = r.scalar("lr");
        Expr eps = r.scalar("eps");
        Expr v2 = r.assign(v, r.scalar("rho").mul(v).add(r.scalar("oneMinusRho").mul(g.square())));
        Expr step = lr.mul(g).div(v2.sqrt().add(eps));
        r.assign(p, p.sub(step).add(g.sign().mul(p.max(g)).mul(lr)));
        return r.build();
    }

    private static void rmspropCase(CaseContext c, DType dt, boolean fused) {
        double lr = 0.01;
        double rho = 0.9;
        double eps = 1e-8;
        List<List<Tensor>> sets = new ArrayList<>();
        List<RefArray[]> ref = new ArrayList<>();
        for (int k = 0; k < SIZES.length; k++) {
            int[] s = SIZES[k];
            RefArray p0 = drawn(c, dt, Domain.NORMAL, s);
            RefArray g0 = drawn(c, dt, Domain.NORMAL, s);
            RefArray v0 = drawn(c, dt, Domain.POSITIVE, s);
            double[] p = p0.data().clone();
            double[] g = g0.data();
            double[] v = v0.data().clone();
            double[] pScale = new double[p.length];
            double[] vScale = new double[p.length];
            for (int i = 0; i < p.length; i++) {
                v[i] = rho * v[i] + (1 - rho) * g[i] * g[i];
                vScale[i] = ROUNDINGS * v[i];
                double step = lr * g[i] / (Math.sqrt(v[i]) + eps);
                double extra = Math.signum(g[i]) * Math.max(p[i], g[i]) * lr;
                pScale[i] = ROUNDINGS * (Math.abs(p[i]) + Math.abs(step) + Math.abs(extra));
                p[i] = p[i] - step + extra;
            }
            ref.add(new RefArray[] {RefArray.of(s, p), RefArray.of(s, v), RefArray.of(s, pScale), RefArray.of(s, vScale)});
            sets.add(List.of(c.tensor(dt, p0), gradient(c, dt, k, g0), c.tensor(dt, v0)));
        }
        apply(rmspropRule().step().set("lr", lr).set("eps", eps).set("rho", rho).set("oneMinusRho", 1 - rho), sets,
                fused);
        for (int k = 0; k < SIZES.length; k++) {
            RefArray[] r = ref.get(k);
            c.expect(sets.get(k).get(0), dt, r[0], r[2], Tolerance.sum(dt));
            c.expect(sets.get(k).get(2), dt, r[1], r[3], Tolerance.sum(dt));
        }
    }

    // ---------------------------------------------------------------- each op

    /** out ← op(x) in a program, against the backend's own op on the same values. */
    private static void unaryInProgram(CaseContext c, DType dt, UnaryOp op) {
        UpdateRule.Builder r = UpdateRule.builder(op.label());
        Expr out = r.tensor("out");
        r.assign(out, r.tensor("x").apply(op));
        RefArray x = drawn(c, dt, Domain.POSITIVE, new int[] {1000});
        Tensor xt = c.tensor(dt, x);
        RefArray alone = RefArray.of(new int[] {1000}, xt.apply(op).toDoubleArray());
        Tensor o = Tensor.zeros(xt.device(), dt, 1000);
        apply(r.build().step(), List.of(List.of(o, xt)), true);
        c.expect(o, dt, alone, twice(ElementwiseOps.unary(op).accuracy(), dt));
    }

    /**
     * Both forms are within the op's bound of the exact value (a program may compute a float32 op
     * another way than the tensor op, e.g. in double where the op has a float kernel), so they are
     * within twice the bound of each other; exact ops stay bit for bit.
     */
    private static Tolerance twice(ElementwiseOps.Accuracy a, DType dt) {
        return a.isExact() ? Tolerance.exact() : Tolerance.ulps(dt, 2 * a.bound(dt));
    }

    /** out ← op(x, y) and op(x, s) for a scalar s in a program, against the backend's own op. */
    private static void binaryInProgram(CaseContext c, DType dt, BinaryOp op) {
        UpdateRule.Builder r = UpdateRule.builder(op.label());
        Expr out = r.tensor("out");
        Expr outScalar = r.tensor("outScalar");
        Expr x = r.tensor("x");
        r.assign(out, x.apply(op, r.tensor("y")));
        r.assign(outScalar, x.apply(op, r.scalar("s")));
        Domain left = op.isComparison() ? Domain.SMALL_INTS : Domain.POSITIVE;
        Domain right = op.isComparison() ? Domain.SMALL_INTS : op == BinaryOp.POW ? Domain.EXPONENT : Domain.NORMAL;
        Tensor xt = c.tensor(dt, drawn(c, dt, left, new int[] {1000}));
        Tensor yt = c.tensor(dt, drawn(c, dt, right, new int[] {1000}));
        double s = op.isComparison() ? 1 : 1.5;
        RefArray alone = RefArray.of(new int[] {1000}, xt.apply(op, yt).toDoubleArray());
        RefArray aloneScalar = RefArray.of(new int[] {1000},
                xt.apply(op, Tensor.full(xt.device(), dt, s)).toDoubleArray());
        Tensor o = Tensor.zeros(xt.device(), dt, 1000);
        Tensor os = Tensor.zeros(xt.device(), dt, 1000);
        apply(r.build().step().set("s", s), List.of(List.of(o, os, xt, yt)), true);
        Tolerance tol = twice(ElementwiseOps.binary(op).accuracy(), dt);
        c.expect(o, dt, alone, tol);
        c.expect(os, dt, aloneScalar, tol);
    }
}
