package dev.descent.conformance;

import dev.descent.core.DType;

/**
 * How far a backend's element may lie from the float64 reference. Element {@code i} passes
 * when
 *
 * <pre>
 *   |got - expected| &lt;= atol + rtol * |expected| + scaled * scale_i + ulps * ulp(expected)
 * </pre>
 *
 * where {@code expected} is the reference rounded to the output dtype and {@code scale_i} is
 * an error scale the reference supplies for ops that accumulate. For a sum of L terms it is
 * {@code (L + 4) * sum |term|}: with {@code scaled} = u, the unit roundoff, this is the bound
 * every summation order meets (Higham, <i>Accuracy and Stability of Numerical Algorithms</i>,
 * section 4.2: {@code |error| <= (L - 1) u sum |x_i|}), with a few roundings per term to
 * spare; so no correct algorithm fails, and one that skips or repeats a term does, in float64
 * and integer cases. The suite adds integer-valued float inputs, whose sums are exact in any
 * order, and compares those exactly, so float32 kernels are checked just as strictly. NaN
 * must meet NaN and an infinity the same infinity; integer results are always exact.
 *
 * <p>The classes (u32 = 2^-24 ≈ 6.0e-8, u64 = 2^-53 ≈ 1.1e-16):
 *
 * <table>
 *   <caption>tolerances by op class and dtype</caption>
 *   <tr><th>class</th><th>ops</th><th>float32 rtol / scaled</th><th>float64 rtol / scaled</th></tr>
 *   <tr><td>EXACT</td><td>where clamp, views, copies, casts, gather, concat, fill, max/min/argmax,
 *       norm(inf)</td><td>0 / 0 (bit for bit)</td><td>0 / 0</td></tr>
 *   <tr><td>ROUNDED</td><td>in-place arithmetic, arange linspace</td><td>1e-6 / 0 (~16 ulp)</td>
 *       <td>1e-14 / 0</td></tr>
 *   <tr><td>SUM</td><td>sum mean var norm(1, 2) matmul addScaledInPlace</td><td>1e-6 / u32</td>
 *       <td>1e-14 / u64</td></tr>
 *   <tr><td>TRANSCENDENTAL_SUM</td><td>logsumexp softmax logSoftmax norm(p)</td><td>1e-5 / 1e-6</td>
 *       <td>1e-12 / 2e-15</td></tr>
 * </table>
 *
 * <p>Elementwise functions are not in these classes: each op's conformance row
 * ({@link ElementwiseOps}) states an ulp bound per dtype, its documented accuracy, and
 * {@link #ulps} turns it into a tolerance of {@code bound + 1/2} ulps of the dtype at the
 * expected value (the half ulp is the rounding of the float64 reference to the dtype). The ulp
 * sweeps of the suite check the float32 bounds over the whole float range.
 *
 * <p>Every class but EXACT also allows an absolute error of the dtype's smallest normal
 * number, so a backend that flushes subnormal results to zero passes (the ulp sweeps do not
 * allow that).
 *
 * @param name the class name, for reports
 * @param atol absolute allowance
 * @param rtol allowance relative to the expected value
 * @param scaled allowance relative to the reference's error scale
 * @param ulps allowance in units in the last place of {@code ulpOf} at the expected value
 * @param ulpOf the dtype whose ulp {@code ulps} counts (null when {@code ulps} is 0)
 */
public record Tolerance(String name, double atol, double rtol, double scaled, double ulps, DType ulpOf) {

    public Tolerance(String name, double atol, double rtol, double scaled) {
        this(name, atol, rtol, scaled, 0, null);
    }

    /** Bit-for-bit equality (after rounding the reference to the output dtype). */
    public static Tolerance exact() {
        return new Tolerance("EXACT", 0, 0, 0);
    }

    /** Arithmetic that IEEE 754 rounds correctly. */
    public static Tolerance rounded(DType dtype) {
        return pick("ROUNDED", dtype, 1e-6, 0, 1e-14, 0);
    }

    /**
     * Within {@code bound} ulps of the exact value: {@code bound + 1/2} ulps of {@code dtype} from the
     * reference rounded to it (integer dtypes are exact).
     */
    public static Tolerance ulps(DType dtype, double bound) {
        return switch (dtype) {
            case FLOAT32 -> new Tolerance(ulpName(bound), Float.MIN_NORMAL, 0, 0, bound + 0.5, dtype);
            case FLOAT64 -> new Tolerance(ulpName(bound), Double.MIN_NORMAL, 0, 0, bound + 0.5, dtype);
            case INT32, INT64 -> exact();
        };
    }

    private static String ulpName(double bound) {
        return bound == Math.rint(bound) ? (long) bound + " ULP" : bound + " ULP";
    }

    /**
     * One unit in the last place of {@code dtype} at {@code v}: the spacing of the binade of |v|
     * (the smaller one at a power of two), subnormal spacing below the smallest normal.
     */
    public static double ulp(DType dtype, double v) {
        boolean single = dtype == DType.FLOAT32;
        int minExp = single ? Float.MIN_EXPONENT : Double.MIN_EXPONENT;
        int maxExp = single ? Float.MAX_EXPONENT : Double.MAX_EXPONENT;
        int digits = single ? 23 : 52;
        double a = Math.abs(v);
        int e = a == 0 ? minExp : !(a < Double.POSITIVE_INFINITY) ? maxExp
                : Math.min(Math.max(Math.getExponent(a), minExp), maxExp);
        return Math.scalb(1.0, e - digits);
    }

    /** Accumulations of rounded terms (sums, means, variances, matrix products): scaled is the unit roundoff. */
    public static Tolerance sum(DType dtype) {
        return pick("SUM", dtype, 1e-6, 0x1p-24, 1e-14, 0x1p-53);
    }

    /** Accumulations of library-function terms: logsumexp, softmax, general p-norms. */
    public static Tolerance transcendentalSum(DType dtype) {
        return pick("TRANSCENDENTAL_SUM", dtype, 1e-5, 1e-6, 1e-12, 2e-15);
    }

    private static Tolerance pick(String name, DType dtype, double rtol32, double scaled32, double rtol64,
            double scaled64) {
        return switch (dtype) {
            case FLOAT32 -> new Tolerance(name, Float.MIN_NORMAL, rtol32, scaled32);
            case FLOAT64 -> new Tolerance(name, Double.MIN_NORMAL, rtol64, scaled64);
            case INT32, INT64 -> new Tolerance("EXACT", 0, 0, 0);
        };
    }

    /** The error factor of a sum of {@code length} terms, L + 4: the bound's L - 1 with a few roundings to spare. */
    public static double accumulation(int length) {
        return length + 4.0;
    }

    /** The largest error element {@code expected} (with error scale {@code scale}) may have; never NaN. */
    public double allowed(double expected, double scale) {
        double a = atol + rtol * Math.abs(expected) + (scaled == 0 ? 0 : scaled * scale)
                + (ulps == 0 ? 0 : ulps * ulp(ulpOf, expected));
        return Double.isNaN(a) ? atol : a;
    }

    @Override
    public String toString() {
        if (ulps != 0) {
            return name;
        }
        return atol == 0 && rtol == 0 && scaled == 0 ? name
                : String.format(java.util.Locale.ROOT, "%s(rtol %.1g, scaled %.2g)", name, rtol, scaled);
    }
}
