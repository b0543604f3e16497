package dev.descent.conformance;

import dev.descent.core.DType;
import dev.descent.core.FusedUpdates;
import dev.descent.core.Tensor;
import dev.descent.core.spi.AdamUpdate;
import dev.descent.core.spi.ElementwiseProgram;
import dev.descent.core.spi.SgdUpdate;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;

/**
 * The fused optimiser updates of the SPI ({@link FusedUpdates#sgd}, {@link FusedUpdates#adam})
 * against their equations ({@link SgdUpdate}, {@link AdamUpdate}) written as plain float64
 * loops here, over several tensors in one call. A backend without a fused kernel skips these
 * cases (its optimisers then run the composed form, which the op cases already cover).
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
        SgdUpdate[] sgd = {
            new SgdUpdate(0.1, 0, 0, 0, false, false, false),
            new SgdUpdate(0.05, 1e-2, 0.9, 0, false, false, true),
            new SgdUpdate(0.05, 0, 0.9, 0, false, false, false),
            new SgdUpdate(0.05, 1e-2, 0.9, 0, true, false, false),
            new SgdUpdate(0.05, 0, 0.9, 0.9, true, true, false),
        };
        AdamUpdate[] adam = {
            new AdamUpdate(1e-3, 0.9, 0.999, 1e-8, 0, false, false, false, false, 1),
            new AdamUpdate(1e-2, 0.9, 0.999, 1e-8, 1e-2, false, false, false, false, 7),
            new AdamUpdate(1e-2, 0.8, 0.99, 1e-6, 1e-2, true, true, false, false, 3),
            new AdamUpdate(1e-2, 0.9, 0.999, 1e-8, 0, false, false, true, true, 12),
        };
        for (DType dt : h.floats()) {
            for (SgdUpdate u : sgd) {
                String name = String.format("fused SGD %s %s on tensors %s equals its equations", dt, u, shapes());
                cases.add(h.test("optimiser", "fusedSgd", name, c -> sgdCase(c, dt, u)));
            }
            for (AdamUpdate u : adam) {
                String name = String.format("fused Adam %s %s on tensors %s equals its equations", dt, u, shapes());
                cases.add(h.test("optimiser", "fusedAdam", name, c -> adamCase(c, dt, u)));
            }
        }
        for (DType dt : h.floats()) {
            String name = String.format("elementwise program (RMSprop-like: square, sqrt, div, sign, maximum) %s on %s"
                    + " equals its steps in float64", dt, shapes());
            cases.add(h.test("optimiser", "runProgram", name, c -> programCase(c, dt)));
        }
        return Stream.of(DynamicContainer.dynamicContainer("fused optimiser updates", cases));
    }

    private static String shapes() {
        StringBuilder sb = new StringBuilder();
        for (int[] s : SIZES) {
            sb.append(Harness.dims(s));
        }
        return sb.toString();
    }

    /** The values a float32 tensor actually holds, so the reference starts where the backend does. */
    private static RefArray drawn(CaseContext c, DType dt, Domain d, int[] shape) {
        return c.draw(dt, d, shape).cast(dt);
    }

    private static void sgdCase(CaseContext c, DType dt, SgdUpdate u) {
        List<Tensor> p = new ArrayList<>();
        List<Tensor> g = new ArrayList<>();
        List<Tensor> b = new ArrayList<>();
        List<RefArray[]> ref = new ArrayList<>();
        for (int[] s : SIZES) {
            RefArray p0 = drawn(c, dt, Domain.NORMAL, s);
            RefArray g0 = drawn(c, dt, Domain.NORMAL, s);
            RefArray b0 = drawn(c, dt, Domain.NORMAL, s);
            p.add(c.tensor(dt, p0));
            g.add(c.tensor(dt, g0));
            b.add(c.tensor(dt, b0));
            ref.add(sgdReference(u, p0.data().clone(), g0.data(), b0.data().clone(), s));
        }
        boolean fused = FusedUpdates.sgd(u, p, g, b);
        Assumptions.assumeTrue(fused, "backend has no fused SGD kernel for these tensors");
        for (int i = 0; i < SIZES.length; i++) {
            c.expect(p.get(i), dt, ref.get(i)[0], ref.get(i)[2], Tolerance.sum(dt));
            if (u.momentum() != 0) {
                c.expect(b.get(i), dt, ref.get(i)[1], ref.get(i)[3], Tolerance.sum(dt));
            }
        }
    }

    /**
     * A program touching every kind of step: tensors p, g, v (v positive), scalars lr, rho, eps.
     * v ← rho·v + (1−rho)·g²;  p ← p − lr · g / (√v + eps) + 0.01 · sign(g) · max(p, g).
     */
    private static ElementwiseProgram rmspropLike() {
        ElementwiseProgram.Builder b = ElementwiseProgram.builder(3, 4);
        int p = b.tensor(0);
        int g = b.tensor(1);
        int v = b.tensor(2);
        int lr = b.scalar(0);
        int rho = b.scalar(1);
        int oneMinusRho = b.scalar(2);
        int eps = b.scalar(3);
        int v2 = b.addScaled(b.mul(rho, v), oneMinusRho, b.square(g));
        int step = b.div(b.mul(lr, g), b.add(b.sqrt(v2), eps));
        int extra = b.mul(b.mul(b.sign(g), b.max(p, g)), b.div(lr, lr));
        int p2 = b.add(b.sub(p, step), b.mul(b.mul(extra, lr), b.div(eps, eps)));
        return b.store(0, p2).store(2, v2).build();
    }

    private static void programCase(CaseContext c, DType dt) {
        double lr = 0.01;
        double rho = 0.9;
        double eps = 1e-8;
        List<Tensor> ts = new ArrayList<>();
        List<RefArray[]> ref = new ArrayList<>();
        for (int[] s : SIZES) {
            RefArray p0 = drawn(c, dt, Domain.NORMAL, s);
            RefArray g0 = drawn(c, dt, Domain.NORMAL, s);
            RefArray v0 = drawn(c, dt, Domain.POSITIVE, s);
            double[] p = p0.data().clone();
            double[] g = g0.data();
            double[] v = v0.data().clone();
            double[] pScale = new double[p.length];
            double[] vScale = new double[p.length];
            for (int i = 0; i < p.length; i++) {
                vScale[i] = ROUNDINGS * (rho * v[i] + (1 - rho) * g[i] * g[i]);
                v[i] = rho * v[i] + (1 - rho) * g[i] * g[i];
                double step = lr * g[i] / (Math.sqrt(v[i]) + eps);
                double extra = Math.signum(g[i]) * Math.max(p[i], g[i]) * lr;
                pScale[i] = ROUNDINGS * (Math.abs(p[i]) + Math.abs(step) + Math.abs(extra));
                p[i] = p[i] - step + extra;
            }
            ref.add(new RefArray[] {RefArray.of(s, p), RefArray.of(s, v), RefArray.of(s, pScale), RefArray.of(s, vScale)});
            List<Tensor> one = List.of(c.tensor(dt, p0), c.tensor(dt, g0), c.tensor(dt, v0));
            ts.addAll(one);
        }
        ElementwiseProgram program = rmspropLike();
        for (int k = 0; k < SIZES.length; k++) {
            List<Tensor> one = ts.subList(3 * k, 3 * k + 3);
            // The composed form (tensor ops, one temporary per step) on copies, then the fused run.
            List<Tensor> copies = List.of(one.get(0).copy(), one.get(1).copy(), one.get(2).copy());
            FusedUpdates.compose(program, copies, lr, rho, 1 - rho, eps);
            c.expect(copies.get(0), dt, ref.get(k)[0], ref.get(k)[2], Tolerance.sum(dt));
            c.expect(copies.get(2), dt, ref.get(k)[1], ref.get(k)[3], Tolerance.sum(dt));
            boolean ran = FusedUpdates.run(program, one, lr, rho, 1 - rho, eps);
            Assumptions.assumeTrue(ran, "backend has no elementwise program kernel (its composed form passed)");
            c.expect(one.get(0), dt, ref.get(k)[0], ref.get(k)[2], Tolerance.sum(dt));
            c.expect(one.get(2), dt, ref.get(k)[1], ref.get(k)[3], Tolerance.sum(dt));
        }
    }

    /** {@link SgdUpdate}'s equations, element by element in float64. */
    private static RefArray[] sgdReference(SgdUpdate u, double[] p, double[] g, double[] b, int[] shape) {
        double[] pScale = new double[p.length];
        double[] bScale = new double[p.length];
        for (int i = 0; i < p.length; i++) {
            double gScale = Math.abs(g[i]) + Math.abs(u.weightDecay() * p[i]);
            double gi = (u.maximize() ? -g[i] : g[i]) + u.weightDecay() * p[i];
            if (u.momentum() != 0) {
                bScale[i] = ROUNDINGS * (Math.abs(u.momentum() * b[i]) + gScale);
                b[i] = u.firstStep() ? gi : u.momentum() * b[i] + (1 - u.dampening()) * gi;
                gScale += bScale[i];
                gi = u.nesterov() ? (1 - u.dampening()) * gi + u.momentum() * b[i] : b[i];
            }
            pScale[i] = ROUNDINGS * (Math.abs(p[i]) + u.lr() * gScale);
            p[i] -= u.lr() * gi;
        }
        return new RefArray[] {RefArray.of(shape, p), RefArray.of(shape, b), RefArray.of(shape, pScale),
            RefArray.of(shape, bScale)};
    }

    private static void adamCase(CaseContext c, DType dt, AdamUpdate u) {
        List<Tensor> p = new ArrayList<>();
        List<Tensor> g = new ArrayList<>();
        List<Tensor> m = new ArrayList<>();
        List<Tensor> v = new ArrayList<>();
        List<Tensor> vmax = new ArrayList<>();
        List<RefArray[]> ref = new ArrayList<>();
        for (int[] s : SIZES) {
            RefArray p0 = drawn(c, dt, Domain.NORMAL, s);
            RefArray g0 = drawn(c, dt, Domain.NORMAL, s);
            RefArray m0 = drawn(c, dt, Domain.NORMAL, s);
            RefArray v0 = drawn(c, dt, Domain.POSITIVE, s);
            RefArray x0 = drawn(c, dt, Domain.POSITIVE, s);
            p.add(c.tensor(dt, p0));
            g.add(c.tensor(dt, g0));
            m.add(c.tensor(dt, m0));
            v.add(c.tensor(dt, v0));
            vmax.add(c.tensor(dt, x0));
            ref.add(adamReference(u, p0.data().clone(), g0.data(), m0.data().clone(), v0.data().clone(),
                    x0.data().clone(), s));
        }
        boolean fused = FusedUpdates.adam(u, p, g, m, v, vmax);
        Assumptions.assumeTrue(fused, "backend has no fused Adam kernel for these tensors");
        for (int i = 0; i < SIZES.length; i++) {
            c.expect(p.get(i), dt, ref.get(i)[0], ref.get(i)[4], Tolerance.sum(dt));
            c.expect(m.get(i), dt, ref.get(i)[1], ref.get(i)[5], Tolerance.sum(dt));
            c.expect(v.get(i), dt, ref.get(i)[2], ref.get(i)[6], Tolerance.sum(dt));
            if (u.amsgrad()) {
                c.expect(vmax.get(i), dt, ref.get(i)[3], Tolerance.rounded(dt));
            }
        }
    }

    /** {@link AdamUpdate}'s equations, element by element in float64. */
    private static RefArray[] adamReference(AdamUpdate u, double[] p, double[] g, double[] m, double[] v, double[] vmax,
            int[] shape) {
        double c1 = 1 - Math.pow(u.beta1(), u.step());
        double c2 = 1 - Math.pow(u.beta2(), u.step());
        double[] pScale = new double[p.length];
        double[] mScale = new double[p.length];
        double[] vScale = new double[p.length];
        for (int i = 0; i < p.length; i++) {
            double pOld = Math.abs(p[i]);
            double gi = u.maximize() ? -g[i] : g[i];
            if (u.weightDecay() != 0) {
                if (u.decoupledWeightDecay()) {
                    p[i] *= 1 - u.lr() * u.weightDecay();
                } else {
                    gi += u.weightDecay() * p[i];
                }
            }
            mScale[i] = ROUNDINGS * (Math.abs(u.beta1() * m[i]) + Math.abs((1 - u.beta1()) * gi));
            vScale[i] = ROUNDINGS * (Math.abs(u.beta2() * v[i]) + (1 - u.beta2()) * gi * gi);
            m[i] = u.beta1() * m[i] + (1 - u.beta1()) * gi;
            v[i] = u.beta2() * v[i] + (1 - u.beta2()) * gi * gi;
            double second = v[i];
            if (u.amsgrad()) {
                vmax[i] = Math.max(vmax[i], v[i]);
                second = vmax[i];
            }
            double denom = u.epsInsideSqrt() ? Math.sqrt(second / c2 + u.eps()) : Math.sqrt(second) / Math.sqrt(c2) + u.eps();
            double step = u.lr() / c1 * m[i] / denom;
            // The step's own relative error is a few roundings of m and v plus a square root.
            pScale[i] = ROUNDINGS * (pOld + Math.abs(step) * (1 + (mScale[i] / Math.max(Math.abs(m[i]), Double.MIN_NORMAL)
                    + vScale[i] / Math.max(second, Double.MIN_NORMAL))));
            p[i] -= step;
        }
        return new RefArray[] {RefArray.of(shape, p), RefArray.of(shape, m), RefArray.of(shape, v),
            RefArray.of(shape, vmax), RefArray.of(shape, pScale), RefArray.of(shape, mScale), RefArray.of(shape, vScale)};
    }
}
