package dev.descent.core.fused;

import dev.descent.core.spi.BinaryOp;
import dev.descent.core.spi.UnaryOp;
import java.util.Objects;

/**
 * A value of an {@link UpdateRule}, the same formula for every element: a named tensor's
 * element, a named scalar (a hyper-parameter, the same for every element), or an op applied
 * to other values. Expressions are immutable and compare by structure, so a value written
 * twice is computed once. Java has no operators, so {@code β1·m + (1 − β1)·g} reads
 * {@code beta1.mul(m).add(oneMinusBeta1.mul(g))}.
 */
public final class Expr {
    enum Kind {
        TENSOR, SCALAR, UNARY, BINARY
    }

    final UpdateRule.Builder owner;
    final Kind kind;
    /** The tensor's or scalar's position in its rule; -1 for ops. */
    final int index;
    final String name;
    final UnaryOp unary;
    final BinaryOp binary;
    final Expr a;
    final Expr b;
    private final int hash;

    private Expr(UpdateRule.Builder owner, Kind kind, int index, String name, UnaryOp unary, BinaryOp binary, Expr a,
            Expr b) {
        this.owner = owner;
        this.kind = kind;
        this.index = index;
        this.name = name;
        this.unary = unary;
        this.binary = binary;
        this.a = a;
        this.b = b;
        this.hash = Objects.hash(kind, index, unary, binary, a, b);
    }

    static Expr tensor(UpdateRule.Builder owner, int index, String name) {
        return new Expr(owner, Kind.TENSOR, index, name, null, null, null, null);
    }

    static Expr scalar(UpdateRule.Builder owner, int index, String name) {
        return new Expr(owner, Kind.SCALAR, index, name, null, null, null, null);
    }

    /** {@code op(this)}. */
    public Expr apply(UnaryOp op) {
        Objects.requireNonNull(op, "op");
        return new Expr(owner, Kind.UNARY, -1, null, op, null, this, null);
    }

    /** {@code op(this, other)}. */
    public Expr apply(BinaryOp op, Expr other) {
        Objects.requireNonNull(op, "op");
        Objects.requireNonNull(other, "other");
        if (other.owner != owner) {
            throw new IllegalArgumentException("UpdateRule: " + this + " and " + other + " belong to different rules");
        }
        return new Expr(owner, Kind.BINARY, -1, null, null, op, this, other);
    }

    public Expr add(Expr other) {
        return apply(BinaryOp.ADD, other);
    }

    public Expr sub(Expr other) {
        return apply(BinaryOp.SUB, other);
    }

    public Expr mul(Expr other) {
        return apply(BinaryOp.MUL, other);
    }

    public Expr div(Expr other) {
        return apply(BinaryOp.DIV, other);
    }

    /** The larger of the two (NaN if either is NaN). */
    public Expr max(Expr other) {
        return apply(BinaryOp.MAXIMUM, other);
    }

    /** The smaller of the two (NaN if either is NaN). */
    public Expr min(Expr other) {
        return apply(BinaryOp.MINIMUM, other);
    }

    public Expr neg() {
        return apply(UnaryOp.NEG);
    }

    public Expr abs() {
        return apply(UnaryOp.ABS);
    }

    /** −1, 0 or 1 (sign(0) = 0). */
    public Expr sign() {
        return apply(UnaryOp.SIGN);
    }

    public Expr square() {
        return apply(UnaryOp.SQUARE);
    }

    public Expr sqrt() {
        return apply(UnaryOp.SQRT);
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        return o instanceof Expr e && hash == e.hash && owner == e.owner && kind == e.kind && index == e.index
                && unary == e.unary && binary == e.binary && Objects.equals(a, e.a) && Objects.equals(b, e.b);
    }

    @Override
    public int hashCode() {
        return hash;
    }

    /** The formula, with the rule's names: {@code beta1 * expAvg + oneMinusBeta1 * grad}. */
    @Override
    public String toString() {
        return render(0);
    }

    private static int precedence(BinaryOp op) {
        return switch (op) {
            case ADD, SUB -> 1;
            case MUL, DIV -> 2;
            default -> 3;
        };
    }

    /** Infix for + − × ÷, a function call for the rest; parentheses only where precedence needs them. */
    private String render(int outer) {
        return switch (kind) {
            case TENSOR, SCALAR -> name;
            case UNARY -> unary == UnaryOp.NEG ? "-" + a.render(3) : unary.label() + "(" + a.render(0) + ")";
            case BINARY -> {
                int p = precedence(binary);
                if (p == 3) {
                    yield binary.label() + "(" + a.render(0) + ", " + b.render(0) + ")";
                }
                String symbol = switch (binary) {
                    case ADD -> " + ";
                    case SUB -> " - ";
                    case MUL -> " * ";
                    default -> " / ";
                };
                // Left to right, as evaluated: a right operand of the same precedence keeps its
                // parentheses, since floating-point a * (b / c) is not (a * b) / c.
                String s = a.render(p) + symbol + b.render(p + 1);
                yield p < outer ? "(" + s + ")" : s;
            }
        };
    }
}
