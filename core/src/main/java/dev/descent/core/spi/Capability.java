package dev.descent.core.spi;

/** Features a backend may or may not offer beyond the baseline float32 primitives. */
public enum Capability {
    /** float64 for every op (the CPU always; some GPUs only slowly). */
    FLOAT64,
    /** int32/int64 arithmetic, comparisons and reductions. */
    INTEGER_OPS,
    /** Reduced-precision matrix units (TF32, bf16), used only when asked for. */
    REDUCED_PRECISION_MATMUL
}
