package dev.descent.conformance;

import dev.descent.core.DType;
import dev.descent.core.Tensor;
import dev.descent.core.spi.BinaryOp;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;

/**
 * Each floating unary op in float32 over the whole float range, measured in ulps against its
 * float64 reference ({@link ElementwiseOps}) and held to its row's float32 bound: every 4093rd
 * bit pattern of all 2^32 (about a million values: every binade of both signs, subnormals
 * included), the 1,024 patterns on each side of the edges where functions change regime (0,
 * the smallest normal, 1, the overflow and underflow arguments of exp, the saturation of
 * sigmoid, softplus and tanh, 2^23, the largest float), and ±0, ±inf and NaN. A result must be
 * NaN exactly where the reference is, an infinity where the reference rounds to it, and
 * otherwise within the bound; the error of an element is {@code |got - ref|} over the ulp of
 * float32 at {@code ref} (an infinity, and any reference beyond 2^128, counts as 2^128; signed
 * zeros are equal). pow is swept the same way over its bases, for a list of scalar exponents
 * (some also as a tensor operand), and over a million random pairs.
 *
 * <p>The system property {@code descent.conformance.ulpSweep=exhaustive} checks all 2^32 bit
 * patterns instead (minutes per op, for a backend's documentation, not for CI).
 */
final class UlpSweepCases {
    private static final int STRIDE = 4093;
    private static final int NEIGHBOURS = 1024;
    private static final int BATCH = 1 << 22;
    private static final float[] EDGES = {0, Float.MIN_NORMAL, 0.5f, 1, 2, 9.01f, 10, 16.6f, 17, 87.33655f,
        88.72284f, 103.27893f, 103.97208f, 0x1p23f, Float.MAX_VALUE};

    private UlpSweepCases() {
    }

    static Stream<DynamicNode> sweeps(Harness h) {
        if (!h.supports(DType.FLOAT32)) {
            return Stream.empty();
        }
        boolean exhaustive = "exhaustive".equals(System.getProperty("descent.conformance.ulpSweep"));
        List<DynamicNode> cases = new ArrayList<>();
        for (ElementwiseOps.Unary u : ElementwiseOps.unaries()) {
            if (!u.floatingOnly()) {
                continue;
            }
            double bound = u.accuracy().bound(DType.FLOAT32);
            String name = String.format(Locale.ROOT, "%s float32 over %s is within %s ulp of the reference", u.name(),
                    exhaustive ? "all 2^32 bit patterns" : "a stride through all bit patterns, the edges and specials",
                    Comparison.num(bound));
            cases.add(h.test("ulp", u.name(), name, c -> {
                Worst worst = new Worst(bound);
                if (exhaustive) {
                    for (long start = 0; start < 1L << 32; start += BATCH) {
                        int[] bits = new int[BATCH];
                        for (int i = 0; i < BATCH; i++) {
                            bits[i] = (int) (start + i);
                        }
                        measure(c, u, bits, worst);
                    }
                } else {
                    measure(c, u, sampledBits(), worst);
                }
                c.expect(worst.comparison());
            }));
        }
        cases.addAll(powSweeps(h, exhaustive));
        return Stream.of(DynamicContainer.dynamicContainer("float32 ulp sweeps", cases));
    }

    /** Scalar exponents of pow's sweeps: integers (odd and even, where a negative base is defined), fractions, specials. */
    private static final float[] POW_EXPONENTS = {2, 3, -1, 0.5f, -0.5f, 1.5f, 2.5f, 1f / 3, -2, 7, 0, -0f, 1, 100,
        -7.5f, 1e10f, Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY};
    /** The exponents pow's sweeps also run as a tensor operand (its own path on some backends). */
    private static final float[] POW_TENSOR_EXPONENTS = {3, 2.5f, -0.5f, Float.NaN};
    private static final int POW_PAIRS = 1 << 20;

    /**
     * pow in float32 against {@link Math#pow}: the sweep's bases for each scalar exponent (and some
     * as a tensor exponent), then random pairs whose exponents are any bit pattern or small reals
     * and integers; the bound is pow's float32 row.
     */
    private static List<DynamicNode> powSweeps(Harness h, boolean exhaustive) {
        ElementwiseOps.Binary pow = ElementwiseOps.binary(BinaryOp.POW);
        double bound = pow.accuracy().bound(DType.FLOAT32);
        String over = exhaustive ? "all 2^32 bases" : "a stride through all bases, the edges and specials";
        List<DynamicNode> cases = new ArrayList<>();
        for (float y : POW_EXPONENTS) {
            String name = String.format(Locale.ROOT, "pow float32 over %s to the scalar %s is within %s ulp", over, y,
                    Comparison.num(bound));
            cases.add(h.test("ulp", "pow", name, c -> powSweep(c, pow, exhaustive,
                    (x, n) -> pow.scalarOp().apply(x, (double) y), y)));
        }
        for (float y : POW_TENSOR_EXPONENTS) {
            String name = String.format(Locale.ROOT, "pow float32 over %s to a tensor of %s is within %s ulp", over, y,
                    Comparison.num(bound));
            cases.add(h.test("ulp", "pow", name, c -> powSweep(c, pow, exhaustive, (x, n) -> {
                try (Tensor e = Tensor.full(c.device(), DType.FLOAT32, y, n)) {
                    return pow.op().apply(x, e);
                }
            }, y)));
        }
        String name = String.format(Locale.ROOT, "pow float32 over %,d random pairs is within %s ulp", POW_PAIRS,
                Comparison.num(bound));
        cases.add(h.test("ulp", "pow", name, c -> {
            SplittableRandom g = new SplittableRandom(42);
            double[] x = new double[POW_PAIRS];
            double[] y = new double[POW_PAIRS];
            for (int i = 0; i < POW_PAIRS; i++) {
                x[i] = i % 2 == 0 ? Float.intBitsToFloat(g.nextInt()) : (float) Math.exp(8 * g.nextGaussian());
                y[i] = switch (i % 4) {
                    case 0 -> Float.intBitsToFloat(g.nextInt());
                    case 1 -> (float) Math.rint(6 * g.nextGaussian());
                    default -> (float) (4 * g.nextGaussian());
                };
            }
            Worst worst = new Worst(bound);
            float[] got;
            try (Tensor tx = Tensor.of(c.device(), DType.FLOAT32, x, POW_PAIRS);
                    Tensor ty = Tensor.of(c.device(), DType.FLOAT32, y, POW_PAIRS);
                    Tensor r = pow.op().apply(tx, ty)) {
                got = r.toFloatArray();
            }
            for (int i = 0; i < POW_PAIRS; i++) {
                double ref = pow.ref().applyAsDouble(x[i], y[i]);
                worst.offer(x[i], got[i], ref, error(got[i], ref));
            }
            c.expect(worst.comparison());
        }));
        return cases;
    }

    /** pow of a batch of n float32 bases. */
    private interface PowOf {
        Tensor apply(Tensor bases, int n);
    }

    private static void powSweep(CaseContext c, ElementwiseOps.Binary pow, boolean exhaustive, PowOf op, float y) {
        Worst worst = new Worst(pow.accuracy().bound(DType.FLOAT32));
        if (exhaustive) {
            for (long start = 0; start < 1L << 32; start += BATCH) {
                int[] bits = new int[BATCH];
                for (int i = 0; i < BATCH; i++) {
                    bits[i] = (int) (start + i);
                }
                measurePow(c, pow, op, y, bits, worst);
            }
        } else {
            measurePow(c, pow, op, y, sampledBits(), worst);
        }
        c.expect(worst.comparison());
    }

    private static void measurePow(CaseContext c, ElementwiseOps.Binary pow, PowOf op, float y, int[] bits,
            Worst worst) {
        double[] x = new double[bits.length];
        for (int i = 0; i < bits.length; i++) {
            x[i] = Float.intBitsToFloat(bits[i]);
        }
        float[] got;
        try (Tensor t = Tensor.of(c.device(), DType.FLOAT32, x, x.length); Tensor r = op.apply(t, x.length)) {
            got = r.toFloatArray();
        }
        for (int i = 0; i < x.length; i++) {
            double ref = pow.ref().applyAsDouble(x[i], y);
            worst.offer(x[i], got[i], ref, error(got[i], ref));
        }
    }

    /** The default sample: a stride through all patterns, the edges' neighbourhoods, the specials. */
    static int[] sampledBits() {
        List<Integer> bits = new ArrayList<>();
        for (long b = 0; b < 1L << 32; b += STRIDE) {
            bits.add((int) b);
        }
        for (float e : EDGES) {
            for (float signed : new float[] {e, -e}) {
                int at = Float.floatToRawIntBits(signed);
                for (int k = -NEIGHBOURS; k <= NEIGHBOURS; k++) {
                    bits.add(at + k);
                }
            }
        }
        for (float s : new float[] {0f, -0f, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NaN,
            Float.MIN_VALUE, -Float.MIN_VALUE}) {
            bits.add(Float.floatToRawIntBits(s));
        }
        return bits.stream().mapToInt(Integer::intValue).toArray();
    }

    private static void measure(CaseContext c, ElementwiseOps.Unary u, int[] bits, Worst worst) {
        double[] x = new double[bits.length];
        for (int i = 0; i < bits.length; i++) {
            x[i] = Float.intBitsToFloat(bits[i]);
        }
        float[] got;
        try (Tensor t = Tensor.of(c.device(), DType.FLOAT32, x, x.length); Tensor r = u.op().apply(t)) {
            got = r.toFloatArray();
        }
        for (int i = 0; i < x.length; i++) {
            double ref = u.ref().applyAsDouble(x[i]);
            worst.offer(x[i], got[i], ref, error(got[i], ref));
        }
    }

    /** The error of {@code got} in float32 ulps at {@code ref}; infinite when NaN-ness differs. */
    static double error(float got, double ref) {
        if (Double.isNaN(ref) || Float.isNaN(got)) {
            return Double.isNaN(ref) && Float.isNaN(got) ? 0 : Double.POSITIVE_INFINITY;
        }
        // Beyond the float range every value rounds to the infinity, which counts as 2^128.
        double g = Float.isInfinite(got) ? Math.copySign(0x1p128, got) : got;
        double r = Math.abs(ref) >= 0x1p128 ? Math.copySign(0x1p128, ref) : ref;
        if (g == r) {
            return 0;
        }
        return Math.abs(g - r) / Tolerance.ulp(DType.FLOAT32, r);
    }

    /** The worst element of a sweep. */
    private static final class Worst {
        final double bound;
        long count;
        long bad;
        double error = -1;
        double x;
        float got;
        double ref;

        Worst(double bound) {
            this.bound = bound;
        }

        void offer(double x, float got, double ref, double error) {
            count++;
            if (error > bound) {
                bad++;
            }
            if (error > this.error) {
                this.error = error;
                this.x = x;
                this.got = got;
                this.ref = ref;
            }
        }

        /** As a {@link Comparison} in ulps: allowed is the bound, the error the worst ulp error. */
        Comparison comparison() {
            Tolerance tol = new Tolerance(Comparison.num(bound) + " ULP at x = " + x + " ("
                    + String.format("0x%08x", Float.floatToRawIntBits((float) x)) + ")", 0, 0, 0);
            double err = error == Double.POSITIVE_INFINITY ? Double.POSITIVE_INFINITY : error;
            return new Comparison((int) Math.min(count, Integer.MAX_VALUE), (int) Math.min(bad, Integer.MAX_VALUE),
                    new int[] {0}, ref,
                    got, err, err, bound, tol);
        }
    }
}
