package dev.descent.conformance;

import static dev.descent.conformance.Harness.dims;

import dev.descent.core.DType;
import dev.descent.core.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;

/** Casts between dtypes (round to nearest, truncate toward zero), host read-backs and item(). */
final class ConversionCases {
    private static final String CATEGORY = "cast";
    private static final int[][] SHAPES = {{}, {0}, {7}, {4, 33}, {513, 257}};
    private static final Layout[] LAYOUTS = {Layout.CONTIGUOUS, Layout.TRANSPOSED, Layout.STRIDED, Layout.EXPANDED};

    private ConversionCases() {
    }

    static Stream<DynamicNode> casts(Harness h) {
        List<DynamicNode> to = new ArrayList<>();
        int k = 0;
        for (DType from : h.all()) {
            for (DType target : h.all()) {
                for (int[] shape : SHAPES) {
                    Layout layout = LAYOUTS[k++ % LAYOUTS.length];
                    String name = String.format("to(%s) of %s %s(%s) %s", target, from, dims(shape), layout,
                            rule(from, target));
                    to.add(h.test(CATEGORY, "to(DType)", name, c -> {
                        Input x = c.input(from, layout, Domain.CAST, shape);
                        c.expect(x.tensor().to(target), target, x.values().cast(target));
                    }));
                }
            }
        }
        List<DynamicNode> host = new ArrayList<>();
        for (DType from : h.all()) {
            String name = String.format("toFloatArray, toDoubleArray, toIntArray and toLongArray of %s convert as casts do",
                    from);
            host.add(h.test(CATEGORY, "to*Array", name, c -> {
                Input x = c.input(from, Layout.TRANSPOSED, Domain.CAST, 5, 9);
                float[] f = x.tensor().toFloatArray();
                double[] d = x.tensor().toDoubleArray();
                int[] i = x.tensor().toIntArray();
                long[] l = x.tensor().toLongArray();
                double[] fd = new double[f.length];
                double[] id = new double[i.length];
                double[] ld = new double[l.length];
                for (int j = 0; j < f.length; j++) {
                    fd[j] = f[j];
                    id[j] = i[j];
                    ld[j] = l[j];
                }
                RefArray v = x.values();
                c.expectValues(fd, v.cast(DType.FLOAT32), null, Tolerance.exact());
                c.expectValues(d, v, null, Tolerance.exact());
                c.expectValues(id, v.cast(DType.INT32), null, Tolerance.exact());
                c.expectValues(ld, v.cast(DType.INT64), null, Tolerance.exact());
            }));
            for (int[] shape : new int[][] {{}, {1}, {1, 1}}) {
                name = String.format("item() of %s %s returns its one value", from, dims(shape));
                host.add(h.test(CATEGORY, "item", name, c -> {
                    Input x = c.input(from, Layout.STRIDED, Domain.CAST, shape);
                    c.expectValues(new double[] {x.tensor().item()}, x.values().reshape(), null, Tolerance.exact());
                }));
            }
        }
        for (Layout layout : new Layout[] {Layout.CONTIGUOUS, Layout.STRIDED}) {
            String name = "to(device) of a " + layout + " tensor onto its own device is a view of it";
            host.add(h.test(CATEGORY, "to(Device)", name, c -> {
                Input x = c.input(DType.FLOAT32, layout, Domain.NORMAL, 3, 5);
                Tensor moved = x.tensor().to(c.device());
                c.expect(moved, DType.FLOAT32, x.values());
                moved.fill(9);
                c.expect(x.base(), DType.FLOAT32, x.baseValues().scatter(x.positions(), RefArray.full(9, 3, 5)));
            }));
        }
        for (DType dt : h.all()) {
            for (int[] shape : new int[][] {{}, {0, 3}, {2, 3}, {40, 50}}) {
                String name = "toString() of " + dt + " " + dims(shape) + " names the dtype and shape, also when closed";
                host.add(h.test(CATEGORY, "toString", name, c -> {
                    Input x = c.input(dt, Layout.TRANSPOSED, Domain.NORMAL, shape);
                    String open = x.tensor().toString();
                    String header = dt + dims(shape);
                    c.expectThat(open.contains(header), "toString() gave: " + open);
                    x.tensor().close();
                    String closed = x.tensor().toString();
                    c.expectThat(closed.contains(header) && closed.contains("closed"), "closed toString() gave: " + closed);
                }));
            }
        }
        return Stream.of(DynamicContainer.dynamicContainer("to(DType)", to),
                DynamicContainer.dynamicContainer("host copies", host));
    }

    private static String rule(DType from, DType to) {
        if (from == to) {
            return "keeps every value";
        }
        if (from.isFloating() && !to.isFloating()) {
            return "truncates toward zero";
        }
        if (to == DType.FLOAT32 && from != DType.FLOAT32) {
            return "rounds to nearest float";
        }
        return "keeps every value";
    }
}
