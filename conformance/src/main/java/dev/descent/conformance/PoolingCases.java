package dev.descent.conformance;

import dev.descent.core.DType;
import dev.descent.core.Pool2dOptions;
import dev.descent.core.Shape;
import dev.descent.core.Tensor;
import dev.descent.core.ValuesAndIndices;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;

/**
 * Max, average and adaptive average pooling and their gradients against {@link RefConvolution}:
 * overlapping windows, strides larger than the kernel, padding up to half the kernel, odd and
 * rectangular sizes, batch 1, non-contiguous inputs (NHWC permuted to NCHW), ties (small
 * integers: the first maximum's index), NaN (PyTorch's scan), and averages with and without the
 * padding in the divisor.
 */
final class PoolingCases {
    private static final String CATEGORY = "pooling";

    record Window(String label, int[] x, Pool2dOptions options) {
        RefConvolution.Window reference() {
            Pool2dOptions o = options;
            return RefConvolution.Window.of(x, o.kernelH(), o.kernelW(), o.strideH(), o.strideW(), o.padH(), o.padW());
        }

        int[] out() {
            RefConvolution.Window w = reference();
            return new int[] {x[0], x[1], w.oh(), w.ow()};
        }
    }

    static final List<Window> WINDOWS = List.of(
            new Window("2x2 stride 2", new int[] {2, 3, 8, 6}, Pool2dOptions.of(2)),
            new Window("2x2 stride 2, odd sizes", new int[] {2, 2, 7, 9}, Pool2dOptions.of(2)),
            new Window("3x3 stride 2 padding 1 (overlapping)", new int[] {2, 2, 7, 8}, Pool2dOptions.of(3).stride(2).padding(1)),
            new Window("3x3 stride 1 padding 1", new int[] {1, 2, 5, 5}, Pool2dOptions.of(3).stride(1).padding(1)),
            new Window("stride 3 > kernel 2", new int[] {2, 2, 10, 11}, Pool2dOptions.of(2).stride(3)),
            new Window("rectangular 3x2, stride 1x2, padding 1x0", new int[] {1, 3, 6, 7},
                    Pool2dOptions.of(3, 2).stride(1, 2).padding(1, 0)),
            new Window("4x4 padding 2 (half the kernel)", new int[] {2, 1, 5, 6}, Pool2dOptions.of(4).stride(2).padding(2)),
            new Window("batch 1, whole plane", new int[] {1, 4, 3, 3}, Pool2dOptions.of(3)),
            new Window("1x1 window", new int[] {2, 2, 3, 4}, Pool2dOptions.of(1)));

    private static final int[][][] ADAPTIVE = {
        {{2, 3, 7, 9}, {3, 4}}, {{2, 2, 5, 5}, {1, 1}}, {{1, 2, 4, 6}, {4, 6}}, {{2, 1, 3, 5}, {6, 7}},
        {{1, 3, 8, 8}, {2, 3}},
    };

    private PoolingCases() {
    }

    static Stream<DynamicNode> pooling(Harness h) {
        List<DynamicNode> max = new ArrayList<>();
        List<DynamicNode> maxGrad = new ArrayList<>();
        List<DynamicNode> avg = new ArrayList<>();
        List<DynamicNode> avgGrad = new ArrayList<>();
        List<DynamicNode> adaptive = new ArrayList<>();
        List<DynamicNode> adaptiveGrad = new ArrayList<>();
        for (DType dt : h.floats()) {
            for (Window w : WINDOWS) {
                for (boolean nhwc : new boolean[] {false, true}) {
                    max.add(maxPool(h, dt, w, Domain.NORMAL, nhwc));
                    maxGrad.add(maxPoolGrad(h, dt, w, nhwc));
                    for (boolean include : new boolean[] {true, false}) {
                        avg.add(avgPool(h, dt, w, include, nhwc));
                        avgGrad.add(avgPoolGrad(h, dt, w, include, nhwc));
                    }
                }
                max.add(maxPool(h, dt, w, Domain.SMALL_INTS, false));
            }
            max.add(maxPoolNaN(h, dt));
            for (int[][] a : ADAPTIVE) {
                for (boolean nhwc : new boolean[] {false, true}) {
                    adaptive.add(adaptive(h, dt, a[0], a[1], nhwc));
                    adaptiveGrad.add(adaptiveGrad(h, dt, a[0], a[1], nhwc));
                }
            }
        }
        return Stream.of(DynamicContainer.dynamicContainer("maxPool2d", max),
                DynamicContainer.dynamicContainer("maxPool2dInputGrad", maxGrad),
                DynamicContainer.dynamicContainer("avgPool2d", avg),
                DynamicContainer.dynamicContainer("avgPool2dInputGrad", avgGrad),
                DynamicContainer.dynamicContainer("adaptiveAvgPool2d", adaptive),
                DynamicContainer.dynamicContainer("adaptiveAvgPool2dInputGrad", adaptiveGrad),
                DynamicContainer.dynamicContainer("errors", errors(h)));
    }

    /** Wrong calls: each throws IllegalArgumentException naming the op and what was given. */
    private static List<DynamicNode> errors(Harness h) {
        DType f = DType.FLOAT32;
        List<DynamicNode> cases = new ArrayList<>();
        cases.add(ConvolutionCases.error(h, "maxPool2d", "a window larger than the padded input",
                c -> ConvolutionCases.zeros(c, f, 1, 2, 2, 3).maxPool2d(Pool2dOptions.of(3).padding(0)), "maxPool2d",
                "window 3x3", "padded input 2x3", "[1, 2, 2, 3]"));
        cases.add(ConvolutionCases.error(h, "avgPool2d", "padding of more than half the kernel",
                c -> Pool2dOptions.of(3).padding(2), "padding 2 x 2", "half the kernel 3 x 3"));
        cases.add(ConvolutionCases.error(h, "avgPool2d", "an input of rank 3",
                c -> ConvolutionCases.zeros(c, f, 2, 4, 4).avgPool2d(Pool2dOptions.of(2)), "avgPool2d", "[N, C, H, W]",
                "[2, 4, 4]"));
        cases.add(ConvolutionCases.error(h, "maxPool2dInputGrad", "int32 indices",
                c -> Tensor.maxPool2dInputGrad(ConvolutionCases.zeros(c, f, 1, 1, 2, 2),
                        ConvolutionCases.zeros(c, DType.INT32, 1, 1, 2, 2), Shape.of(1, 1, 4, 4), Pool2dOptions.of(2)),
                "maxPool2dInputGrad",
                "int64", "int32"));
        cases.add(ConvolutionCases.error(h, "adaptiveAvgPool2d", "an output size of 0",
                c -> ConvolutionCases.zeros(c, f, 1, 1, 4, 4).adaptiveAvgPool2d(0, 2), "adaptiveAvgPool2d", "0x2"));
        return cases;
    }

    private static Tensor input(CaseContext c, DType dt, RefArray v, boolean nhwc) {
        return nhwc ? ConvolutionCases.nhwc(c, dt, v) : c.tensor(dt, v);
    }

    private static String layout(boolean nhwc) {
        return nhwc ? ", NHWC permuted to NCHW" : "";
    }

    private static DynamicNode maxPool(Harness h, DType dt, Window w, Domain domain, boolean nhwc) {
        String name = String.format("maxPool2d %s %s x%s (%s)%s%s gives the reference's values and indices", dt,
                w.label(), Harness.dims(w.x()), w.options(), domain == Domain.SMALL_INTS ? ", ties" : "", layout(nhwc));
        return h.test(CATEGORY, "maxPool2d", name, c -> {
            RefArray xv = c.draw(dt, domain, w.x());
            RefArray[] r = RefConvolution.maxPool(xv, w.reference());
            try (ValuesAndIndices got = input(c, dt, xv, nhwc).maxPool2dWithIndices(w.options())) {
                c.expect(got.values(), dt, r[0]);
                c.expect(got.indices(), DType.INT64, r[1]);
            }
            c.expect(input(c, dt, xv, nhwc).maxPool2d(w.options()), dt, r[0]);
        });
    }

    private static DynamicNode maxPoolNaN(Harness h, DType dt) {
        String name = "maxPool2d " + dt + " windows holding NaN give NaN at PyTorch's index";
        return h.test(CATEGORY, "maxPool2d", name, c -> {
            double nan = Double.NaN;
            RefArray xv = RefArray.of(new int[] {1, 1, 4, 4}, 1, nan, 2, 3, nan, 5, 9, 9, 4, 4, -1, nan, 4, 0, nan, 7);
            RefArray[] r = RefConvolution.maxPool(xv, RefConvolution.Window.of(xv.shape(), 2, 2, 2, 2, 0, 0));
            try (ValuesAndIndices got = c.tensor(dt, xv).maxPool2dWithIndices(Pool2dOptions.of(2))) {
                c.expect(got.values(), dt, r[0]);
                c.expect(got.indices(), DType.INT64, r[1]);
            }
        });
    }

    private static DynamicNode maxPoolGrad(Harness h, DType dt, Window w, boolean strided) {
        String name = String.format("maxPool2dInputGrad %s %s x%s (%s)%s adds each gradient at its index", dt,
                w.label(), Harness.dims(w.x()), w.options(), strided ? ", strided gradient" : "");
        return h.test(CATEGORY, "maxPool2dInputGrad", name, c -> {
            RefArray xv = c.draw(dt, Domain.NORMAL, w.x());
            RefArray gv = c.draw(dt, Domain.NORMAL, w.out());
            RefArray[] pooled = RefConvolution.maxPool(xv, w.reference());
            Tensor indices;
            try (ValuesAndIndices got = c.tensor(dt, xv).maxPool2dWithIndices(w.options())) {
                indices = got.indices().copy();
            }
            Tensor gradOut = strided ? c.strided(dt, gv).tensor() : c.tensor(dt, gv);
            RefConvolution.Result r = RefConvolution.maxPoolGrad(gv, pooled[1], w.x());
            c.expect(Tensor.maxPool2dInputGrad(gradOut, indices, Shape.of(w.x()), w.options()), dt, r.value(), r.scale(),
                    Tolerance.sum(dt));
        });
    }

    private static DynamicNode avgPool(Harness h, DType dt, Window w, boolean include, boolean nhwc) {
        String name = String.format("avgPool2d %s %s x%s (%s), countIncludePad %s%s matches the reference", dt,
                w.label(), Harness.dims(w.x()), w.options(), include, layout(nhwc));
        return h.test(CATEGORY, "avgPool2d", name, c -> {
            RefArray xv = c.draw(dt, Domain.NORMAL, w.x());
            RefConvolution.Result r = RefConvolution.avgPool(xv, w.reference(), include);
            c.expect(input(c, dt, xv, nhwc).avgPool2d(w.options().countIncludePad(include)), dt, r.value(), r.scale(),
                    Tolerance.sum(dt));
        });
    }

    private static DynamicNode avgPoolGrad(Harness h, DType dt, Window w, boolean include, boolean strided) {
        String name = String.format("avgPool2dInputGrad %s %s x%s (%s), countIncludePad %s%s matches the reference",
                dt, w.label(), Harness.dims(w.x()), w.options(), include, strided ? ", strided gradient" : "");
        return h.test(CATEGORY, "avgPool2dInputGrad", name, c -> {
            RefArray gv = c.draw(dt, Domain.NORMAL, w.out());
            Tensor gradOut = strided ? c.strided(dt, gv).tensor() : c.tensor(dt, gv);
            RefConvolution.Result r = RefConvolution.avgPoolGrad(gv, w.reference(), include, w.x());
            c.expect(Tensor.avgPool2dInputGrad(gradOut, Shape.of(w.x()), w.options().countIncludePad(include)), dt,
                    r.value(), r.scale(), Tolerance.sum(dt));
        });
    }

    private static DynamicNode adaptive(Harness h, DType dt, int[] x, int[] size, boolean nhwc) {
        String name = String.format("adaptiveAvgPool2d %s x%s to %dx%d%s matches the reference", dt, Harness.dims(x),
                size[0], size[1], layout(nhwc));
        return h.test(CATEGORY, "adaptiveAvgPool2d", name, c -> {
            RefArray xv = c.draw(dt, Domain.NORMAL, x);
            RefConvolution.Result r = RefConvolution.adaptiveAvgPool(xv, size[0], size[1]);
            c.expect(input(c, dt, xv, nhwc).adaptiveAvgPool2d(size[0], size[1]), dt, r.value(), r.scale(),
                    Tolerance.sum(dt));
        });
    }

    private static DynamicNode adaptiveGrad(Harness h, DType dt, int[] x, int[] size, boolean strided) {
        String name = String.format("adaptiveAvgPool2dInputGrad %s x%s to %dx%d%s matches the reference", dt,
                Harness.dims(x), size[0], size[1], strided ? ", strided gradient" : "");
        return h.test(CATEGORY, "adaptiveAvgPool2dInputGrad", name, c -> {
            int[] out = {x[0], x[1], size[0], size[1]};
            RefArray gv = c.draw(dt, Domain.NORMAL, out);
            Tensor gradOut = strided ? c.strided(dt, gv).tensor() : c.tensor(dt, gv);
            RefConvolution.Result r = RefConvolution.adaptiveAvgPoolGrad(gv, x);
            c.expect(Tensor.adaptiveAvgPool2dInputGrad(gradOut, Shape.of(x)), dt, r.value(), r.scale(),
                    Tolerance.sum(dt));
        });
    }
}
