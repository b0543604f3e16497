package dev.descent.conformance;

/**
 * How an input tensor lies in memory. Every op must give the same values whatever the
 * layout of its inputs; the non-contiguous layouts are where strided kernels go wrong.
 */
public enum Layout {
    /** Row-major with no gaps, offset 0. */
    CONTIGUOUS("contiguous"),
    /** A view with every axis reversed over a row-major storage (for a matrix, a transpose); rank < 2 stays contiguous. */
    TRANSPOSED("transposed"),
    /** Every second element along the last axis, from offset 1, of a larger storage whose gaps hold a sentinel (NaN). */
    STRIDED("strided"),
    /** The first axis of size > 1 is a stride-0 broadcast of a single slice. */
    EXPANDED("expanded");

    private final String label;

    Layout(String label) {
        this.label = label;
    }

    @Override
    public String toString() {
        return label;
    }
}
