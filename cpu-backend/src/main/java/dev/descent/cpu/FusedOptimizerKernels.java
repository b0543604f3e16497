package dev.descent.cpu;

import dev.descent.core.DType;
import dev.descent.core.spi.AdamUpdate;
import dev.descent.core.spi.SgdUpdate;
import dev.descent.core.spi.StridedView;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;

/**
 * The fused optimiser updates of the backend SPI: one loop per tensor that reads each element
 * of the parameter, gradient and state once and writes it once, split over the CPU threads.
 * float32 tensors are computed in float (scalars rounded to float once), float64 in double.
 */
final class FusedOptimizerKernels {
    private FusedOptimizerKernels() {
    }

    static boolean sgd(SgdUpdate u, StridedView[] params, StridedView[] grads, StridedView[] buffers) {
        boolean momentum = u.momentum() != 0;
        for (int i = 0; i < params.length; i++) {
            StridedView p = params[i];
            StridedView g = grads[i];
            StridedView b = momentum ? buffers[i] : null;
            int op = (int) p.offset();
            int og = (int) g.offset();
            int ob = momentum ? (int) b.offset() : 0;
            if (p.dtype() == DType.FLOAT32) {
                FloatBuffer fp = f32(p);
                FloatBuffer fg = f32(g);
                FloatBuffer fb = momentum ? f32(b) : null;
                CpuThreads.parallelFor(p.numel(), CpuThreads.GRAIN, 16, (from, to) -> {
                    int n = (int) (to - from);
                    sgd32(u, fp.slice(op + (int) from, n), fg.slice(og + (int) from, n),
                            momentum ? fb.slice(ob + (int) from, n) : null, n);
                });
            } else {
                DoubleBuffer dp = f64(p);
                DoubleBuffer dg = f64(g);
                DoubleBuffer db = momentum ? f64(b) : null;
                CpuThreads.parallelFor(p.numel(), CpuThreads.GRAIN, 8, (from, to) -> {
                    int n = (int) (to - from);
                    sgd64(u, dp.slice(op + (int) from, n), dg.slice(og + (int) from, n),
                            momentum ? db.slice(ob + (int) from, n) : null, n);
                });
            }
        }
        return true;
    }

    private static void sgd32(SgdUpdate u, FloatBuffer p, FloatBuffer g, FloatBuffer b, int n) {
        float lr = (float) u.lr();
        float wd = (float) u.weightDecay();
        float mu = (float) u.momentum();
        float keep = (float) (1 - u.dampening());
        float sign = u.maximize() ? -1f : 1f;
        if (b == null) {
            for (int i = 0; i < n; i++) {
                float x = p.get(i);
                float d = sign * g.get(i) + wd * x;
                p.put(i, x - lr * d);
            }
            return;
        }
        boolean first = u.firstStep();
        boolean nesterov = u.nesterov();
        for (int i = 0; i < n; i++) {
            float x = p.get(i);
            float d = sign * g.get(i) + wd * x;
            float v = first ? d : mu * b.get(i) + keep * d;
            b.put(i, v);
            float step = nesterov ? keep * d + mu * v : v;
            p.put(i, x - lr * step);
        }
    }

    private static void sgd64(SgdUpdate u, DoubleBuffer p, DoubleBuffer g, DoubleBuffer b, int n) {
        double lr = u.lr();
        double wd = u.weightDecay();
        double mu = u.momentum();
        double keep = 1 - u.dampening();
        double sign = u.maximize() ? -1 : 1;
        if (b == null) {
            for (int i = 0; i < n; i++) {
                double x = p.get(i);
                double d = sign * g.get(i) + wd * x;
                p.put(i, x - lr * d);
            }
            return;
        }
        boolean first = u.firstStep();
        boolean nesterov = u.nesterov();
        for (int i = 0; i < n; i++) {
            double x = p.get(i);
            double d = sign * g.get(i) + wd * x;
            double v = first ? d : mu * b.get(i) + keep * d;
            b.put(i, v);
            double step = nesterov ? keep * d + mu * v : v;
            p.put(i, x - lr * step);
        }
    }

    static boolean adam(AdamUpdate u, StridedView[] params, StridedView[] grads, StridedView[] m, StridedView[] v,
            StridedView[] vmax) {
        for (int i = 0; i < params.length; i++) {
            StridedView[] t = u.amsgrad()
                    ? new StridedView[] {params[i], grads[i], m[i], v[i], vmax[i]}
                    : new StridedView[] {params[i], grads[i], m[i], v[i]};
            int[] off = new int[t.length];
            for (int k = 0; k < t.length; k++) {
                off[k] = (int) t[k].offset();
            }
            if (params[i].dtype() == DType.FLOAT32) {
                FloatBuffer[] f = new FloatBuffer[t.length];
                for (int k = 0; k < t.length; k++) {
                    f[k] = f32(t[k]);
                }
                CpuThreads.parallelFor(params[i].numel(), CpuThreads.GRAIN, 16, (from, to) -> {
                    int n = (int) (to - from);
                    FloatBuffer[] s = new FloatBuffer[f.length];
                    for (int k = 0; k < f.length; k++) {
                        s[k] = f[k].slice(off[k] + (int) from, n);
                    }
                    adam32(u, s[0], s[1], s[2], s[3], s.length > 4 ? s[4] : null, n);
                });
            } else {
                DoubleBuffer[] d = new DoubleBuffer[t.length];
                for (int k = 0; k < t.length; k++) {
                    d[k] = f64(t[k]);
                }
                CpuThreads.parallelFor(params[i].numel(), CpuThreads.GRAIN, 8, (from, to) -> {
                    int n = (int) (to - from);
                    DoubleBuffer[] s = new DoubleBuffer[d.length];
                    for (int k = 0; k < d.length; k++) {
                        s[k] = d[k].slice(off[k] + (int) from, n);
                    }
                    adam64(u, s[0], s[1], s[2], s[3], s.length > 4 ? s[4] : null, n);
                });
            }
        }
        return true;
    }

    private static void adam32(AdamUpdate u, FloatBuffer p, FloatBuffer g, FloatBuffer m, FloatBuffer v,
            FloatBuffer vmax, int n) {
        float sign = u.maximize() ? -1f : 1f;
        float b1 = (float) u.beta1();
        float b2 = (float) u.beta2();
        float c1 = (float) (1 - u.beta1());
        float c2 = (float) (1 - u.beta2());
        float eps = (float) u.eps();
        float stepSize = (float) (u.lr() / u.biasCorrection1());
        float sqrtC2 = (float) Math.sqrt(u.biasCorrection2());
        float invC2 = (float) (1 / u.biasCorrection2());
        boolean decoupled = u.decoupledWeightDecay();
        float l2 = decoupled ? 0f : (float) u.weightDecay();
        float shrink = decoupled ? (float) (1 - u.lr() * u.weightDecay()) : 1f;
        boolean inside = u.epsInsideSqrt();
        for (int i = 0; i < n; i++) {
            float x = p.get(i);
            float d = sign * g.get(i) + l2 * x;
            x *= shrink;
            float mi = b1 * m.get(i) + c1 * d;
            float vi = b2 * v.get(i) + c2 * d * d;
            m.put(i, mi);
            v.put(i, vi);
            if (vmax != null) {
                vi = Math.max(vmax.get(i), vi);
                vmax.put(i, vi);
            }
            float denom = inside ? (float) Math.sqrt(vi * invC2 + eps) : (float) Math.sqrt(vi) / sqrtC2 + eps;
            p.put(i, x - stepSize * mi / denom);
        }
    }

    private static void adam64(AdamUpdate u, DoubleBuffer p, DoubleBuffer g, DoubleBuffer m, DoubleBuffer v,
            DoubleBuffer vmax, int n) {
        double sign = u.maximize() ? -1 : 1;
        double b1 = u.beta1();
        double b2 = u.beta2();
        double c1 = 1 - b1;
        double c2 = 1 - b2;
        double eps = u.eps();
        double stepSize = u.lr() / u.biasCorrection1();
        double sqrtC2 = Math.sqrt(u.biasCorrection2());
        double invC2 = 1 / u.biasCorrection2();
        boolean decoupled = u.decoupledWeightDecay();
        double l2 = decoupled ? 0 : u.weightDecay();
        double shrink = decoupled ? 1 - u.lr() * u.weightDecay() : 1;
        boolean inside = u.epsInsideSqrt();
        for (int i = 0; i < n; i++) {
            double x = p.get(i);
            double d = sign * g.get(i) + l2 * x;
            x *= shrink;
            double mi = b1 * m.get(i) + c1 * d;
            double vi = b2 * v.get(i) + c2 * d * d;
            m.put(i, mi);
            v.put(i, vi);
            if (vmax != null) {
                vi = Math.max(vmax.get(i), vi);
                vmax.put(i, vi);
            }
            double denom = inside ? Math.sqrt(vi * invC2 + eps) : Math.sqrt(vi) / sqrtC2 + eps;
            p.put(i, x - stepSize * mi / denom);
        }
    }

    private static FloatBuffer f32(StridedView v) {
        return ((Access.F32) ((CpuStorage) v.storage()).access()).b;
    }

    private static DoubleBuffer f64(StridedView v) {
        return ((Access.F64) ((CpuStorage) v.storage()).access()).b;
    }
}
