package dev.descent.core.spi;

/**
 * Elementwise functions of one argument that every backend implements. Each constant's
 * Javadoc is its definition; the conformance suite holds its reference, its input domain and
 * its accuracy (an ulp bound per dtype), and each backend computes it in one place.
 */
public enum UnaryOp {
    /** {@code -x}. */
    NEG(false),
    /** {@code |x|}. */
    ABS(false),
    /** -1, 0 or 1 by the sign; NaN and signed zeros unchanged (Java's {@code Math.signum}). */
    SIGN(false),
    /** {@code x²}. */
    SQUARE(false),
    /** {@code max(x, 0)}; NaN stays NaN. */
    RELU(false),
    /** {@code e^x}. */
    EXP(true),
    /** {@code ln x}. */
    LOG(true),
    /** {@code ln(1 + x)}, accurate for small x. */
    LOG1P(true),
    /** {@code √x}. */
    SQRT(true),
    /** {@code 1 / √x}. */
    RSQRT(true),
    /** {@code 1 / x}. */
    RECIPROCAL(true),
    /** {@code 1 / (1 + e^-x)}, without overflow for large |x|. */
    SIGMOID(true),
    /** {@code tanh x}. */
    TANH(true),
    /** {@code e^x - 1}, accurate for small x. */
    EXPM1(true),
    /** The error function {@code erf x = 2/√π ∫₀ˣ e^(-t²) dt}. */
    ERF(true),
    /** {@code x Φ(x) = x/2 · erfc(-x/√2)}: the exact (erf-based) GELU of Hendrycks and Gimpel (2016). */
    GELU(true),
    /** {@code ln(1 + e^x) = max(x, 0) + log1p(e^-|x|)}: softplus with β = 1 (other β by scaling). */
    SOFTPLUS(true),
    /** {@code sin x} (radians). */
    SIN(true),
    /** {@code cos x} (radians). */
    COS(true);

    private final boolean floatingOnly;

    UnaryOp(boolean floatingOnly) {
        this.floatingOnly = floatingOnly;
    }

    /** Whether the op is defined only for floating dtypes. */
    public boolean floatingOnly() {
        return floatingOnly;
    }

    /** The user-facing name, as errors print it. */
    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
