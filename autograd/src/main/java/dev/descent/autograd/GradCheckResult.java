package dev.descent.autograd;

import java.util.Locale;

/**
 * The outcome of {@link GradCheck}: whether every analytic derivative matched its finite
 * difference, and the worst element, the one whose error used the largest share of its
 * tolerance {@code atol + rtol * |numeric|}.
 *
 * @param check {@code gradcheck} or {@code gradgradcheck}
 * @param passed whether every element was within tolerance
 * @param input which input the worst element belongs to (-1 when nothing was compared)
 * @param inputIndex its position in that input, row-major
 * @param outputIndex the output element it is the derivative of, row-major
 * @param analytic the derivative from the backward pass
 * @param numeric the central finite difference
 * @param tolerance the allowed error for this element
 * @param compared how many derivatives were compared
 */
public record GradCheckResult(String check, boolean passed, int input, long inputIndex, long outputIndex,
        double analytic, double numeric, double tolerance, long compared) {

    /** |analytic - numeric| for the worst element. */
    public double error() {
        return Math.abs(analytic - numeric);
    }

    /** Returns this result when it passed; otherwise throws {@link GradCheckException} with {@link #toString()}. */
    public GradCheckResult orThrow() {
        if (!passed) {
            throw new GradCheckException(toString());
        }
        return this;
    }

    @Override
    public String toString() {
        if (input < 0) {
            return check + ": passed (nothing to compare)";
        }
        return String.format(Locale.ROOT, "%s: %s; worst of %d derivatives: d output[%d] / d input %d [%d]:"
                        + " analytic %.10g, numeric %.10g, error %.3g, tolerance %.3g",
                check, passed ? "passed" : "FAILED", compared, outputIndex, input, inputIndex, analytic, numeric,
                error(), tolerance);
    }
}
