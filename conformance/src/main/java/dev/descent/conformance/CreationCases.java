package dev.descent.conformance;

import static dev.descent.conformance.Harness.dims;

import dev.descent.core.DType;
import dev.descent.core.Generator;
import dev.descent.core.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;

/**
 * Creation ops (zeros, ones, full, empty, of, scalar, arange, linspace, eye) and the random
 * ones (rand, randn, uniform, normal). Factories without a device argument use the default
 * backend, which the suite sets to the backend under test.
 */
final class CreationCases {
    private static final String CATEGORY = "creation";
    private static final int[][] SHAPES = {{}, {0}, {1}, {7}, {3, 0, 2}, {33, 257}, {131073}};

    private CreationCases() {
    }

    static Stream<DynamicNode> creation(Harness h) {
        List<DynamicNode> cases = new ArrayList<>();
        for (DType dt : h.all()) {
            double value = dt.isFloating() ? -2.5 : 7;
            for (int[] shape : SHAPES) {
                cases.add(h.test(CATEGORY, "zeros", "zeros " + dt + " " + dims(shape) + " holds only 0", c -> {
                    c.expect(Tensor.zeros(c.device(), dt, shape), dt, RefArray.full(0, shape));
                    c.expect(Tensor.zeros(dt, shape), dt, RefArray.full(0, shape));
                }));
                cases.add(h.test(CATEGORY, "ones", "ones " + dt + " " + dims(shape) + " holds only 1", c -> {
                    c.expect(Tensor.ones(c.device(), dt, shape), dt, RefArray.full(1, shape));
                    c.expect(Tensor.ones(dt, shape), dt, RefArray.full(1, shape));
                }));
                cases.add(h.test(CATEGORY, "full", "full " + dt + " " + dims(shape) + " holds only " + value, c -> {
                    c.expect(Tensor.full(c.device(), dt, value, shape), dt, RefArray.full(value, shape));
                    c.expect(Tensor.full(dt, value, shape), dt, RefArray.full(value, shape));
                }));
                cases.add(h.test(CATEGORY, "empty", "empty " + dt + " " + dims(shape) + " has the shape and dtype asked for",
                        c -> {
                            Tensor t = Tensor.empty(c.device(), dt, shape);
                            c.expectThat(t.dtype() == dt && java.util.Arrays.equals(t.shape().dims(), shape)
                                    && t.device().equals(c.device()) && t.isContiguous(),
                                    "empty gave " + t.describe() + ", contiguous " + t.isContiguous());
                        }));
                cases.add(h.test(CATEGORY, "of", "of(device, " + dt + ", values, " + dims(shape)
                        + ") holds the values converted to the dtype", c -> {
                            RefArray v = c.draw(DType.FLOAT64, Domain.CAST, shape);
                            Tensor t = shape.length == 0 ? Tensor.of(c.device(), dt, v.data(), 1).reshape()
                                    : Tensor.of(c.device(), dt, v.data(), shape);
                            c.expect(t, dt, v.cast(dt));
                        }));
            }
            cases.add(h.test(CATEGORY, "scalar", "scalar(v, " + dt + ") is a rank-0 tensor holding v", c -> {
                c.expect(Tensor.scalar(value, dt), dt, RefArray.full(value));
            }));
            cases.add(h.test(CATEGORY, "of", "of(device, " + dt + ", values) with no dims is a vector", c -> {
                RefArray v = c.draw(dt, Domain.CAST, 9);
                c.expect(Tensor.of(c.device(), dt, v.data()), dt, v);
            }));
        }
        cases.add(h.test(CATEGORY, "of", "of(float[]), of(double[]), of(int[]) and of(long[]) keep their values and type",
                c -> {
                    c.expect(Tensor.of(new float[] {1.5f, -2, 3.25f, 0, 5, 6}, 2, 3), DType.FLOAT32,
                            RefArray.of(new int[] {2, 3}, 1.5, -2, 3.25, 0, 5, 6));
                    c.expect(Tensor.of(new double[] {0.1, -1e300, 3}), DType.FLOAT64,
                            RefArray.of(new int[] {3}, 0.1, -1e300, 3));
                    c.expect(Tensor.of(new int[] {Integer.MAX_VALUE, -7, 0, Integer.MIN_VALUE}, 4, 1), DType.INT32,
                            RefArray.of(new int[] {4, 1}, Integer.MAX_VALUE, -7, 0, Integer.MIN_VALUE));
                    c.expect(Tensor.of(new long[] {1L << 40, -(1L << 52), 3}), DType.INT64,
                            RefArray.of(new int[] {3}, 1L << 40, -(1L << 52), 3));
                }));
        cases.add(h.test(CATEGORY, "scalar", "scalar(v) is a rank-0 float32 tensor", c -> {
            c.expect(Tensor.scalar(0.25), DType.FLOAT32, RefArray.full(0.25));
        }));
        cases.add(h.test(CATEGORY, "zeros", "zeros(dims) and ones(dims) are float32", c -> {
            c.expect(Tensor.zeros(2, 3), DType.FLOAT32, RefArray.full(0, 2, 3));
            c.expect(Tensor.ones(3), DType.FLOAT32, RefArray.full(1, 3));
        }));
        cases.addAll(ranges(h));
        return Stream.of(DynamicContainer.dynamicContainer("creation", cases));
    }

    private static List<DynamicNode> ranges(Harness h) {
        List<DynamicNode> cases = new ArrayList<>();
        double[][] aranges = {{2, 9, 3}, {5, -1, -1.5}, {0, 2, 0.25}, {-3, 3, 0.5}, {3, 3, 1}, {5, 0, 1}, {0, 131075, 1}};
        for (DType dt : h.all()) {
            for (int end : new int[] {0, 1, 7, 257}) {
                cases.add(h.test(CATEGORY, "arange", "arange(" + end + ", " + dt + ") is 0, 1, ..., " + (end - 1), c -> {
                    double[] v = new double[end];
                    for (int i = 0; i < end; i++) {
                        v[i] = i;
                    }
                    c.expect(Tensor.arange(end, dt), dt, RefArray.of(new int[] {end}, v));
                }));
            }
            for (double[] r : aranges) {
                if (!dt.isFloating() && (r[0] != Math.rint(r[0]) || r[2] != Math.rint(r[2]))) {
                    continue;
                }
                String name = String.format("arange(%s, %s, %s, %s) steps from start up to but excluding end", r[0],
                        r[1], r[2], dt);
                cases.add(h.test(CATEGORY, "arange", name, c -> {
                    List<Double> v = new ArrayList<>();
                    for (double x = r[0]; r[2] > 0 ? x < r[1] : x > r[1]; x += r[2]) {
                        v.add(x);
                    }
                    double[] want = v.stream().mapToDouble(Double::doubleValue).toArray();
                    c.expect(Tensor.arange(r[0], r[1], r[2], dt), dt, RefArray.of(new int[] {want.length}, want),
                            Tolerance.rounded(dt));
                }));
            }
        }
        double[][] linspaces = {{0, 1, 5}, {-2, 3, 11}, {1, 1, 1}, {0, 1, 0}, {0.1, 0.7, 7}, {-1, 1, 257}, {3, -3, 4}};
        for (DType dt : h.floats()) {
            for (double[] l : linspaces) {
                int steps = (int) l[2];
                String name = String.format("linspace(%s, %s, %d, %s) spaces values evenly from start to end", l[0],
                        l[1], steps, dt);
                cases.add(h.test(CATEGORY, "linspace", name, c -> {
                    double[] v = new double[steps];
                    for (int i = 0; i < steps; i++) {
                        v[i] = steps == 1 ? l[0] : l[0] + i * ((l[1] - l[0]) / (steps - 1));
                    }
                    c.expect(Tensor.linspace(l[0], l[1], steps, dt), dt, RefArray.of(new int[] {steps}, v),
                            Tolerance.rounded(dt));
                    if (steps > 1) {
                        Tensor t = Tensor.linspace(l[0], l[1], steps, dt);
                        c.expectValues(new double[] {t.select(0, 0).item(), t.select(0, -1).item()},
                                RefArray.of(new int[] {2}, l[0], l[1]).cast(dt), null, Tolerance.exact());
                    }
                }));
            }
        }
        for (DType dt : h.all()) {
            for (int n : new int[] {0, 1, 5, 33}) {
                cases.add(h.test(CATEGORY, "eye", "eye(" + n + ", " + dt + ") has ones on the diagonal only", c -> {
                    double[] v = new double[n * n];
                    for (int i = 0; i < n; i++) {
                        for (int j = 0; j < n; j++) {
                            v[i * n + j] = i == j ? 1 : 0;
                        }
                    }
                    c.expect(Tensor.eye(n, dt), dt, RefArray.of(new int[] {n, n}, v));
                }));
            }
        }
        return cases;
    }

    static Stream<DynamicNode> random(Harness h) {
        List<DynamicNode> cases = new ArrayList<>();
        int n = 1 << 18;
        for (DType dt : h.floats()) {
            cases.add(h.test("random", "rand", "rand " + dt + " with one seed gives the same numbers twice and"
                    + " different seeds differ", c -> {
                        double[] a = CaseContext.hostValues(Tensor.rand(new Generator(42), dt, 1000));
                        double[] b = CaseContext.hostValues(Tensor.rand(new Generator(42), dt, 1000));
                        double[] other = CaseContext.hostValues(Tensor.rand(new Generator(43), dt, 1000));
                        c.expectValues(b, RefArray.of(new int[] {1000}, a), null, Tolerance.exact());
                        int same = 0;
                        for (int i = 0; i < a.length; i++) {
                            same += a[i] == other[i] ? 1 : 0;
                        }
                        c.expectThat(same < 10, same + " of 1000 values agree between seeds 42 and 43");
                    }));
            cases.add(h.test("random", "rand", "rand " + dt + " draws the generator's uniform sequence on every backend",
                    c -> {
                        double[] want = new Generator(7).uniform(5000, 0, 1);
                        c.expect(Tensor.rand(new Generator(7), dt, 50, 100), dt, RefArray.of(new int[] {50, 100}, want),
                                Tolerance.rounded(dt));
                    }));
            cases.add(h.test("random", "rand", "rand " + dt + " of 2^18 values lies in [0, 1) with mean 1/2 and"
                    + " variance 1/12", c -> {
                        double[] v = CaseContext.hostValues(Tensor.rand(new Generator(c.gen().nextLong()), dt, 512, 512));
                        expectInterval(c, v, 0, 1);
                        expectMoments(c, v, 0.5, Math.sqrt(1.0 / 12));
                    }));
            cases.add(h.test("random", "uniform", "uniform(-2, 3) " + dt + " of 2^18 values lies in [-2, 3) with mean"
                    + " 1/2", c -> {
                        double[] v = CaseContext.hostValues(Tensor.uniform(new Generator(c.gen().nextLong()), -2, 3, dt, n));
                        expectInterval(c, v, -2, 3);
                        expectMoments(c, v, 0.5, 5 / Math.sqrt(12));
                    }));
            cases.add(h.test("random", "randn", "randn " + dt + " of 2^18 values has sample mean 0 and std 1 within"
                    + " 5 standard errors", c -> {
                        double[] v = CaseContext.hostValues(Tensor.randn(new Generator(c.gen().nextLong()), dt, n));
                        expectMoments(c, v, 0, 1);
                    }));
            cases.add(h.test("random", "normal", "normal(3, 0.5) " + dt + " of 2^18 values has sample mean 3 and std"
                    + " 0.5", c -> {
                        double[] v = CaseContext.hostValues(Tensor.normal(new Generator(c.gen().nextLong()), 3, 0.5, dt,
                                64, 4096));
                        expectMoments(c, v, 3, 0.5);
                    }));
            cases.add(h.test("random", "randn", "randn " + dt + " with one seed gives the same numbers twice", c -> {
                double[] a = CaseContext.hostValues(Tensor.randn(new Generator(5), dt, 33, 7));
                double[] b = CaseContext.hostValues(Tensor.randn(new Generator(5), dt, 33, 7));
                c.expectValues(b, RefArray.of(new int[] {a.length}, a), null, Tolerance.exact());
            }));
            for (int[] shape : new int[][] {{}, {0}, {3, 0}}) {
                cases.add(h.test("random", "rand", "rand and randn " + dt + " of shape " + dims(shape)
                        + " have that shape", c -> {
                            Tensor r = Tensor.rand(new Generator(1), dt, shape);
                            Tensor g = Tensor.randn(new Generator(1), dt, shape);
                            c.expectThat(java.util.Arrays.equals(r.shape().dims(), shape)
                                    && java.util.Arrays.equals(g.shape().dims(), shape) && r.dtype() == dt
                                    && g.dtype() == dt && r.device().equals(c.device()),
                                    "got " + r.describe() + " and " + g.describe());
                        }));
            }
        }
        return Stream.of(DynamicContainer.dynamicContainer("random", cases));
    }

    private static void expectInterval(CaseContext c, double[] v, double lo, double hi) {
        for (int i = 0; i < v.length; i++) {
            if (!(v[i] >= lo && v[i] < hi)) {
                c.expectThat(false, "value " + v[i] + " at " + i + " lies outside [" + lo + ", " + hi + ")");
            }
        }
    }

    /**
     * Sample mean within 5 standard errors (sd / sqrt(n)); sample std within 5 of its standard
     * error, sd / sqrt(2n) for a normal draw (smaller for a uniform one).
     */
    private static void expectMoments(CaseContext c, double[] v, double mean, double sd) {
        double m = 0;
        for (double x : v) {
            m += x;
        }
        m /= v.length;
        double ss = 0;
        for (double x : v) {
            ss += (x - m) * (x - m);
        }
        double s = Math.sqrt(ss / (v.length - 1));
        double meanTol = 5 * sd / Math.sqrt(v.length);
        double sdTol = 5 * sd / Math.sqrt(2.0 * v.length);
        c.expectThat(Math.abs(m - mean) <= meanTol, String.format(java.util.Locale.ROOT,
                "sample mean %.6f of %d values is not within %.6f of %s", m, v.length, meanTol, mean));
        c.expectThat(Math.abs(s - sd) <= sdTol, String.format(java.util.Locale.ROOT,
                "sample std %.6f of %d values is not within %.6f of %s", s, v.length, sdTol, sd));
    }
}
