package dev.descent.conformance;

import dev.descent.autograd.Variable;
import dev.descent.core.DType;
import dev.descent.core.Tensor;
import dev.descent.core.spi.BinaryOp;
import dev.descent.core.spi.UnaryOp;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.BinaryOperator;
import java.util.function.DoubleBinaryOperator;
import java.util.function.DoubleUnaryOperator;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import org.apache.commons.math3.special.Erf;

/**
 * Every elementwise op of the backend SPI, one row each: its tensor method, its float64
 * reference, where its random inputs come from, its accuracy per dtype, and whether (and on
 * what domain) its gradient is checked. The forward cases, the special values, the ulp sweeps
 * and the gradient suite all read these rows, so adding an op to the SPI adds one row here and
 * nothing else in this module ({@link #unary(UnaryOp)} throws for an op without a row).
 *
 * <p>Accuracy is an ulp bound per floating dtype: the largest distance, in units in the last
 * place of the dtype, that a backend's value may lie from the exact function (for float64, from
 * the float64 reference, whose own error the bound covers). Exact ops are bit for bit;
 * correctly rounded ones (IEEE + - * / √) have bound 1/2. Every backend meets the same bound;
 * each backend documents its own (the CPU backend's README has its table). References are
 * {@link Math}'s functions, Apache Commons Math's {@code erf}/{@code erfc} (an implementation
 * independent of any backend's), and the formulas below. Commons Math's own error sets the
 * float64 bounds of erf and gelu: measured against a 60-digit series it is up to 9 ulps for erf
 * above 1/8 (below, a series replaces it) and 64 for erfc, so those bounds are 20 and 128 ulps;
 * the float32 bounds and every other float64 bound are the backends'.
 */
public final class ElementwiseOps {
    private static final double SQRT_HALF = 0.7071067811865476;
    private static final double TWO_OVER_SQRT_PI = 1.1283791670955126;

    private ElementwiseOps() {
    }

    /**
     * How close a backend's values must be: bit for bit, or within an ulp bound per floating dtype.
     *
     * @param name EXACT, or the bound as a label
     * @param ulps32 the float32 bound (ignored when exact)
     * @param ulps64 the float64 bound (ignored when exact)
     */
    public record Accuracy(String name, double ulps32, double ulps64) {
        public static Accuracy exact() {
            return new Accuracy("EXACT", 0, 0);
        }

        /** IEEE's correctly rounded arithmetic: half an ulp. */
        public static Accuracy correctlyRounded() {
            return ulps(0.5, 0.5);
        }

        public static Accuracy ulps(double ulps32, double ulps64) {
            return new Accuracy("ULPS", ulps32, ulps64);
        }

        public boolean isExact() {
            return name.equals("EXACT");
        }

        /** The bound for {@code dtype} (0 for exact ops and integer dtypes). */
        public double bound(DType dtype) {
            return isExact() || !dtype.isFloating() ? 0 : dtype == DType.FLOAT32 ? ulps32 : ulps64;
        }

        public Tolerance tolerance(DType dtype) {
            return isExact() ? Tolerance.exact() : Tolerance.ulps(dtype, bound(dtype));
        }
    }

    /** The gradient check of a unary op: its {@link Variable} form and where its inputs come from. */
    public record UnaryGradient(Function<Variable, Variable> f, GradDomain domain) {
    }

    /** The gradient check of a binary op: its {@link Variable} form and its operands' domains. */
    public record BinaryGradient(BiFunction<Variable, Variable, Variable> f, GradDomain left, GradDomain right) {
    }

    /**
     * A unary op's row.
     *
     * @param spi the SPI op it is
     * @param op its tensor method
     * @param ref its float64 definition
     * @param domain where its random inputs come from
     * @param accuracy its ulp bound per dtype
     * @param gradient its gradient check, or null where it has no gradient (sign)
     */
    public record Unary(UnaryOp spi, UnaryOperator<Tensor> op, DoubleUnaryOperator ref, Domain domain,
            Accuracy accuracy, UnaryGradient gradient) {
        public String name() {
            return spi.label();
        }

        public boolean floatingOnly() {
            return spi.floatingOnly();
        }

        public Tolerance tolerance(DType dtype) {
            return accuracy.tolerance(dtype);
        }
    }

    /**
     * A binary op's row: as {@link Unary}, with a scalar form and a domain per operand; the
     * gradient is null for comparisons.
     */
    public record Binary(BinaryOp spi, BinaryOperator<Tensor> op, BiFunction<Tensor, Double, Tensor> scalarOp,
            DoubleBinaryOperator ref, Domain left, Domain right, Accuracy accuracy, BinaryGradient gradient) {
        public String name() {
            return spi.label();
        }

        public boolean floatingOnly() {
            return spi.floatingOnly();
        }

        public Tolerance tolerance(DType dtype) {
            return accuracy.tolerance(dtype);
        }
    }

    private static UnaryGradient grad(Function<Variable, Variable> f, GradDomain domain) {
        return new UnaryGradient(f, domain);
    }

    private static BinaryGradient grad(BiFunction<Variable, Variable, Variable> f, GradDomain left, GradDomain right) {
        return new BinaryGradient(f, left, right);
    }

    private static final List<Unary> UNARY = List.of(
            new Unary(UnaryOp.NEG, Tensor::neg, x -> -x, Domain.NORMAL, Accuracy.exact(),
                    grad(Variable::neg, GradDomain.ANY)),
            new Unary(UnaryOp.ABS, Tensor::abs, Math::abs, Domain.NORMAL, Accuracy.exact(),
                    grad(Variable::abs, GradDomain.AWAY_FROM_ZERO)),
            new Unary(UnaryOp.SIGN, Tensor::sign, Math::signum, Domain.SMALL_INTS, Accuracy.exact(), null),
            new Unary(UnaryOp.SQUARE, Tensor::square, x -> x * x, Domain.NORMAL, Accuracy.correctlyRounded(),
                    grad(Variable::square, GradDomain.ANY)),
            new Unary(UnaryOp.RELU, Tensor::relu, x -> Double.isNaN(x) ? x : Math.max(x, 0), Domain.SMALL_INTS,
                    Accuracy.exact(), grad(Variable::relu, GradDomain.AWAY_FROM_ZERO)),
            new Unary(UnaryOp.EXP, Tensor::exp, Math::exp, Domain.NORMAL, Accuracy.ulps(2, 2),
                    grad(Variable::exp, GradDomain.ANY)),
            new Unary(UnaryOp.LOG, Tensor::log, Math::log, Domain.POSITIVE, Accuracy.ulps(1, 2),
                    grad(Variable::log, GradDomain.POSITIVE)),
            new Unary(UnaryOp.LOG1P, Tensor::log1p, Math::log1p, Domain.LOG1P, Accuracy.ulps(2, 2),
                    grad(Variable::log1p, GradDomain.POSITIVE)),
            new Unary(UnaryOp.SQRT, Tensor::sqrt, Math::sqrt, Domain.POSITIVE, Accuracy.correctlyRounded(),
                    grad(Variable::sqrt, GradDomain.POSITIVE)),
            new Unary(UnaryOp.RSQRT, Tensor::rsqrt, x -> 1 / Math.sqrt(x), Domain.POSITIVE, Accuracy.ulps(2, 2),
                    grad(Variable::rsqrt, GradDomain.POSITIVE)),
            new Unary(UnaryOp.RECIPROCAL, Tensor::reciprocal, x -> 1 / x, Domain.AWAY_FROM_ZERO,
                    Accuracy.correctlyRounded(), grad(Variable::reciprocal, GradDomain.AWAY_FROM_ZERO)),
            new Unary(UnaryOp.SIGMOID, Tensor::sigmoid, ElementwiseOps::sigmoid, Domain.WIDE, Accuracy.ulps(3, 4),
                    grad(Variable::sigmoid, GradDomain.ANY)),
            new Unary(UnaryOp.TANH, Tensor::tanh, Math::tanh, Domain.WIDE, Accuracy.ulps(2, 5),
                    grad(Variable::tanh, GradDomain.ANY)),
            new Unary(UnaryOp.EXPM1, Tensor::expm1, Math::expm1, Domain.NEAR_ZERO, Accuracy.ulps(2, 2),
                    grad(Variable::expm1, GradDomain.ANY)),
            new Unary(UnaryOp.ERF, Tensor::erf, ElementwiseOps::erf, Domain.NORMAL, Accuracy.ulps(2, 20),
                    grad(Variable::erf, GradDomain.ANY)),
            new Unary(UnaryOp.GELU, Tensor::gelu, ElementwiseOps::gelu, Domain.NORMAL, Accuracy.ulps(1, 128),
                    grad(Variable::gelu, GradDomain.ANY)),
            new Unary(UnaryOp.SOFTPLUS, Tensor::softplus, ElementwiseOps::softplus, Domain.WIDE, Accuracy.ulps(3, 4),
                    grad(Variable::softplus, GradDomain.ANY)),
            new Unary(UnaryOp.SIN, Tensor::sin, Math::sin, Domain.NORMAL, Accuracy.ulps(2, 3),
                    grad(Variable::sin, GradDomain.ANY)),
            new Unary(UnaryOp.COS, Tensor::cos, Math::cos, Domain.NORMAL, Accuracy.ulps(2, 3),
                    grad(Variable::cos, GradDomain.ANY)));

    private static final List<Binary> BINARY = List.of(
            new Binary(BinaryOp.ADD, Tensor::add, Tensor::add, (x, y) -> x + y, Domain.NORMAL, Domain.NORMAL,
                    Accuracy.correctlyRounded(), grad(Variable::add, GradDomain.ANY, GradDomain.ANY)),
            new Binary(BinaryOp.SUB, Tensor::sub, Tensor::sub, (x, y) -> x - y, Domain.NORMAL, Domain.NORMAL,
                    Accuracy.correctlyRounded(), grad(Variable::sub, GradDomain.ANY, GradDomain.ANY)),
            new Binary(BinaryOp.MUL, Tensor::mul, Tensor::mul, (x, y) -> x * y, Domain.NORMAL, Domain.NORMAL,
                    Accuracy.correctlyRounded(), grad(Variable::mul, GradDomain.ANY, GradDomain.ANY)),
            new Binary(BinaryOp.DIV, Tensor::div, Tensor::div, (x, y) -> x / y, Domain.NORMAL, Domain.AWAY_FROM_ZERO,
                    Accuracy.correctlyRounded(), grad(Variable::div, GradDomain.ANY, GradDomain.AWAY_FROM_ZERO)),
            new Binary(BinaryOp.POW, Tensor::pow, Tensor::pow, Math::pow, Domain.POSITIVE, Domain.EXPONENT,
                    Accuracy.ulps(1, 3), grad(Variable::pow, GradDomain.POSITIVE, GradDomain.ANY)),
            new Binary(BinaryOp.MAXIMUM, Tensor::maximum, Tensor::maximum, RefArray::maxNaN, Domain.SMALL_INTS,
                    Domain.NORMAL, Accuracy.exact(), grad(Variable::maximum, GradDomain.ANY, GradDomain.ANY)),
            new Binary(BinaryOp.MINIMUM, Tensor::minimum, Tensor::minimum, RefArray::minNaN, Domain.SMALL_INTS,
                    Domain.NORMAL, Accuracy.exact(), grad(Variable::minimum, GradDomain.ANY, GradDomain.ANY)),
            new Binary(BinaryOp.EQ, Tensor::eq, Tensor::eq, (x, y) -> x == y ? 1 : 0, Domain.SMALL_INTS,
                    Domain.SMALL_INTS, Accuracy.exact(), null),
            new Binary(BinaryOp.NE, Tensor::ne, Tensor::ne, (x, y) -> x != y ? 1 : 0, Domain.SMALL_INTS,
                    Domain.SMALL_INTS, Accuracy.exact(), null),
            new Binary(BinaryOp.LT, Tensor::lt, Tensor::lt, (x, y) -> x < y ? 1 : 0, Domain.SMALL_INTS,
                    Domain.SMALL_INTS, Accuracy.exact(), null),
            new Binary(BinaryOp.LE, Tensor::le, Tensor::le, (x, y) -> x <= y ? 1 : 0, Domain.SMALL_INTS,
                    Domain.SMALL_INTS, Accuracy.exact(), null),
            new Binary(BinaryOp.GT, Tensor::gt, Tensor::gt, (x, y) -> x > y ? 1 : 0, Domain.SMALL_INTS,
                    Domain.SMALL_INTS, Accuracy.exact(), null),
            new Binary(BinaryOp.GE, Tensor::ge, Tensor::ge, (x, y) -> x >= y ? 1 : 0, Domain.SMALL_INTS,
                    Domain.SMALL_INTS, Accuracy.exact(), null));

    private static final Map<UnaryOp, Unary> BY_UNARY = new EnumMap<>(UnaryOp.class);
    private static final Map<BinaryOp, Binary> BY_BINARY = new EnumMap<>(BinaryOp.class);

    static {
        for (Unary u : UNARY) {
            if (BY_UNARY.put(u.spi(), u) != null) {
                throw new IllegalStateException("ElementwiseOps: two rows for " + u.spi());
            }
        }
        for (Binary b : BINARY) {
            if (BY_BINARY.put(b.spi(), b) != null) {
                throw new IllegalStateException("ElementwiseOps: two rows for " + b.spi());
            }
        }
    }

    /** Every unary row, in the SPI enum's order. */
    public static List<Unary> unaries() {
        return List.copyOf(BY_UNARY.values());
    }

    /** Every binary row, in the SPI enum's order. */
    public static List<Binary> binaries() {
        return List.copyOf(BY_BINARY.values());
    }

    /** The row of {@code op}; throws when the op has none (a new SPI op needs its row). */
    public static Unary unary(UnaryOp op) {
        Unary u = BY_UNARY.get(op);
        if (u == null) {
            throw new IllegalStateException("ElementwiseOps: UnaryOp." + op + " has no conformance row");
        }
        return u;
    }

    /** The row of {@code op}; throws when the op has none. */
    public static Binary binary(BinaryOp op) {
        Binary b = BY_BINARY.get(op);
        if (b == null) {
            throw new IllegalStateException("ElementwiseOps: BinaryOp." + op + " has no conformance row");
        }
        return b;
    }

    /** {@code 1 / (1 + e^-x)}, written so that neither branch overflows. */
    public static double sigmoid(double x) {
        return x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));
    }

    /** {@code ln(1 + e^x) = max(x, 0) + log1p(e^-|x|)}. */
    public static double softplus(double x) {
        return Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
    }

    /**
     * erf: below |x| = 1/8 its Maclaurin series {@code 2/√π Σ (-1)^n x^(2n+1) / (n! (2n+1))} to the
     * x^21 term (the next is below 2^-60 of the first), where Commons Math loses up to 80 ulps;
     * above, Commons Math. NaN stays NaN and erf is odd.
     */
    public static double erf(double x) {
        if (Double.isNaN(x) || x == 0) {
            return x;
        }
        if (Math.abs(x) >= 0.125) {
            return Erf.erf(x);
        }
        double z = x * x;
        double sum = 0;
        double factorial = 1;
        for (int n = 1; n <= 10; n++) {
            factorial *= n;
        }
        // Horner from the x^21 term down: coefficient (-1)^n / (n! (2n+1)).
        for (int n = 10; n >= 0; n--) {
            sum = sum * z + (n % 2 == 0 ? 1 : -1) / (factorial * (2 * n + 1));
            factorial /= Math.max(n, 1);
        }
        return TWO_OVER_SQRT_PI * x * sum;
    }

    /**
     * {@code x/2 · erfc(-x/√2)}, with {@code -x/√2} rounded as every backend rounds it (so that erfc's
     * amplification of that rounding, 2z², is common to both sides); -0 below -40, where the value is
     * below double's smallest subnormal.
     */
    public static double gelu(double x) {
        if (Double.isNaN(x)) {
            return x;
        }
        if (x == Double.POSITIVE_INFINITY) {
            return x;
        }
        return x < -40 ? -0.0 : 0.5 * x * Erf.erfc(-x * SQRT_HALF);
    }
}
