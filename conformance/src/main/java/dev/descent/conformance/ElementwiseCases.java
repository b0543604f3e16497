package dev.descent.conformance;

import static dev.descent.conformance.Harness.dims;

import dev.descent.core.DType;
import dev.descent.core.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;

/**
 * Elementwise ops: binary (tensor and scalar operands, broadcasting), unary, clamp and where.
 * Each op's reference, domain and tolerance come from its row in {@link ElementwiseOps}.
 */
final class ElementwiseCases {
    private static final String CATEGORY = "elementwise";
    private static final Layout[][] PAIR_LAYOUTS = {
        {Layout.TRANSPOSED, Layout.STRIDED}, {Layout.STRIDED, Layout.EXPANDED}, {Layout.EXPANDED, Layout.TRANSPOSED},
    };
    private static final Layout[] LAYOUTS = {Layout.TRANSPOSED, Layout.STRIDED, Layout.EXPANDED};

    /** Operand shapes: scalars, empties, size-1 dims, broadcasting each way, odd sizes. */
    static final int[][][] SHAPE_PAIRS = {
        {{}, {}}, {{}, {5}}, {{7}, {}}, {{1}, {1}}, {{0}, {0}}, {{0, 3}, {3}}, {{3, 0}, {1}}, {{2, 0}, {0}},
        {{33}, {33}}, {{4, 1}, {1, 5}}, {{5, 4}, {4}}, {{4}, {5, 4}}, {{2, 3, 4}, {3, 1}}, {{1, 3, 1}, {2, 1, 4}},
        {{7, 1, 33}, {1, 5, 1}}, {{6, 257}, {6, 257}},
    };
    /** Over 2^17 elements, to cross a backend's threading threshold. */
    static final int[][][] LARGE_PAIRS = {{{513, 257}, {513, 257}}, {{513, 257}, {257}}, {{1, 257}, {513, 1}}};
    static final int[][] UNARY_SHAPES = {{}, {0}, {1}, {7}, {33, 1}, {3, 0, 2}, {4, 257}, {2, 3, 5}};
    static final int[][] LARGE_SHAPES = {{131075}, {257, 513}};

    private ElementwiseCases() {
    }

    static Stream<DynamicNode> binaryOps(Harness h) {
        List<DynamicNode> ops = new ArrayList<>();
        for (ElementwiseOps.Binary b : ElementwiseOps.binaries()) {
            List<DynamicNode> cases = new ArrayList<>();
            for (DType dt : b.floatingOnly() ? h.floats() : h.all()) {
                for (int i = 0; i < SHAPE_PAIRS.length; i++) {
                    cases.add(binaryCase(h, b, dt, SHAPE_PAIRS[i], Layout.CONTIGUOUS, Layout.CONTIGUOUS));
                    Layout[] l = PAIR_LAYOUTS[i % PAIR_LAYOUTS.length];
                    cases.add(binaryCase(h, b, dt, SHAPE_PAIRS[i], l[0], l[1]));
                }
                for (int[][] pair : LARGE_PAIRS) {
                    cases.add(binaryCase(h, b, dt, pair, Layout.CONTIGUOUS, Layout.CONTIGUOUS));
                }
                cases.add(binaryCase(h, b, dt, LARGE_PAIRS[0], Layout.TRANSPOSED, Layout.STRIDED));
                cases.add(binaryCase(h, b, dt, LARGE_PAIRS[1], Layout.STRIDED, Layout.EXPANDED));
            }
            ops.add(DynamicContainer.dynamicContainer(b.name(), cases));
        }
        return ops.stream();
    }

    private static DynamicNode binaryCase(Harness h, ElementwiseOps.Binary b, DType dt, int[][] shapes, Layout la, Layout lb) {
        String name = String.format("%s %s %s(%s) with %s(%s) matches the reference", b.name(), dt, dims(shapes[0]),
                la, dims(shapes[1]), lb);
        return h.test(CATEGORY, b.name(), name, c -> {
            Input x = c.input(dt, la, b.left(), shapes[0]);
            Input y = c.input(dt, lb, b.right(), shapes[1]);
            Tensor got = b.op().apply(x.tensor(), y.tensor());
            c.expect(got, dt, RefArray.zip(x.values(), y.values(), b.ref()), b.tolerance(dt));
        });
    }

    static Stream<DynamicNode> scalarOps(Harness h) {
        int[][] shapes = {{}, {0}, {7}, {4, 33}, {513, 257}};
        List<DynamicNode> ops = new ArrayList<>();
        for (ElementwiseOps.Binary b : ElementwiseOps.binaries()) {
            List<DynamicNode> cases = new ArrayList<>();
            for (DType dt : b.floatingOnly() ? h.floats() : h.all()) {
                for (int i = 0; i < shapes.length; i++) {
                    int[] shape = shapes[i];
                    for (Layout layout : new Layout[] {Layout.CONTIGUOUS, LAYOUTS[i % LAYOUTS.length]}) {
                        String name = String.format("%s %s %s(%s) with a scalar matches the reference", b.name(), dt,
                                dims(shape), layout);
                        cases.add(h.test(CATEGORY, b.name() + "(scalar)", name, c -> {
                            Input x = c.input(dt, layout, b.left(), shape);
                            double s = b.right().draw(c.gen(), dt);
                            Tensor got = b.scalarOp().apply(x.tensor(), s);
                            c.expect(got, dt, x.values().map(v -> b.ref().applyAsDouble(v, s)), b.tolerance(dt));
                        }));
                    }
                }
            }
            ops.add(DynamicContainer.dynamicContainer(b.name() + " with a scalar", cases));
        }
        return ops.stream();
    }

    static Stream<DynamicNode> unaryOps(Harness h) {
        List<DynamicNode> ops = new ArrayList<>();
        for (ElementwiseOps.Unary u : ElementwiseOps.unaries()) {
            List<DynamicNode> cases = new ArrayList<>();
            for (DType dt : u.floatingOnly() ? h.floats() : h.all()) {
                List<int[]> shapes = new ArrayList<>(List.of(UNARY_SHAPES));
                shapes.addAll(List.of(LARGE_SHAPES));
                for (int i = 0; i < shapes.size(); i++) {
                    cases.add(unaryCase(h, u, dt, shapes.get(i), Layout.CONTIGUOUS));
                    cases.add(unaryCase(h, u, dt, shapes.get(i), LAYOUTS[i % LAYOUTS.length]));
                }
            }
            ops.add(DynamicContainer.dynamicContainer(u.name(), cases));
        }
        return ops.stream();
    }

    private static DynamicNode unaryCase(Harness h, ElementwiseOps.Unary u, DType dt, int[] shape, Layout layout) {
        String name = String.format("%s %s %s(%s) matches the reference", u.name(), dt, dims(shape), layout);
        return h.test(CATEGORY, u.name(), name, c -> {
            Input x = c.input(dt, layout, u.domain(), shape);
            c.expect(u.op().apply(x.tensor()), dt, x.values().map(u.ref()), u.tolerance(dt));
        });
    }

    static Stream<DynamicNode> clampAndWhere(Harness h) {
        List<DynamicNode> clamp = new ArrayList<>();
        int[][] shapes = {{}, {0}, {7}, {4, 33}, {3, 1, 5}, {513, 257}};
        for (DType dt : h.all()) {
            double lo = dt.isFloating() ? -1.25 : -10;
            double hi = dt.isFloating() ? 1.5 : 20;
            for (int i = 0; i < shapes.length; i++) {
                int[] shape = shapes[i];
                for (Layout layout : new Layout[] {Layout.CONTIGUOUS, LAYOUTS[i % LAYOUTS.length]}) {
                    String name = String.format("clamp %s %s(%s) to [%s, %s] limits every element", dt, dims(shape),
                            layout, lo, hi);
                    clamp.add(h.test(CATEGORY, "clamp", name, c -> {
                        Input x = c.input(dt, layout, Domain.NORMAL, shape);
                        c.expect(x.tensor().clamp(lo, hi), dt,
                                x.values().map(v -> RefArray.minNaN(RefArray.maxNaN(v, lo), hi)));
                    }));
                }
            }
            String name = String.format("clamp %s to [0.5, 0.5] (lo == hi) gives 0.5 everywhere", dt);
            clamp.add(h.test(CATEGORY, "clamp", name, c -> {
                Input x = c.input(dt, Layout.CONTIGUOUS, Domain.NORMAL, 5, 3);
                double v = dt.isFloating() ? 0.5 : 2;
                c.expect(x.tensor().clamp(v, v), dt, RefArray.full(v, 5, 3));
            }));
        }
        List<DynamicNode> where = new ArrayList<>();
        int[][][] triples = {
            {{}, {}, {}}, {{5}, {5}, {5}}, {{4, 1}, {1, 5}, {4, 5}}, {{2, 3, 4}, {4}, {3, 1}}, {{1}, {0}, {0}},
            {{33, 7}, {}, {33, 7}}, {{7, 1}, {7, 33}, {}}, {{513, 257}, {257}, {513, 1}},
        };
        List<DType> types = h.all();
        for (DType dt : types) {
            for (int i = 0; i < triples.length; i++) {
                int[][] s = triples[i];
                DType condType = types.get(i % types.size());
                Layout lc = i % 2 == 0 ? Layout.CONTIGUOUS : LAYOUTS[i % LAYOUTS.length];
                Layout la = i % 3 == 0 ? Layout.CONTIGUOUS : LAYOUTS[(i + 1) % LAYOUTS.length];
                String name = String.format("where %s cond %s%s(%s) picks from %s and %s", dt, condType, dims(s[0]), lc,
                        dims(s[1]), dims(s[2]));
                where.add(h.test(CATEGORY, "where", name, c -> {
                    Input cond = c.input(condType, lc, Domain.SMALL_INTS, s[0]);
                    Input a = c.input(dt, la, Domain.NORMAL, s[1]);
                    Input b = c.input(dt, Layout.CONTIGUOUS, Domain.NORMAL, s[2]);
                    c.expect(Tensor.where(cond.tensor(), a.tensor(), b.tensor()), dt,
                            RefArray.where(cond.values(), a.values(), b.values()));
                }));
            }
        }
        return Stream.of(DynamicContainer.dynamicContainer("clamp", clamp),
                DynamicContainer.dynamicContainer("where", where));
    }

    /** NaN, infinities and signed zeros, where the definitions (NaN wins, saturation) show. */
    static Stream<DynamicNode> specialValues(Harness h) {
        double nan = Double.NaN;
        double inf = Double.POSITIVE_INFINITY;
        RefArray left = RefArray.of(new int[] {9}, nan, 1, -inf, inf, 0, nan, -0.0, 3, -2);
        RefArray right = RefArray.of(new int[] {9}, 1, nan, 0, 5, -0.0, nan, 0, inf, -inf);
        RefArray unaryIn = RefArray.of(new int[] {12}, nan, inf, -inf, 0, -0.0, 1, -1, 100, -100, 1000, -1000, 1e-30);
        List<DynamicNode> cases = new ArrayList<>();
        for (DType dt : h.floats()) {
            for (ElementwiseOps.Binary b : ElementwiseOps.binaries()) {
                if (b.name().equals("pow")) {
                    continue;
                }
                String name = String.format("%s %s on NaN, infinities and signed zeros follows its definition",
                        b.name(), dt);
                cases.add(h.test("special", b.name(), name, c -> {
                    RefArray x = left.cast(dt);
                    RefArray y = right.cast(dt);
                    Tensor got = b.op().apply(c.tensor(dt, x), c.tensor(dt, y));
                    c.expect(got, dt, RefArray.zip(x, y, b.ref()), b.tolerance(dt));
                }));
            }
            for (ElementwiseOps.Unary u : ElementwiseOps.unaries()) {
                String name = String.format("%s %s on NaN, infinities, zeros and large values follows its definition",
                        u.name(), dt);
                cases.add(h.test("special", u.name(), name, c -> {
                    RefArray x = unaryIn.cast(dt);
                    c.expect(u.op().apply(c.tensor(dt, x)), dt, x.map(u.ref()), u.tolerance(dt));
                }));
            }
            cases.add(h.test("special", "clamp", "clamp " + dt + " keeps NaN and limits infinities", c -> {
                RefArray x = unaryIn.cast(dt);
                c.expect(c.tensor(dt, x).clamp(-2, 3), dt, x.map(v -> RefArray.minNaN(RefArray.maxNaN(v, -2), 3)));
            }));
        }
        return Stream.of(DynamicContainer.dynamicContainer("special values", cases));
    }
}
