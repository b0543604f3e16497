package dev.descent.conformance;

import static dev.descent.conformance.Harness.dims;

import dev.descent.core.DType;
import dev.descent.core.Tensor;
import dev.descent.core.spi.UnaryOp;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;
import java.util.function.DoubleBinaryOperator;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;

/**
 * In-place ops on contiguous targets and on views (transposed, strided with gaps): each must
 * return its target, write the reference's values into it, and leave every other element of
 * the storage (the gaps' sentinels) untouched.
 */
final class InPlaceCases {
    private static final String CATEGORY = "in-place";
    private static final Layout[] TARGETS = {Layout.CONTIGUOUS, Layout.TRANSPOSED, Layout.STRIDED};
    private static final int[][] SHAPES = {{}, {0, 3}, {4, 33}, {2, 3, 5}, {513, 257}};

    private InPlaceCases() {
    }

    /**
     * A tensor-operand in-place op: the call, its definition, the other operand's domain, and
     * the error scale of an element (null when only the final rounding errs).
     */
    record WithTensor(String name, BiFunction<Tensor, Tensor, Tensor> op, DoubleBinaryOperator ref, Domain other,
            boolean floatingOnly, Function<DType, Tolerance> tol, DoubleBinaryOperator scale) {
    }

    /** An in-place op with no tensor operand, its definition on one element, and its target's domain. */
    record Alone(String name, Function<Tensor, Tensor> op, java.util.function.DoubleUnaryOperator ref, Domain domain,
            boolean floatingOnly, Function<DType, Tolerance> tol) {
    }

    static Stream<DynamicNode> inPlace(Harness h) {
        Function<DType, Tolerance> exact = d -> Tolerance.exact();
        List<WithTensor> binary = List.of(
                new WithTensor("addInPlace", Tensor::addInPlace, (x, y) -> x + y, Domain.NORMAL, false,
                        Tolerance::rounded, null),
                new WithTensor("subInPlace", Tensor::subInPlace, (x, y) -> x - y, Domain.NORMAL, false,
                        Tolerance::rounded, null),
                new WithTensor("mulInPlace", Tensor::mulInPlace, (x, y) -> x * y, Domain.NORMAL, false,
                        Tolerance::rounded, null),
                new WithTensor("divInPlace", Tensor::divInPlace, (x, y) -> x / y, Domain.AWAY_FROM_ZERO, true,
                        Tolerance::rounded, null),
                // alpha * other may be rounded before the add: two roundings, the first of |alpha * other|.
                new WithTensor("addScaledInPlace(0.75)", (t, o) -> t.addScaledInPlace(o, 0.75), (x, y) -> x + 0.75 * y,
                        Domain.NORMAL, true, Tolerance::sum, (x, y) -> Math.abs(x) + 2 * Math.abs(0.75 * y)),
                new WithTensor("addScaledInPlace(-3)", (t, o) -> t.addScaledInPlace(o, -3), (x, y) -> x - 3 * y,
                        Domain.NORMAL, true, Tolerance::sum, (x, y) -> Math.abs(x) + 2 * Math.abs(3 * y)),
                new WithTensor("copyFrom", Tensor::copyFrom, (x, y) -> y, Domain.NORMAL, false, exact, null));
        List<Alone> alone = List.of(
                new Alone("addInPlace(scalar)", t -> t.addInPlace(3), x -> x + 3, Domain.NORMAL, false,
                        Tolerance::rounded),
                new Alone("subInPlace(scalar)", t -> t.subInPlace(2), x -> x - 2, Domain.NORMAL, false,
                        Tolerance::rounded),
                new Alone("mulInPlace(scalar)", t -> t.mulInPlace(-3), x -> x * -3, Domain.NORMAL, false,
                        Tolerance::rounded),
                new Alone("divInPlace(scalar)", t -> t.divInPlace(0.3), x -> x / 0.3, Domain.NORMAL, true,
                        Tolerance::rounded),
                new Alone("maximumInPlace", t -> t.maximumInPlace(1), x -> RefArray.maxNaN(x, 1), Domain.NORMAL, false,
                        exact),
                new Alone("minimumInPlace", t -> t.minimumInPlace(-1), x -> RefArray.minNaN(x, -1), Domain.NORMAL, false,
                        exact),
                new Alone("clampInPlace", t -> t.clampInPlace(-2, 1), x -> RefArray.minNaN(RefArray.maxNaN(x, -2), 1),
                        Domain.NORMAL, false, exact),
                new Alone("negInPlace", Tensor::negInPlace, x -> -x, Domain.NORMAL, false, exact),
                new Alone("absInPlace", Tensor::absInPlace, Math::abs, Domain.NORMAL, false, exact),
                new Alone("sqrtInPlace", Tensor::sqrtInPlace, Math::sqrt, Domain.POSITIVE, true, Tolerance::rounded),
                new Alone("expInPlace", Tensor::expInPlace, Math::exp, Domain.NORMAL, true,
                        ElementwiseOps.unary(UnaryOp.EXP)::tolerance),
                new Alone("fill", t -> t.fill(-6), x -> -6, Domain.NORMAL, false, exact),
                new Alone("zero", Tensor::zero, x -> 0, Domain.NORMAL, false, exact));

        List<DynamicNode> nodes = new ArrayList<>();
        int k = 0;
        for (WithTensor op : binary) {
            List<DynamicNode> cases = new ArrayList<>();
            for (DType dt : op.floatingOnly() ? h.floats() : h.all()) {
                for (int s = 0; s < SHAPES.length; s++) {
                    int[] shape = SHAPES[s];
                    for (int[] otherShape : otherShapes(shape, s)) {
                        Layout target = TARGETS[k % TARGETS.length];
                        Layout other = Layout.values()[k++ % Layout.values().length];
                        String name = String.format("%s %s into %s(%s) from %s(%s) writes the reference's values there"
                                + " and nowhere else", op.name(), dt, dims(shape), target, dims(otherShape), other);
                        cases.add(h.test(CATEGORY, op.name(), name, c -> {
                            Input t = c.input(dt, target, Domain.NORMAL, shape);
                            Input o = c.input(dt, other, op.other(), otherShape);
                            Tensor returned = op.op().apply(t.tensor(), o.tensor());
                            RefArray want = RefArray.zip(t.values(), o.values(), op.ref());
                            RefArray scale = op.scale() == null ? null
                                    : RefArray.zip(t.values(), o.values(), op.scale());
                            checkWritten(c, dt, t, returned, want, scale, op.tol().apply(dt));
                        }));
                    }
                }
            }
            nodes.add(DynamicContainer.dynamicContainer(op.name(), cases));
        }
        for (Alone op : alone) {
            List<DynamicNode> cases = new ArrayList<>();
            for (DType dt : op.floatingOnly() ? h.floats() : h.all()) {
                for (int[] shape : SHAPES) {
                    Layout target = TARGETS[k++ % TARGETS.length];
                    String name = String.format("%s %s on %s(%s) writes the reference's values there and nowhere else",
                            op.name(), dt, dims(shape), target);
                    cases.add(h.test(CATEGORY, op.name(), name, c -> {
                        Input t = c.input(dt, target, op.domain(), shape);
                        Tensor returned = op.op().apply(t.tensor());
                        RefArray want = t.values().map(op.ref());
                        checkWritten(c, dt, t, returned, want, null, op.tol().apply(dt));
                    }));
                }
            }
            nodes.add(DynamicContainer.dynamicContainer(op.name(), cases));
        }
        nodes.add(DynamicContainer.dynamicContainer("in-place specials", specials(h)));
        return nodes.stream();
    }

    /** The other operand: the target's own shape, and shapes that broadcast to it. */
    private static int[][] otherShapes(int[] shape, int s) {
        if (shape.length == 0) {
            return new int[][] {{}};
        }
        int[] last = {shape[shape.length - 1]};
        int[] col = shape.clone();
        col[col.length - 1] = 1;
        return s % 2 == 0 ? new int[][] {shape, last, {}} : new int[][] {shape, col};
    }

    private static void checkWritten(CaseContext c, DType dt, Input target, Tensor returned, RefArray want,
            RefArray scale, Tolerance tol) {
        c.expectThat(returned == target.tensor(), "an in-place op should return its target");
        c.expect(target.tensor(), dt, want, scale, tol);
        RefArray baseScale = scale == null ? null
                : RefArray.full(0, target.baseValues().shape()).scatter(target.positions(), scale);
        c.expect(target.base(), dt, target.baseAfterWriting(want.cast(dt)), baseScale, tol);
    }

    private static List<DynamicNode> specials(Harness h) {
        List<DynamicNode> cases = new ArrayList<>();
        for (DType dt : h.all()) {
            for (Layout layout : TARGETS) {
                String name = String.format("addInPlace %s of a %s tensor to itself doubles it", dt, layout);
                cases.add(h.test(CATEGORY, "addInPlace", name, c -> {
                    Input t = c.input(dt, layout, Domain.NORMAL, 33, 7);
                    t.tensor().addInPlace(t.tensor());
                    checkWritten(c, dt, t, t.tensor(), t.values().map(x -> 2 * x), null, Tolerance.rounded(dt));
                }));
            }
            for (DType from : h.all()) {
                String name = String.format("copyFrom into a strided %s view from %s converts and broadcasts", dt, from);
                cases.add(h.test(CATEGORY, "copyFrom", name, c -> {
                    Input t = c.input(dt, Layout.STRIDED, Domain.NORMAL, 4, 9);
                    Input src = c.input(from, Layout.TRANSPOSED, Domain.CAST, 1, 9);
                    Tensor returned = t.tensor().copyFrom(src.tensor());
                    checkWritten(c, dt, t, returned, src.values().cast(dt).broadcastTo(4, 9), null, Tolerance.exact());
                }));
            }
        }
        return cases;
    }
}
