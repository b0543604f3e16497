package dev.descent.conformance;

import static dev.descent.conformance.Harness.dims;

import dev.descent.core.DType;
import dev.descent.core.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;

/**
 * Reductions over any axes with and without keepDim (sum, mean, max, min, var, norm,
 * logsumexp), arg-reductions, and softmax / logSoftmax along an axis.
 */
final class ReductionCases {
    private static final String CATEGORY = "reduction";
    private static final Layout[] LAYOUTS = {Layout.CONTIGUOUS, Layout.TRANSPOSED, Layout.STRIDED, Layout.EXPANDED};

    /** A shape and the axes to reduce (none: every axis). */
    record Axes(int[] shape, int[] axes) {
        @Override
        public String toString() {
            return dims(shape) + " over " + (axes.length == 0 ? "all axes" : "axes " + dims(axes));
        }
    }

    static final List<Axes> AXES = List.of(
            new Axes(new int[] {}, new int[] {}), new Axes(new int[] {}, new int[] {0}),
            new Axes(new int[] {}, new int[] {-1}), new Axes(new int[] {0}, new int[] {}),
            new Axes(new int[] {3, 0}, new int[] {1}), new Axes(new int[] {3, 0}, new int[] {0}),
            new Axes(new int[] {1}, new int[] {}), new Axes(new int[] {7}, new int[] {0}),
            new Axes(new int[] {33, 1}, new int[] {0}), new Axes(new int[] {33, 1}, new int[] {1}),
            new Axes(new int[] {4, 5, 6}, new int[] {0}), new Axes(new int[] {4, 5, 6}, new int[] {1}),
            new Axes(new int[] {4, 5, 6}, new int[] {-1}), new Axes(new int[] {4, 5, 6}, new int[] {0, 2}),
            new Axes(new int[] {4, 5, 6}, new int[] {2, 1}), new Axes(new int[] {4, 5, 6}, new int[] {}),
            new Axes(new int[] {2, 3, 4, 5}, new int[] {1, 3}), new Axes(new int[] {2, 3, 4, 5}, new int[] {-1, -3}),
            new Axes(new int[] {257, 9}, new int[] {0}), new Axes(new int[] {257, 9}, new int[] {1}),
            new Axes(new int[] {513, 257}, new int[] {}), new Axes(new int[] {513, 257}, new int[] {0}),
            new Axes(new int[] {513, 257}, new int[] {1}), new Axes(new int[] {131075}, new int[] {0}));

    private ReductionCases() {
    }

    /** How many elements each output element of a reduction combines. */
    static int groupLength(int[] shape, int[] axes) {
        if (axes.length == 0) {
            return RefArray.numel(shape);
        }
        int n = 1;
        for (int a : axes) {
            if (shape.length > 0) {
                n *= shape[a < 0 ? a + shape.length : a];
            }
        }
        return n;
    }

    /** A reduction: the tensor call, the reference, and the error scale of each output element. */
    interface Reduction {
        Tensor apply(Tensor x, int[] axes, boolean keepDim);

        RefArray ref(RefArray x, int[] axes, boolean keepDim);

        /** The error scale of each output element (see {@link Tolerance}); null when only the final rounding errs. */
        RefArray scale(RefArray x, int[] axes, boolean keepDim, DType dtype);
    }

    private static RefArray accumulationTimes(RefArray r, int length) {
        double f = Tolerance.accumulation(length);
        return r.map(v -> v * f);
    }

    static Stream<DynamicNode> reductions(Harness h) {
        List<DynamicNode> ops = new ArrayList<>();
        ops.add(reduction(h, "sum", "sum", h.all(), false, Tolerance::sum, new Reduction() {
            public Tensor apply(Tensor x, int[] axes, boolean keep) {
                return x.sum(axes, keep);
            }

            public RefArray ref(RefArray x, int[] axes, boolean keep) {
                return x.sum(axes, keep);
            }

            public RefArray scale(RefArray x, int[] axes, boolean keep, DType dt) {
                return accumulationTimes(x.map(Math::abs).sum(axes, keep), groupLength(x.shape(), axes));
            }
        }));
        ops.add(reduction(h, "mean", "mean", h.floats(), false, Tolerance::sum, new Reduction() {
            public Tensor apply(Tensor x, int[] axes, boolean keep) {
                return x.mean(axes, keep);
            }

            public RefArray ref(RefArray x, int[] axes, boolean keep) {
                return x.mean(axes, keep);
            }

            public RefArray scale(RefArray x, int[] axes, boolean keep, DType dt) {
                return accumulationTimes(x.map(Math::abs).mean(axes, keep), groupLength(x.shape(), axes));
            }
        }));
        ops.add(reduction(h, "max", "max", h.all(), true, d -> Tolerance.exact(), new Reduction() {
            public Tensor apply(Tensor x, int[] axes, boolean keep) {
                return x.max(axes, keep);
            }

            public RefArray ref(RefArray x, int[] axes, boolean keep) {
                return x.max(axes, keep);
            }

            public RefArray scale(RefArray x, int[] axes, boolean keep, DType dt) {
                return null;
            }
        }));
        ops.add(reduction(h, "min", "min", h.all(), true, d -> Tolerance.exact(), new Reduction() {
            public Tensor apply(Tensor x, int[] axes, boolean keep) {
                return x.min(axes, keep);
            }

            public RefArray ref(RefArray x, int[] axes, boolean keep) {
                return x.min(axes, keep);
            }

            public RefArray scale(RefArray x, int[] axes, boolean keep, DType dt) {
                return null;
            }
        }));
        for (int correction : new int[] {0, 1, 2}) {
            ops.add(reduction(h, "var correction " + correction, "var", h.floats(), false, Tolerance::sum, new Reduction() {
                public Tensor apply(Tensor x, int[] axes, boolean keep) {
                    return x.var(axes, correction, keep);
                }

                public RefArray ref(RefArray x, int[] axes, boolean keep) {
                    return x.var(axes, correction, keep);
                }

                public RefArray scale(RefArray x, int[] axes, boolean keep, DType dt) {
                    // Sum of rounded squares, centred by a mean that errs by dm; dm enters squared.
                    double u = dt == DType.FLOAT32 ? 0x1p-24 : 0x1p-53;
                    return x.reduce(axes, keep, g -> {
                        double f = Tolerance.accumulation(g.length);
                        double m = RefArray.sumOf(g) / g.length;
                        double s = 0;
                        double abs = 0;
                        for (double v : g) {
                            s += Math.abs(v - m) * (Math.abs(v - m) + 2 * Math.abs(v) + 2 * Math.abs(m));
                            abs += Math.abs(v);
                        }
                        double dm = u * f * (abs / Math.max(g.length, 1) + Math.abs(m));
                        return (f * s + g.length * dm * dm / u) / Math.max(g.length - correction, 0);
                    });
                }
            }));
        }
        for (double p : new double[] {1, 2, Double.POSITIVE_INFINITY, 3}) {
            boolean exact = p == Double.POSITIVE_INFINITY;
            ops.add(reduction(h, "norm p=" + p, "norm", h.floats(), false, p == 3 ? Tolerance::transcendentalSum
                    : exact ? d -> Tolerance.exact() : Tolerance::sum, new Reduction() {
                        public Tensor apply(Tensor x, int[] axes, boolean keep) {
                            return x.norm(p, axes, keep);
                        }

                        public RefArray ref(RefArray x, int[] axes, boolean keep) {
                            return x.norm(p, axes, keep);
                        }

                        public RefArray scale(RefArray x, int[] axes, boolean keep, DType dt) {
                            return exact ? null : accumulationTimes(x.norm(p, axes, keep), groupLength(x.shape(), axes));
                        }
                    }));
        }
        ops.add(reduction(h, "logsumexp", "logsumexp", h.floats(), true, Tolerance::transcendentalSum, new Reduction() {
            public Tensor apply(Tensor x, int[] axes, boolean keep) {
                return x.logsumexp(axes, keep);
            }

            public RefArray ref(RefArray x, int[] axes, boolean keep) {
                return x.logsumexp(axes, keep);
            }

            public RefArray scale(RefArray x, int[] axes, boolean keep, DType dt) {
                double f = Tolerance.accumulation(groupLength(x.shape(), axes));
                return x.max(axes, keep).map(m -> f + (Double.isFinite(m) ? Math.abs(m) : 0));
            }
        }));
        return ops.stream();
    }

    private static DynamicNode reduction(Harness h, String container, String op, List<DType> types, boolean needsElements,
            java.util.function.Function<DType, Tolerance> tol, Reduction r) {
        List<DynamicNode> cases = new ArrayList<>();
        int i = 0;
        for (DType dt : types) {
            for (Axes ax : AXES) {
                if (needsElements && groupLength(ax.shape(), ax.axes()) == 0) {
                    continue;
                }
                boolean keep = i % 2 == 0;
                Layout layout = LAYOUTS[i++ % LAYOUTS.length];
                String name = String.format("%s %s %s(%s)%s matches the reference", op, dt, ax, layout,
                        keep ? " keepDim" : "");
                cases.add(h.test(CATEGORY, op, name, c -> {
                    Input x = c.input(dt, layout, Domain.NORMAL, ax.shape());
                    c.expect(r.apply(x.tensor(), ax.axes(), keep), dt, r.ref(x.values(), ax.axes(), keep),
                            r.scale(x.values(), ax.axes(), keep, dt), tol.apply(dt));
                }));
            }
        }
        return DynamicContainer.dynamicContainer(container, cases);
    }

    static Stream<DynamicNode> argReductions(Harness h) {
        int[][] shapes = {{}, {7}, {4, 5, 6}, {4, 5, 6}, {4, 5, 6}, {4, 5, 6}, {33, 1}, {257, 9}, {513, 257},
            {513, 257}};
        int[] axes = {0, 0, 0, 1, 2, -1, 1, 0, 0, 1};
        List<DynamicNode> nodes = new ArrayList<>();
        for (String op : new String[] {"argmax", "argmin"}) {
            boolean isMax = op.equals("argmax");
            List<DynamicNode> cases = new ArrayList<>();
            int k = 0;
            for (DType dt : h.all()) {
                for (int i = 0; i < shapes.length; i++) {
                    int[] shape = shapes[i];
                    int axis = axes[i];
                    boolean keep = k % 2 == 1;
                    Layout layout = LAYOUTS[k++ % LAYOUTS.length];
                    Domain domain = i % 2 == 0 ? Domain.SMALL_INTS : Domain.NORMAL;
                    String name = String.format("%s %s %s(%s) along axis %d%s gives the first extreme index", op, dt,
                            dims(shape), layout, axis, keep ? " keepDim" : "");
                    cases.add(h.test(CATEGORY, op, name, c -> {
                        Input x = c.input(dt, layout, domain, shape);
                        Tensor got = isMax ? x.tensor().argmax(axis, keep) : x.tensor().argmin(axis, keep);
                        RefArray want = shape.length == 0 ? RefArray.full(0)
                                : isMax ? x.values().argmax(axis, keep) : x.values().argmin(axis, keep);
                        c.expect(got, DType.INT64, want);
                    }));
                }
                for (int[] shape : new int[][] {{}, {1}, {3, 4, 5}, {513, 257}}) {
                    String name = String.format("%s %s %s with no axis gives the flat index of the first extreme", op,
                            dt, dims(shape));
                    cases.add(h.test(CATEGORY, op, name, c -> {
                        Input x = c.input(dt, Layout.TRANSPOSED, Domain.SMALL_INTS, shape);
                        Tensor got = isMax ? x.tensor().argmax() : x.tensor().argmin();
                        RefArray flat = x.values().reshape(-1);
                        c.expect(got, DType.INT64, isMax ? flat.argmax(0, false) : flat.argmin(0, false));
                    }));
                }
            }
            nodes.add(DynamicContainer.dynamicContainer(op, cases));
        }
        return nodes.stream();
    }

    /**
     * Rows of 1,300: every seventh entry -inf (the very first 0), others -1e30, -104.2 and -104.4
     * (exp of x - max near and past float32's underflow, where a kernel may change its path), the
     * rest ordinary values in [-3, 0].
     */
    private static double[] farBelowMaximum(int n) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = switch (i % 7) {
                case 0 -> i % 1300 == 0 ? 0 : Double.NEGATIVE_INFINITY;
                case 1 -> -1e30;
                case 2 -> -104.2;
                case 3 -> -104.4;
                default -> -3 * Math.abs(Math.sin(i));
            };
        }
        return v;
    }

    static Stream<DynamicNode> softmaxFamily(Harness h) {
        // {2, 33000}: rows longer than a backend may keep in cache between its passes over a row
        int[][] shapes = {{}, {7}, {4, 5, 6}, {4, 5, 6}, {4, 5, 6}, {4, 5, 6}, {33, 1}, {3, 0}, {2, 257}, {513, 257},
            {513, 257}, {3, 1500}, {2, 33000}};
        int[] axes = {0, 0, 0, 1, 2, -1, 1, 1, -1, 1, 0, 1, 1};
        List<DynamicNode> nodes = new ArrayList<>();
        for (String op : new String[] {"softmax", "logSoftmax"}) {
            boolean log = op.equals("logSoftmax");
            List<DynamicNode> cases = new ArrayList<>();
            int k = 0;
            for (DType dt : h.floats()) {
                for (int i = 0; i < shapes.length; i++) {
                    int[] shape = shapes[i];
                    int axis = axes[i];
                    Layout layout = LAYOUTS[k++ % LAYOUTS.length];
                    String name = String.format("%s %s %s(%s) along axis %d matches the reference", op, dt,
                            dims(shape), layout, axis);
                    cases.add(h.test(CATEGORY, op, name, c -> {
                        Input x = c.input(dt, layout, Domain.NORMAL, shape);
                        Tensor got = log ? x.tensor().logSoftmax(axis) : x.tensor().softmax(axis);
                        c.expect(got, dt, softmaxRef(x.values(), axis, log), softmaxScale(x.values(), axis, log),
                                Tolerance.transcendentalSum(dt));
                    }));
                }
                // Rows of integers in [-3, 3] tie at their maximum many times, in rows short, padded to a
                // chunk and longer than one (a backend may count the maximum's terms apart).
                for (int[] shape : new int[][] {{6, 9}, {4, 100}, {3, 1300}}) {
                    String ties = String.format("%s %s %s with tied maxima along the last axis matches the reference",
                            op, dt, dims(shape));
                    cases.add(h.test(CATEGORY, op, ties, c -> {
                        Input x = c.input(dt, Layout.CONTIGUOUS, Domain.SMALL_INTS, shape);
                        Tensor got = log ? x.tensor().logSoftmax(-1) : x.tensor().softmax(-1);
                        c.expect(got, dt, softmaxRef(x.values(), 1, log), softmaxScale(x.values(), 1, log),
                                Tolerance.transcendentalSum(dt));
                    }));
                }
                double[][] rows = {
                    {1000, 1001, 999, -1000}, {-1e4, -1e4 + 1, -1e4 - 2, -1e4}, {Double.NEGATIVE_INFINITY, 0, 1, 2},
                    {Double.NEGATIVE_INFINITY, Double.NEGATIVE_INFINITY, 5, 5},
                };
                String name = String.format("%s %s of large, very negative and -inf entries neither overflows nor"
                        + " gives NaN", op, dt);
                cases.add(h.test("special", op, name, c -> {
                    double[] all = Arrays.stream(rows).flatMapToDouble(Arrays::stream).toArray();
                    RefArray x = RefArray.of(new int[] {rows.length, 4}, all).cast(dt);
                    Tensor got = log ? c.tensor(dt, x).logSoftmax(1) : c.tensor(dt, x).softmax(1);
                    c.expect(got, dt, softmaxRef(x, 1, log), softmaxScale(x, 1, log), Tolerance.transcendentalSum(dt));
                }));
                String longName = String.format("%s %s of long rows mixing -inf, -1e30, entries 104.2 and 104.4 below"
                        + " the maximum and ordinary ones matches the reference", op, dt);
                cases.add(h.test("special", op, longName, c -> {
                    RefArray x = RefArray.of(new int[] {3, 1300}, farBelowMaximum(3 * 1300)).cast(dt);
                    Tensor got = log ? c.tensor(dt, x).logSoftmax(1) : c.tensor(dt, x).softmax(1);
                    c.expect(got, dt, softmaxRef(x, 1, log), softmaxScale(x, 1, log), Tolerance.transcendentalSum(dt));
                }));
            }
            nodes.add(DynamicContainer.dynamicContainer(op, cases));
        }
        List<DynamicNode> confident = new ArrayList<>();
        for (DType dt : h.floats()) {
            String name = "logSoftmax " + dt + " of confident rows keeps the relative precision of log-probabilities"
                    + " near 0 (within 2 ulps)";
            confident.add(h.test("special", "logSoftmax", name, c -> {
                // Row [a, 0, 0, 0]: log p_0 = -log1p(3 e^-a), log p_j = -a - log1p(3 e^-a), each to about an ulp.
                double[] as = {20, 12, 30, 3};
                double[] x = new double[4 * as.length];
                double[] want = new double[x.length];
                for (int r = 0; r < as.length; r++) {
                    double a = RefArray.castValue(as[r], dt);
                    double l = Math.log1p(3 * Math.exp(-a));
                    x[4 * r] = a;
                    want[4 * r] = -l;
                    for (int j = 1; j < 4; j++) {
                        want[4 * r + j] = -a - l;
                    }
                }
                Tensor t = c.tensor(dt, RefArray.of(new int[] {as.length, 4}, x));
                c.expect(t.logSoftmax(1), dt, RefArray.of(new int[] {as.length, 4}, want), Tolerance.ulps(dt, 2));
                double[] lse = new double[as.length];
                for (int r = 0; r < as.length; r++) {
                    lse[r] = as[r] + Math.log1p(3 * Math.exp(-as[r]));
                }
                c.expect(t.logsumexp(new int[] {1}, false), dt, RefArray.of(new int[] {as.length}, lse),
                        Tolerance.ulps(dt, 2));
            }));
        }
        nodes.add(DynamicContainer.dynamicContainer("confident rows", confident));
        List<DynamicNode> lse = new ArrayList<>();
        for (DType dt : h.floats()) {
            double inf = Double.POSITIVE_INFINITY;
            double[][] rows = {{1000, 1001, 999}, {-inf, -inf, -inf}, {-inf, 0, 1}, {inf, 1, 2}, {Double.NaN, 1, 2},
                {-1e4, -1e4, -1e4}};
            String name = "logsumexp " + dt + " of large, -inf, +inf and NaN rows is stable and propagates specials";
            lse.add(h.test("special", "logsumexp", name, c -> {
                double[] all = Arrays.stream(rows).flatMapToDouble(Arrays::stream).toArray();
                RefArray x = RefArray.of(new int[] {rows.length, 3}, all).cast(dt);
                int[] axis = {1};
                RefArray scale = x.max(axis, false).map(m -> Tolerance.accumulation(3) + (Double.isFinite(m) ? Math.abs(m) : 0));
                c.expect(c.tensor(dt, x).logsumexp(axis, false), dt, x.logsumexp(axis, false), scale,
                        Tolerance.transcendentalSum(dt));
            }));
            double nan = Double.NaN;
            name = "sum, max and min " + dt + " propagate NaN and infinities";
            lse.add(h.test("special", "sum/max/min", name, c -> {
                RefArray x = RefArray.of(new int[] {3, 3}, nan, 1, 2, inf, 1, -2, -inf, 1, -inf).cast(dt);
                int[] axis = {1};
                Tensor t = c.tensor(dt, x);
                c.expect(t.sum(axis, false), dt, x.sum(axis, false), Tolerance.sum(dt));
                c.expect(t.max(axis, false), dt, x.max(axis, false));
                c.expect(t.min(axis, false), dt, x.min(axis, false));
            }));
        }
        for (DType dt : h.floats()) {
            lse.add(h.test("special", "logsumexp", "logsumexp " + dt + " over an empty axis is -inf, as PyTorch's",
                    c -> {
                        Tensor x = Tensor.zeros(c.device(), dt, 3, 0);
                        c.expect(x.logsumexp(new int[] {1}, false), dt, RefArray.full(0, 3, 0).logsumexp(new int[] {1},
                                false));
                        c.expect(x.logsumexp(new int[] {}, true), dt, RefArray.full(0, 3, 0).logsumexp(new int[] {},
                                true));
                    }));
        }
        nodes.add(DynamicContainer.dynamicContainer("special reductions", lse));
        return nodes.stream();
    }

    static RefArray softmaxRef(RefArray x, int axis, boolean log) {
        return log ? x.logSoftmax(axis) : x.softmax(axis);
    }

    /**
     * Error scale: softmax p_i (L + 4 + |x_i| + |max|), from rounding x - max and the sum;
     * logSoftmax |x_i| + |logsumexp| + L + 4 + the spread of the line.
     */
    static RefArray softmaxScale(RefArray x, int axis, boolean log) {
        return x.alongAxis(axis, line -> {
            double m = Double.NEGATIVE_INFINITY;
            double lo = Double.POSITIVE_INFINITY;
            for (double v : line) {
                m = Math.max(m, v);
                lo = Math.min(lo, v);
            }
            double shift = Double.isFinite(m) ? Math.abs(m) : 0;
            double spread = Double.isFinite(m - lo) ? m - lo : 0;
            double lse = RefArray.logSumExpOf(line);
            double f = Tolerance.accumulation(line.length);
            double[] out = new double[line.length];
            for (int i = 0; i < line.length; i++) {
                double xi = Double.isFinite(line[i]) ? Math.abs(line[i]) : 0;
                out[i] = log ? xi + (Double.isFinite(lse) ? Math.abs(lse) : 0) + f + spread
                        : Math.exp(line[i] - lse) * (xi + shift + f);
            }
            return out;
        });
    }

    /** The shorthand overloads (no axes, varargs axes) agree with the full forms' reference. */
    static Stream<DynamicNode> shorthands(Harness h) {
        List<DynamicNode> cases = new ArrayList<>();
        for (DType dt : h.floats()) {
            cases.add(h.test(CATEGORY, "shorthands", "sum(), sum(0, 2), mean(), mean(1), var(), norm(2), max(1),"
                    + " min(0, 1), logsumexp(2) " + dt + " reduce as documented", c -> {
                        Input x = c.input(dt, Layout.TRANSPOSED, Domain.NORMAL, 3, 4, 5);
                        Tensor t = x.tensor();
                        RefArray v = x.values();
                        RefArray abs = v.map(Math::abs);
                        int[] all = {};
                        int[] ax02 = {0, 2};
                        int[] ax1 = {1};
                        int[] ax01 = {0, 1};
                        int[] ax2 = {2};
                        double f = Tolerance.accumulation(60);
                        c.expect(t.sum(), dt, v.sum(all, false), abs.sum(all, false).map(e -> e * f),
                                Tolerance.sum(dt));
                        c.expect(t.sum(0, 2), dt, v.sum(ax02, false), abs.sum(ax02, false).map(e -> e * f),
                                Tolerance.sum(dt));
                        c.expect(t.mean(), dt, v.mean(all, false), abs.mean(all, false).map(e -> e * f),
                                Tolerance.sum(dt));
                        c.expect(t.mean(1), dt, v.mean(ax1, false), abs.mean(ax1, false).map(e -> e * f),
                                Tolerance.sum(dt));
                        c.expect(t.var(), dt, v.var(all, 1, false), v.var(all, 1, false).map(e -> 3 * e * f),
                                Tolerance.sum(dt));
                        c.expect(t.norm(2), dt, v.norm(2, all, false), v.norm(2, all, false).map(e -> e * f),
                                Tolerance.sum(dt));
                        c.expect(t.max(1), dt, v.max(ax1, false));
                        c.expect(t.min(0, 1), dt, v.min(ax01, false));
                        c.expect(t.logsumexp(2), dt, v.logsumexp(ax2, false),
                                v.max(ax2, false).map(m -> Tolerance.accumulation(5) + Math.abs(m)),
                                Tolerance.transcendentalSum(dt));
                    }));
        }
        return Stream.of(DynamicContainer.dynamicContainer("shorthand overloads", cases));
    }

    /**
     * Integer-valued float inputs whose partial sums stay below 2^24: every summation order
     * is exact, so these cases compare exactly and catch a skipped or repeated term (a
     * threading mistake) in float32 kernels as surely as in integer ones.
     */
    static Stream<DynamicNode> exactSums(Harness h) {
        List<DynamicNode> cases = new ArrayList<>();
        Axes[] large = {new Axes(new int[] {513, 257}, new int[] {}), new Axes(new int[] {513, 257}, new int[] {0}),
            new Axes(new int[] {513, 257}, new int[] {1}), new Axes(new int[] {131075}, new int[] {0}),
            new Axes(new int[] {3, 65537}, new int[] {1}), new Axes(new int[] {65537, 3}, new int[] {0})};
        int k = 0;
        for (DType dt : h.floats()) {
            for (Axes ax : large) {
                Layout layout = LAYOUTS[k++ % LAYOUTS.length];
                String name = String.format("sum and norm(1) %s of integer values %s(%s) are exact", dt, ax, layout);
                cases.add(h.test(CATEGORY, "sum (exact)", name, c -> {
                    Input x = c.input(dt, layout, Domain.SMALL_INTS, ax.shape());
                    c.expect(x.tensor().sum(ax.axes(), false), dt, x.values().sum(ax.axes(), false));
                    c.expect(x.tensor().norm(1, ax.axes(), true), dt, x.values().norm(1, ax.axes(), true));
                    c.expect(x.tensor().mean(ax.axes(), false), dt, x.values().mean(ax.axes(), false),
                            Tolerance.rounded(dt));
                }));
            }
            for (Layout[] l : new Layout[][] {{Layout.CONTIGUOUS, Layout.CONTIGUOUS},
                {Layout.TRANSPOSED, Layout.STRIDED}}) {
                String name = String.format("matmul %s of integer values [129, 257](%s) x [257, 130](%s) is exact", dt,
                        l[0], l[1]);
                cases.add(h.test("matmul", "matmul (exact)", name, c -> {
                    Input a = c.input(dt, l[0], Domain.SMALL_INTS, 129, 257);
                    Input b = c.input(dt, l[1], Domain.SMALL_INTS, 257, 130);
                    c.expect(a.tensor().matmul(b.tensor()), dt, RefArray.matmul(a.values(), b.values()));
                }));
            }
        }
        return Stream.of(DynamicContainer.dynamicContainer("exact sums of integer values", cases));
    }

    /** The same op on the same large input twice gives bit-identical results. */
    static Stream<DynamicNode> determinism(Harness h) {
        List<DynamicNode> cases = new ArrayList<>();
        for (DType dt : h.floats()) {
            cases.add(h.test("determinism", "sum/matmul/softmax",
                    "sum, matmul and softmax " + dt + " of one large input give bit-identical results twice", c -> {
                        Input x = c.input(dt, Layout.CONTIGUOUS, Domain.NORMAL, 513, 257);
                        Input y = c.input(dt, Layout.TRANSPOSED, Domain.NORMAL, 257, 129);
                        for (java.util.function.UnaryOperator<Tensor> f : List.<java.util.function.UnaryOperator<Tensor>>of(
                                t -> t.sum(), t -> t.sum(new int[] {0}, false), t -> t.matmul(y.tensor()),
                                t -> t.softmax(1))) {
                            double[] first = CaseContext.hostValues(f.apply(x.tensor()));
                            double[] second = CaseContext.hostValues(f.apply(x.tensor()));
                            c.expectValues(second, RefArray.of(new int[] {first.length}, first), null,
                                    Tolerance.exact());
                        }
                    }));
        }
        return cases.stream();
    }
}
