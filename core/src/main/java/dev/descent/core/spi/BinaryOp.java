package dev.descent.core.spi;

/**
 * Elementwise functions of two arguments that every backend implements. Comparisons produce
 * a 0/1 mask of the operands' dtype. {@code MAXIMUM} and {@code MINIMUM} propagate NaN.
 */
public enum BinaryOp {
    ADD(false, false), SUB(false, false), MUL(false, false), DIV(true, false), POW(true, false),
    MAXIMUM(false, false), MINIMUM(false, false),
    EQ(false, true), NE(false, true), LT(false, true), LE(false, true), GT(false, true), GE(false, true);

    private final boolean floatingOnly;
    private final boolean comparison;

    BinaryOp(boolean floatingOnly, boolean comparison) {
        this.floatingOnly = floatingOnly;
        this.comparison = comparison;
    }

    public boolean floatingOnly() {
        return floatingOnly;
    }

    public boolean isComparison() {
        return comparison;
    }

    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
