package dev.descent.conformance;

import static dev.descent.conformance.Harness.dims;

import dev.descent.core.DType;
import dev.descent.core.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;

/** Matrix products: vector and matrix operands, batches with broadcast batch dims, empty sizes, strided operands. */
final class MatmulCases {
    private static final int[][][] PAIRS = {
        {{7}, {7}}, {{5, 7}, {7}}, {{7}, {7, 3}}, {{1, 1}, {1, 1}}, {{33, 17}, {17, 9}}, {{3, 0}, {0, 4}},
        {{0, 5}, {5, 3}}, {{4, 5, 6}, {4, 6, 3}}, {{2, 1, 5, 6}, {3, 6, 4}}, {{4, 5, 6}, {6, 3}}, {{5, 6}, {4, 6, 3}},
        {{4, 5, 6}, {6}}, {{6}, {4, 6, 3}}, {{0, 5, 6}, {6, 3}}, {{257, 33}, {33, 65}}, {{129, 257}, {257, 130}},
    };
    private static final Layout[][] LAYOUTS = {
        {Layout.TRANSPOSED, Layout.CONTIGUOUS}, {Layout.CONTIGUOUS, Layout.TRANSPOSED},
        {Layout.TRANSPOSED, Layout.TRANSPOSED}, {Layout.STRIDED, Layout.STRIDED}, {Layout.EXPANDED, Layout.STRIDED},
        {Layout.CONTIGUOUS, Layout.EXPANDED},
    };

    private MatmulCases() {
    }

    static Stream<DynamicNode> matmul(Harness h) {
        List<DynamicNode> cases = new ArrayList<>();
        int k = 0;
        for (DType dt : h.floats()) {
            for (int[][] pair : PAIRS) {
                cases.add(matmulCase(h, dt, pair, Layout.CONTIGUOUS, Layout.CONTIGUOUS));
                for (int j = 0; j < 2; j++) {
                    Layout[] l = LAYOUTS[k++ % LAYOUTS.length];
                    cases.add(matmulCase(h, dt, pair, l[0], l[1]));
                }
            }
        }
        return Stream.of(DynamicContainer.dynamicContainer("matmul", cases));
    }

    private static DynamicNode matmulCase(Harness h, DType dt, int[][] pair, Layout la, Layout lb) {
        String name = String.format("matmul %s %s(%s) x %s(%s) matches the reference", dt, dims(pair[0]), la,
                dims(pair[1]), lb);
        return h.test("matmul", "matmul", name, c -> {
            Input a = c.input(dt, la, Domain.NORMAL, pair[0]);
            Input b = c.input(dt, lb, Domain.NORMAL, pair[1]);
            int inner = pair[1].length == 1 ? pair[1][0] : pair[1][pair[1].length - 2];
            double f = Tolerance.accumulation(inner);
            // Error scale (K + 4) * sum_k |a_ik| |b_kj|, the dot-product bound.
            RefArray scale = RefArray.matmul(a.values().map(Math::abs), b.values().map(Math::abs)).map(v -> v * f);
            c.expect(a.tensor().matmul(b.tensor()), dt, RefArray.matmul(a.values(), b.values()), scale,
                    Tolerance.sum(dt));
        });
    }
}
