package dev.descent.core.spi;

/**
 * Reductions every backend implements. {@code MAX} and {@code MIN} propagate NaN;
 * {@code ARGMAX} and {@code ARGMIN} return the first index of the extreme value (int64).
 */
public enum ReduceOp {
    SUM, MAX, MIN, ARGMAX, ARGMIN;

    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
