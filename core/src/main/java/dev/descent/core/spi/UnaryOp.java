package dev.descent.core.spi;

/** Elementwise functions of one argument that every backend implements. */
public enum UnaryOp {
    NEG(false), ABS(false), SIGN(false), SQUARE(false), RELU(false),
    EXP(true), LOG(true), LOG1P(true), SQRT(true), RSQRT(true), RECIPROCAL(true),
    SIGMOID(true), TANH(true);

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
