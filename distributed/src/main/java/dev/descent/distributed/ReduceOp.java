package dev.descent.distributed;

/** How a reducing collective combines the ranks' values, element by element. */
public enum ReduceOp {
    /** x₀ + x₁ + … + x_{n−1}. */
    SUM,
    /** (x₀ + x₁ + … + x_{n−1}) / n: floating dtypes only (the sum, then one division by n, rounded once). */
    AVERAGE,
    /** max(x₀, …, x_{n−1}). */
    MAX
}
