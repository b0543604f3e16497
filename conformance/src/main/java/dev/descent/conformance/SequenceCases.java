package dev.descent.conformance;

import static dev.descent.conformance.Harness.dims;

import dev.descent.core.DType;
import dev.descent.core.IndexOutOfRangeException;
import dev.descent.core.LayerNormGradients;
import dev.descent.core.LayerNormOutput;
import dev.descent.core.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;

/**
 * The primitives of sequence models: scatter-add and index-add (the gradients of gather,
 * indexSelect and embeddings), the causal softmax (with fully masked rows) and layer
 * normalisation with its backward pass, against float64 references, on rows of 2^16 elements and
 * more, with many repeated indices (integer-valued inputs, whose sums are exact, bit for bit).
 */
final class SequenceCases {
    private static final Layout[] LAYOUTS = {Layout.CONTIGUOUS, Layout.TRANSPOSED, Layout.STRIDED};

    private SequenceCases() {
    }

    /** Random indices in [0, bound) of {@code shape}, as {@code dtype}, laid out as {@code layout}. */
    private static Input indices(CaseContext c, DType dtype, Layout layout, int bound, int... shape) {
        double[] v = new double[RefArray.numel(shape)];
        for (int i = 0; i < v.length; i++) {
            v[i] = c.gen().nextInt(bound);
        }
        RefArray values = RefArray.of(shape, v);
        return switch (layout) {
            case TRANSPOSED -> shape.length >= 2 ? c.transposed(dtype, values) : c.contiguous(dtype, values, "contiguous");
            case STRIDED -> c.strided(dtype, values);
            default -> c.contiguous(dtype, values, "contiguous");
        };
    }

    // ---------------------------------------------------------------- scatter-add and index-add

    static Stream<DynamicNode> scatterAdd(Harness h) {
        // out shape, index (= src) shape, axis
        int[][] outShapes = {{4, 5}, {4, 5}, {3, 4, 5}, {7}, {7}, {3, 4}, {513, 257}};
        int[][] srcShapes = {{3, 5}, {4, 2}, {2, 7, 3}, {10}, {0}, {3, 0}, {513, 257}};
        int[] axes = {0, 1, 1, 0, 0, -1, 1};
        List<DType> indexTypes = List.of(DType.INT64, DType.INT32);
        List<DynamicNode> random = new ArrayList<>();
        int k = 0;
        for (DType dt : h.all()) {
            for (int i = 0; i < outShapes.length; i++) {
                int[] out = outShapes[i];
                int[] src = srcShapes[i];
                int axis = axes[i];
                DType it = indexTypes.get(k % 2);
                Layout ls = LAYOUTS[k % LAYOUTS.length];
                Layout li = LAYOUTS[(k + 1) % LAYOUTS.length];
                Layout lo = LAYOUTS[(k + 2) % LAYOUTS.length];
                k++;
                String name = String.format("scatterAdd %s into %s(%s) along axis %d of %s(%s) at %s indices(%s) adds "
                        + "each at its index", dt, dims(out), lo, axis, dims(src), ls, it, li);
                random.add(h.test("indexing", "scatterAdd", name, c -> {
                    Input self = c.input(dt, lo, Domain.NORMAL, out);
                    Input s = c.input(dt, ls, Domain.NORMAL, src);
                    int a = axis < 0 ? axis + out.length : axis;
                    Input index = indices(c, it, li, out[a], src);
                    RefArray expected = self.values().scatterAdd(axis, index.values(), s.values());
                    RefArray scale = self.values().scatterAddScale(axis, index.values(), s.values());
                    c.expect(self.tensor().scatterAdd(axis, index.tensor(), s.tensor()), dt, expected, scale,
                            Tolerance.sum(dt));
                }));
            }
        }
        List<DynamicNode> exact = new ArrayList<>();
        int[][][] repeated = {{{3, 7}, {3, 4000}}, {{5, 33}, {4096, 33}}, {{2, 3, 1}, {2, 3, 5000}}};
        int[] repeatedAxes = {1, 0, 2};
        for (DType dt : h.all()) {
            for (int i = 0; i < repeated.length; i++) {
                int[] out = repeated[i][0];
                int[] src = repeated[i][1];
                int axis = repeatedAxes[i];
                Layout ls = LAYOUTS[i % LAYOUTS.length];
                String name = String.format("scatterAdd %s of integer values %s(%s) into %s along axis %d, each index "
                        + "repeated ~%d times, is exact", dt, dims(src), ls, dims(out), axis,
                        src[axis] / out[axis]);
                exact.add(h.test("indexing", "scatterAdd (exact)", name, c -> {
                    Input self = c.input(dt, Layout.CONTIGUOUS, Domain.SMALL_INTS, out);
                    Input s = c.input(dt, ls, Domain.SMALL_INTS, src);
                    Input index = indices(c, DType.INT64, Layout.CONTIGUOUS, out[axis], src);
                    RefArray expected = self.values().scatterAdd(axis, index.values(), s.values());
                    Tensor target = self.tensor().copy();
                    c.expect(target.scatterAddInPlace(axis, index.tensor(), s.tensor()), dt, expected);
                }));
            }
            String name = "indexAdd " + dt + " of 3000 integer-valued rows [3000, 131] into [1000, 131] along axis 0 "
                    + "is exact";
            exact.add(h.test("indexing", "indexAdd (exact)", name, c -> {
                Input self = c.input(dt, Layout.CONTIGUOUS, Domain.SMALL_INTS, 1000, 131);
                Input source = c.input(dt, Layout.TRANSPOSED, Domain.SMALL_INTS, 3000, 131);
                Input index = indices(c, DType.INT32, Layout.STRIDED, 1000, 3000);
                RefArray expanded = index.values().reshape(3000, 1).broadcastTo(3000, 131);
                c.expect(self.tensor().indexAdd(0, index.tensor(), source.tensor()), dt,
                        self.values().scatterAdd(0, expanded, source.values()));
            }));
        }
        List<DynamicNode> select = new ArrayList<>();
        int[][] selShapes = {{5, 4}, {5, 4}, {3, 4, 5}, {5, 4}};
        int[] selAxes = {0, 1, -1, 0};
        int[] selCounts = {4, 9, 3, 0};
        for (DType dt : h.floats()) {
            for (int i = 0; i < selShapes.length; i++) {
                int[] out = selShapes[i];
                int axis = selAxes[i];
                int count = selCounts[i];
                int a = axis < 0 ? axis + out.length : axis;
                int[] src = out.clone();
                src[a] = count;
                Layout ls = LAYOUTS[i % LAYOUTS.length];
                String name = String.format("indexAdd %s into %s along axis %d of %d rows (%s) adds each at its index",
                        dt, dims(out), axis, count, ls);
                select.add(h.test("indexing", "indexAdd", name, c -> {
                    Input self = c.input(dt, Layout.CONTIGUOUS, Domain.NORMAL, out);
                    Input source = c.input(dt, ls, Domain.NORMAL, src);
                    Input index = indices(c, DType.INT64, Layout.CONTIGUOUS, out[a], count);
                    int[] along = new int[out.length];
                    Arrays.fill(along, 1);
                    along[a] = count;
                    RefArray expanded = index.values().reshape(along).broadcastTo(src);
                    c.expect(self.tensor().indexAdd(axis, index.tensor(), source.tensor()), dt,
                            self.values().scatterAdd(a, expanded, source.values()),
                            self.values().scatterAddScale(a, expanded, source.values()), Tolerance.sum(dt));
                }));
            }
        }
        List<DynamicNode> errors = new ArrayList<>();
        errors.add(h.test("indexing", "scatterAdd (errors)", "scatterAdd with an index beyond the axis names the op "
                + "and the index", c -> {
                    Tensor target = Tensor.zeros(c.device(), DType.FLOAT32, 2, 3);
                    Tensor src = Tensor.ones(c.device(), DType.FLOAT32, 2, 2);
                    Tensor index = Tensor.of(c.device(), DType.INT64, new double[] {0, 1, 3, 2}, 2, 2);
                    c.expectThrows(IndexOutOfRangeException.class, () -> {
                        target.scatterAddInPlace(1, index, src);
                        target.toDoubleArray();   // where the device reports it at its next read
                    }, "scatterAdd", "index 3", "size 3");
                    c.expectThrows(IllegalArgumentException.class,
                            () -> target.scatterAdd(1, index, Tensor.ones(c.device(), DType.FLOAT32, 2, 3)),
                            "scatterAdd", "differs from source shape");
                }));
        return Stream.of(DynamicContainer.dynamicContainer("scatterAdd", random),
                DynamicContainer.dynamicContainer("scatterAdd and indexAdd of integer values, exact", exact),
                DynamicContainer.dynamicContainer("indexAdd", select),
                DynamicContainer.dynamicContainer("scatterAdd errors", errors));
    }

    // ---------------------------------------------------------------- causal softmax

    static Stream<DynamicNode> causalSoftmax(Harness h) {
        int[][] shapes = {{4, 4}, {3, 5}, {5, 3}, {2, 3, 4, 4}, {1, 7}, {6, 1}, {4, 70000}, {70000, 3}, {0, 4}};
        List<DynamicNode> cases = new ArrayList<>();
        int k = 0;
        for (DType dt : h.floats()) {
            for (int[] shape : shapes) {
                Layout layout = LAYOUTS[k++ % LAYOUTS.length];
                int m = shape[shape.length - 2];
                int n = shape[shape.length - 1];
                String masked = m > n ? ", " + (m - n) + " fully masked rows of each " + m + " all 0" : "";
                String name = String.format("causalSoftmax %s %s(%s) keeps j <= i + %d%s", dt, dims(shape), layout,
                        n - m, masked);
                cases.add(h.test("softmax", "causalSoftmax", name, c -> {
                    Input x = c.input(dt, layout, Domain.NORMAL, shape);
                    RefArray expected = x.values().causalSoftmax();
                    c.expect(x.tensor().causalSoftmax(), dt, expected, causalScale(x.values(), expected),
                            Tolerance.transcendentalSum(dt));
                }));
            }
            cases.add(h.test("softmax", "causalSoftmax (errors)", "causalSoftmax of a vector names what it expects",
                    c -> c.expectThrows(IllegalArgumentException.class,
                            () -> Tensor.zeros(c.device(), dt, 4).causalSoftmax(), "causalSoftmax", "rank >= 2")));
        }
        return Stream.of(DynamicContainer.dynamicContainer("causalSoftmax", cases));
    }

    /** Softmax's error scale, p (L + 4 + |x| + |max|) over the kept entries; 0 where masked. */
    private static RefArray causalScale(RefArray values, RefArray probabilities) {
        int n = values.shape()[values.rank() - 1];
        double[] x = values.data();
        double[] p = probabilities.data();
        double[] scale = new double[x.length];
        for (int row = 0; row * n < scale.length; row++) {
            double max = 0;
            for (int j = 0; j < n; j++) {
                max = Math.max(max, Math.abs(x[row * n + j]));
            }
            for (int j = 0; j < n; j++) {
                int at = row * n + j;
                scale[at] = p[at] * (Tolerance.accumulation(n) + Math.abs(x[at]) + max);
            }
        }
        return RefArray.of(values.shape(), scale);
    }

    // ---------------------------------------------------------------- layer normalisation

    /** A case: the input's shape and how many trailing axes are normalised. */
    private record Norm(int[] shape, int trailing) {
        int n() {
            int c = 1;
            for (int a = shape.length - trailing; a < shape.length; a++) {
                c *= shape[a];
            }
            return c;
        }

        int[] normalized() {
            return Arrays.copyOfRange(shape, shape.length - trailing, shape.length);
        }

        @Override
        public String toString() {
            return dims(shape) + " over " + dims(normalized());
        }
    }

    static Stream<DynamicNode> layerNorm(Harness h) {
        Norm[] norms = {new Norm(new int[] {4, 8}, 1), new Norm(new int[] {2, 3, 5}, 1), new Norm(new int[] {2, 3, 5}, 2),
            new Norm(new int[] {8}, 1), new Norm(new int[] {1000, 33}, 1), new Norm(new int[] {3, 70000}, 1),
            new Norm(new int[] {0, 8}, 1), new Norm(new int[] {5, 1}, 1)};
        double eps = 1e-5;
        List<DynamicNode> forward = new ArrayList<>();
        List<DynamicNode> backward = new ArrayList<>();
        int k = 0;
        for (DType dt : h.floats()) {
            for (Norm norm : norms) {
                Layout layout = LAYOUTS[k % LAYOUTS.length];
                boolean affine = k++ % 3 != 2;
                String what = String.format("%s %s(%s)%s", dt, norm, layout, affine ? " with weight and bias" : "");
                forward.add(h.test("normalization", "layerNorm", "layerNorm " + what + " matches (x - mean)/sqrt(var + eps)"
                        + "·w + b", c -> {
                            Input x = c.input(dt, layout, Domain.NORMAL, norm.shape());
                            RefArray w = affine ? c.draw(dt, Domain.NORMAL, norm.normalized()) : null;
                            RefArray b = affine ? c.draw(dt, Domain.NORMAL, norm.normalized()) : null;
                            Stats s = Stats.of(x.values(), norm.n(), eps);
                            try (LayerNormOutput o = x.tensor().layerNormWithStatistics(norm.normalized(),
                                    w == null ? null : c.tensor(dt, w), b == null ? null : c.tensor(dt, b), eps)) {
                                c.expect(o.out(), dt, x.values().layerNorm(norm.n(), w, b, eps),
                                        s.outputScale(w, b), Tolerance.sum(dt));
                                c.expect(o.mean(), dt, s.mean(x.values(), norm.trailing()), s.meanScale(x.values(),
                                        norm.trailing()), Tolerance.sum(dt));
                                c.expect(o.rstd(), dt, s.rstd(x.values(), norm.trailing()), s.rstdScale(x.values(),
                                        norm.trailing()), Tolerance.sum(dt));
                            }
                        }));
                backward.add(h.test("normalization", "layerNormBackward", "layerNormBackward " + what
                        + " matches dx = rho(gh - mean gh - xh mean(gh xh)), dw = sum g xh, db = sum g", c -> {
                            Input x = c.input(dt, layout, Domain.NORMAL, norm.shape());
                            Input g = c.input(dt, Layout.CONTIGUOUS, Domain.NORMAL, norm.shape());
                            RefArray w = affine ? c.draw(dt, Domain.NORMAL, norm.normalized()) : null;
                            Stats s = Stats.of(x.values(), norm.n(), eps);
                            Tensor wt = w == null ? null : c.tensor(dt, w);
                            try (LayerNormOutput o = x.tensor().layerNormWithStatistics(norm.normalized(), wt, null,
                                    eps);
                                 LayerNormGradients grads = Tensor.layerNormBackward(g.tensor(), x.tensor(),
                                         norm.normalized(), wt, o.mean(), o.rstd(), true, true, true)) {
                                RefArray[] expected = s.backward(g.values(), w, norm.normalized());
                                c.expect(grads.input(), dt, expected[0], expected[3], Tolerance.sum(dt));
                                if (w != null) {
                                    c.expect(grads.weight(), dt, expected[1], expected[4], Tolerance.sum(dt));
                                } else {
                                    c.expectThat(grads.weight() == null, "no weight gradient without a weight");
                                }
                                c.expect(grads.bias(), dt, expected[2], expected[5], Tolerance.sum(dt));
                            }
                        }));
            }
            forward.add(h.test("normalization", "layerNorm (errors)", "layerNorm " + dt + " with a shape that is not "
                    + "the trailing one, or a wrong weight, names what it expects", c -> {
                        Tensor x = Tensor.zeros(c.device(), dt, 2, 3);
                        c.expectThrows(IllegalArgumentException.class,
                                () -> x.layerNorm(new int[] {2}, null, null, 1e-5), "layerNorm", "trailing");
                        c.expectThrows(IllegalArgumentException.class, () -> x.layerNorm(new int[] {3},
                                Tensor.ones(c.device(), dt, 2), null, 1e-5), "layerNorm", "weight and bias of shape [3]");
                    }));
        }
        return Stream.of(DynamicContainer.dynamicContainer("layerNorm", forward),
                DynamicContainer.dynamicContainer("layerNormBackward", backward));
    }

    /** A float64 reference of a row-wise layer norm's statistics and gradients, with error scales. */
    private record Stats(int rows, int n, double[] x, double[] mu, double[] rho, double[] xh) {
        static Stats of(RefArray values, int n, double eps) {
            double[] x = values.data();
            int rows = n == 0 ? 0 : x.length / n;
            double[] mu = new double[rows];
            double[] rho = new double[rows];
            double[] xh = new double[x.length];
            for (int r = 0; r < rows; r++) {
                double[] row = Arrays.copyOfRange(x, r * n, r * n + n);
                mu[r] = RefArray.sumOf(row) / n;
                double[] sq = new double[n];
                for (int i = 0; i < n; i++) {
                    sq[i] = (row[i] - mu[r]) * (row[i] - mu[r]);
                }
                rho[r] = 1 / Math.sqrt(RefArray.sumOf(sq) / n + eps);
                for (int i = 0; i < n; i++) {
                    xh[r * n + i] = (row[i] - mu[r]) * rho[r];
                }
            }
            return new Stats(rows, n, x, mu, rho, xh);
        }

        private static int[] statShape(RefArray x, int trailing) {
            int[] s = x.shape();
            Arrays.fill(s, s.length - trailing, s.length, 1);
            return s;
        }

        RefArray mean(RefArray x, int trailing) {
            return RefArray.of(statShape(x, trailing), mu.clone());
        }

        RefArray rstd(RefArray x, int trailing) {
            return RefArray.of(statShape(x, trailing), rho.clone());
        }

        /** (n + 4)·mean|x|: a sum of n terms, divided by n. */
        RefArray meanScale(RefArray x, int trailing) {
            double[] s = new double[rows];
            for (int r = 0; r < rows; r++) {
                double a = 0;
                for (int i = 0; i < n; i++) {
                    a += Math.abs(this.x[r * n + i]);
                }
                s[r] = Tolerance.accumulation(n) * a / n;
            }
            return RefArray.of(statShape(x, trailing), s);
        }

        /** (n + 4)·ρ·(1 + mean|x|·ρ): the variance's sum, and the mean's error in every deviation. */
        RefArray rstdScale(RefArray x, int trailing) {
            double[] s = new double[rows];
            for (int r = 0; r < rows; r++) {
                double a = 0;
                for (int i = 0; i < n; i++) {
                    a += Math.abs(this.x[r * n + i]);
                }
                s[r] = Tolerance.accumulation(n) * rho[r] * (1 + a / n * rho[r]);
            }
            return RefArray.of(statShape(x, trailing), s);
        }

        /** (n + 4)·(1 + |x̂| + mean|x|·ρ)·|w| + |b|: x̂'s error from the statistics, then the affine step. */
        RefArray outputScale(RefArray weight, RefArray bias) {
            double[] w = weight == null ? null : weight.data();
            double[] b = bias == null ? null : bias.data();
            double[] s = new double[xh.length];
            for (int r = 0; r < rows; r++) {
                for (int i = 0; i < n; i++) {
                    int at = r * n + i;
                    double wi = w == null ? 1 : Math.abs(w[i]);
                    s[at] = Tolerance.accumulation(n) * (1 + Math.abs(xh[at]) + Math.abs(mu[r]) * rho[r]) * wi
                            + (b == null ? 0 : Math.abs(b[i]));
                }
            }
            return RefArray.of(new int[] {xh.length}, s);
        }

        /** {dx, dw, db, dx's scale, dw's scale, db's scale}. */
        RefArray[] backward(RefArray grad, RefArray weight, int[] normShape) {
            double[] g = grad.data();
            double[] w = weight == null ? null : weight.data();
            double[] dx = new double[xh.length];
            double[] dxScale = new double[xh.length];
            double[] dw = new double[n];
            double[] db = new double[n];
            double[] dwScale = new double[n];
            double[] dbScale = new double[n];
            for (int r = 0; r < rows; r++) {
                double[] gh = new double[n];
                double[] ghx = new double[n];
                double absG = 0;
                double absGx = 0;
                for (int i = 0; i < n; i++) {
                    int at = r * n + i;
                    double gi = g[at];
                    gh[i] = gi * (w == null ? 1 : w[i]);
                    ghx[i] = gh[i] * xh[at];
                    absG += Math.abs(gh[i]);
                    absGx += Math.abs(ghx[i]);
                    dw[i] += gi * xh[at];
                    db[i] += gi;
                    dwScale[i] += Math.abs(gi) * (1 + Math.abs(xh[at]) + Math.abs(mu[r]) * rho[r]);
                    dbScale[i] += Math.abs(gi);
                }
                double meanG = RefArray.sumOf(gh) / n;
                double meanGx = RefArray.sumOf(ghx) / n;
                for (int i = 0; i < n; i++) {
                    int at = r * n + i;
                    dx[at] = rho[r] * (gh[i] - meanG - xh[at] * meanGx);
                    dxScale[at] = Tolerance.accumulation(n) * rho[r] * (Math.abs(gh[i]) + absG / n
                            + (1 + Math.abs(xh[at]) + Math.abs(mu[r]) * rho[r]) * absGx / n);
                }
            }
            for (int i = 0; i < n; i++) {
                dwScale[i] *= Tolerance.accumulation(rows + n);
                dbScale[i] *= Tolerance.accumulation(rows);
            }
            int[] shape = grad.shape();
            return new RefArray[] {RefArray.of(shape, dx), RefArray.of(normShape, dw), RefArray.of(normShape, db),
                RefArray.of(shape, dxScale), RefArray.of(normShape, dwScale), RefArray.of(normShape, dbScale)};
        }
    }
}
