package dev.descent.conformance;

import static dev.descent.conformance.Harness.dims;

import dev.descent.core.DType;
import dev.descent.core.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;

/** Joining (concat, stack) and indexing (gather, indexSelect). */
final class IndexingCases {
    private static final String CATEGORY = "indexing";
    private static final Layout[] LAYOUTS = {Layout.CONTIGUOUS, Layout.TRANSPOSED, Layout.STRIDED, Layout.EXPANDED};

    private IndexingCases() {
    }

    static Stream<DynamicNode> joining(Harness h) {
        int[][][] concatParts = {
            {{2, 3}, {4, 3}}, {{3, 2}, {3, 5}, {3, 0}}, {{2, 3, 4}, {2, 1, 4}, {2, 3, 4}}, {{5}}, {{0, 3}, {2, 3}},
            {{300, 257}, {213, 257}}, {{513, 100}, {513, 157}},
        };
        int[] concatAxes = {0, -1, 1, 0, 0, 0, 1};
        List<DynamicNode> concat = new ArrayList<>();
        int k = 0;
        for (DType dt : h.all()) {
            for (int i = 0; i < concatParts.length; i++) {
                int[][] parts = concatParts[i];
                int axis = concatAxes[i];
                int start = k++;
                StringBuilder shapes = new StringBuilder();
                for (int j = 0; j < parts.length; j++) {
                    shapes.append(j == 0 ? "" : ", ").append(dims(parts[j])).append('(')
                            .append(LAYOUTS[(start + j) % LAYOUTS.length]).append(')');
                }
                String name = String.format("concat %s of %s along axis %d joins them in order", dt, shapes, axis);
                concat.add(h.test(CATEGORY, "concat", name, c -> {
                    List<Tensor> tensors = new ArrayList<>();
                    List<RefArray> refs = new ArrayList<>();
                    for (int j = 0; j < parts.length; j++) {
                        Input x = c.input(dt, LAYOUTS[(start + j) % LAYOUTS.length], Domain.NORMAL, parts[j]);
                        tensors.add(x.tensor());
                        refs.add(x.values());
                    }
                    c.expect(Tensor.concat(tensors, axis), dt, RefArray.concat(refs, axis));
                }));
            }
        }
        int[][] stackShapes = {{2, 3}, {2, 3}, {2, 3}, {2, 3}, {}, {0, 3}, {513, 257}};
        int[] stackAxes = {0, 1, 2, -1, 0, 1, 0};
        List<DynamicNode> stack = new ArrayList<>();
        for (DType dt : h.all()) {
            for (int i = 0; i < stackShapes.length; i++) {
                int[] shape = stackShapes[i];
                int axis = stackAxes[i];
                int count = i == stackShapes.length - 1 ? 2 : 3;
                int start = k++;
                String name = String.format("stack %s of %d tensors %s along new axis %d", dt, count, dims(shape), axis);
                stack.add(h.test(CATEGORY, "stack", name, c -> {
                    List<Tensor> tensors = new ArrayList<>();
                    List<RefArray> refs = new ArrayList<>();
                    for (int j = 0; j < count; j++) {
                        Input x = c.input(dt, LAYOUTS[(start + j) % LAYOUTS.length], Domain.NORMAL, shape);
                        tensors.add(x.tensor());
                        refs.add(x.values());
                    }
                    c.expect(Tensor.stack(tensors, axis), dt, RefArray.stack(refs, axis));
                }));
            }
        }
        return Stream.of(DynamicContainer.dynamicContainer("concat", concat),
                DynamicContainer.dynamicContainer("stack", stack));
    }

    /** Random indices in [0, bound) of {@code shape}, as {@code dtype}, laid out as {@code layout}. */
    private static Input indices(CaseContext c, DType dtype, Layout layout, int bound, int... shape) {
        double[] v = new double[RefArray.numel(shape)];
        for (int i = 0; i < v.length; i++) {
            v[i] = c.gen().nextInt(bound);
        }
        RefArray values = RefArray.of(shape, v);
        return switch (layout) {
            case TRANSPOSED -> shape.length >= 2 ? c.transposed(dtype, values) : c.contiguous(dtype, values, "contiguous");
            case STRIDED -> c.strided(dtype, values);
            default -> c.contiguous(dtype, values, "contiguous");
        };
    }

    static Stream<DynamicNode> indexing(Harness h) {
        int[][] srcShapes = {{4, 5}, {4, 5}, {3, 4, 5}, {7}, {7}, {3, 4}, {513, 257}};
        int[][] indexShapes = {{3, 5}, {4, 2}, {2, 7, 3}, {10}, {0}, {3, 0}, {513, 257}};
        int[] gatherAxes = {0, 1, 1, 0, 0, -1, 1};
        List<DType> indexTypes = List.of(DType.INT64, DType.INT32);
        List<DynamicNode> gather = new ArrayList<>();
        int k = 0;
        for (DType dt : h.all()) {
            for (int i = 0; i < srcShapes.length; i++) {
                int[] src = srcShapes[i];
                int[] idx = indexShapes[i];
                int axis = gatherAxes[i];
                DType it = indexTypes.get(k % 2);
                Layout ls = LAYOUTS[k % LAYOUTS.length];
                Layout li = LAYOUTS[(k + 1) % 3];
                k++;
                String name = String.format("gather %s %s(%s) along axis %d with %s indices %s(%s) picks"
                        + " src[.., index, ..]", dt, dims(src), ls, axis, it, dims(idx), li);
                gather.add(h.test(CATEGORY, "gather", name, c -> {
                    Input x = c.input(dt, ls, Domain.NORMAL, src);
                    int a = axis < 0 ? axis + src.length : axis;
                    Input index = indices(c, it, li, src[a], idx);
                    c.expect(x.tensor().gather(axis, index.tensor()), dt, x.values().gather(axis, index.values()));
                }));
            }
        }
        int[][] selShapes = {{5, 4}, {5, 4}, {3, 4, 5}, {5, 4}, {1000, 131}};
        int[] selAxes = {0, 1, -1, 0, 0};
        int[] selCounts = {4, 2, 3, 0, 1000};
        List<DynamicNode> select = new ArrayList<>();
        for (DType dt : h.all()) {
            for (int i = 0; i < selShapes.length; i++) {
                int[] src = selShapes[i];
                int axis = selAxes[i];
                int count = selCounts[i];
                DType it = indexTypes.get(k % 2);
                Layout ls = LAYOUTS[k % LAYOUTS.length];
                Layout li = k % 2 == 0 ? Layout.CONTIGUOUS : Layout.STRIDED;
                k++;
                String name = String.format("indexSelect %s %s(%s) along axis %d with %d %s indices(%s) picks those"
                        + " entries, repeats included", dt, dims(src), ls, axis, count, it, li);
                select.add(h.test(CATEGORY, "indexSelect", name, c -> {
                    Input x = c.input(dt, ls, Domain.NORMAL, src);
                    int a = axis < 0 ? axis + src.length : axis;
                    Input index = indices(c, it, li, src[a], count);
                    c.expect(x.tensor().indexSelect(axis, index.tensor()), dt,
                            x.values().indexSelect(axis, index.values()));
                }));
            }
        }
        return Stream.of(DynamicContainer.dynamicContainer("gather", gather),
                DynamicContainer.dynamicContainer("indexSelect", select));
    }
}
