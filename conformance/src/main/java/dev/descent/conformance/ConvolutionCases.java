package dev.descent.conformance;

import dev.descent.core.Conv2dOptions;
import dev.descent.core.DType;
import dev.descent.core.Shape;
import dev.descent.core.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;

/**
 * conv2d and its two gradients ({@code Tensor.conv2dInputGrad}, {@code Tensor.conv2dWeightGrad})
 * against {@link RefConvolution}, on the geometries where convolution code goes wrong: odd
 * spatial sizes, strides larger than the kernel, padding up to half the kernel, "same" padding
 * with odd and even kernels, dilation, groups (depthwise included), batch 1 and an empty batch,
 * 1×1 kernels, rectangular kernels, a batch larger than the weight gradient's slices, an image
 * large enough to be unfolded in several tiles, and non-contiguous operands (an NHWC tensor
 * permuted to NCHW, a transposed weight, a strided output gradient).
 */
final class ConvolutionCases {
    private static final String CATEGORY = "convolution";

    /**
     * One geometry.
     *
     * @param label what it exercises
     * @param x input [N, C, H, W]
     * @param w weight [O, C/groups, KH, KW]
     */
    record Geometry(String label, int[] x, int[] w, Conv2dOptions options, boolean bias) {
        RefConvolution.Geometry reference() {
            Conv2dOptions o = options;
            return RefConvolution.Geometry.of(x, w, o.strideH(), o.strideW(), o.padH(), o.padW(), o.same(),
                    o.dilationH(), o.dilationW(), o.groups());
        }

        int[] out() {
            RefConvolution.Geometry g = reference();
            return new int[] {x[0], w[0], g.oh(), g.ow()};
        }
    }

    static final List<Geometry> GEOMETRIES = List.of(
            new Geometry("3x3, odd sizes", new int[] {2, 3, 7, 9}, new int[] {4, 3, 3, 3}, Conv2dOptions.DEFAULT, true),
            new Geometry("3x3 padding 1", new int[] {2, 2, 5, 6}, new int[] {3, 2, 3, 3},
                    Conv2dOptions.DEFAULT.padding(1), true),
            new Geometry("5x5 padding 2 (half the kernel)", new int[] {1, 2, 6, 5}, new int[] {2, 2, 5, 5},
                    Conv2dOptions.DEFAULT.padding(2), false),
            new Geometry("stride 3 > kernel 2", new int[] {2, 2, 11, 10}, new int[] {3, 2, 2, 2},
                    Conv2dOptions.DEFAULT.stride(3), true),
            new Geometry("stride 2, padding 1", new int[] {2, 3, 8, 7}, new int[] {4, 3, 3, 3},
                    Conv2dOptions.DEFAULT.stride(2).padding(1), true),
            new Geometry("dilation 2", new int[] {2, 2, 9, 8}, new int[] {3, 2, 3, 3},
                    Conv2dOptions.DEFAULT.dilation(2).padding(1), true),
            new Geometry("dilation 2x3, stride 2x1", new int[] {1, 2, 11, 12}, new int[] {2, 2, 2, 3},
                    Conv2dOptions.DEFAULT.dilation(2, 3).stride(2, 1), false),
            new Geometry("padding same, 3x3", new int[] {2, 3, 7, 6}, new int[] {2, 3, 3, 3},
                    Conv2dOptions.DEFAULT.paddingSame(), true),
            new Geometry("padding same, even 4x2 (asymmetric)", new int[] {2, 2, 7, 5}, new int[] {3, 2, 4, 2},
                    Conv2dOptions.DEFAULT.paddingSame(), true),
            new Geometry("padding same, dilation 2", new int[] {1, 2, 6, 7}, new int[] {2, 2, 3, 2},
                    Conv2dOptions.DEFAULT.paddingSame().dilation(2), false),
            new Geometry("groups 2", new int[] {2, 4, 6, 5}, new int[] {6, 2, 3, 3},
                    Conv2dOptions.DEFAULT.groups(2).padding(1), true),
            new Geometry("depthwise (groups = channels), multiplier 2", new int[] {2, 3, 6, 6}, new int[] {6, 1, 3, 3},
                    Conv2dOptions.DEFAULT.groups(3).padding(1), true),
            new Geometry("batch 1", new int[] {1, 3, 5, 5}, new int[] {2, 3, 3, 3}, Conv2dOptions.DEFAULT, true),
            new Geometry("1x1 kernel", new int[] {2, 5, 4, 3}, new int[] {3, 5, 1, 1}, Conv2dOptions.DEFAULT, true),
            new Geometry("1x1 kernel, stride 2", new int[] {2, 3, 5, 6}, new int[] {4, 3, 1, 1},
                    Conv2dOptions.DEFAULT.stride(2), false),
            new Geometry("1x1 kernel, groups 2", new int[] {1, 4, 3, 3}, new int[] {2, 2, 1, 1},
                    Conv2dOptions.DEFAULT.groups(2), true),
            new Geometry("rectangular 3x1, padding 1x0", new int[] {2, 2, 5, 4}, new int[] {3, 2, 3, 1},
                    Conv2dOptions.DEFAULT.padding(1, 0), true),
            new Geometry("kernel as large as the padded input", new int[] {2, 1, 3, 2}, new int[] {2, 1, 5, 4},
                    Conv2dOptions.DEFAULT.padding(1, 1), true),
            new Geometry("1x1 input", new int[] {3, 2, 1, 1}, new int[] {2, 2, 1, 1}, Conv2dOptions.DEFAULT, true),
            new Geometry("batch of 37 (more than the weight gradient's slices)", new int[] {37, 2, 4, 4},
                    new int[] {3, 2, 3, 3}, Conv2dOptions.DEFAULT.padding(1), true),
            new Geometry("empty batch", new int[] {0, 2, 4, 4}, new int[] {3, 2, 3, 3}, Conv2dOptions.DEFAULT, true));

    /** Large enough that the CPU backend unfolds it in several tiles (more than 2^20 column elements). */
    private static final Geometry TILED = new Geometry("tiled: 16 channels of 92x92, 3x3", new int[] {1, 16, 92, 92},
            new int[] {2, 16, 3, 3}, Conv2dOptions.DEFAULT.padding(1), true);

    private ConvolutionCases() {
    }

    static Stream<DynamicNode> convolution(Harness h) {
        List<DynamicNode> forward = new ArrayList<>();
        List<DynamicNode> inputGrad = new ArrayList<>();
        List<DynamicNode> weightGrad = new ArrayList<>();
        for (DType dt : h.floats()) {
            for (Geometry g : GEOMETRIES) {
                for (Operands layout : Operands.values()) {
                    forward.add(forward(h, dt, g, layout));
                    inputGrad.add(inputGrad(h, dt, g, layout));
                    weightGrad.add(weightGrad(h, dt, g, layout));
                }
            }
        }
        forward.add(forward(h, DType.FLOAT32, TILED, Operands.CONTIGUOUS));
        inputGrad.add(inputGrad(h, DType.FLOAT32, TILED, Operands.CONTIGUOUS));
        weightGrad.add(weightGrad(h, DType.FLOAT32, TILED, Operands.PERMUTED));
        return Stream.of(DynamicContainer.dynamicContainer("conv2d", forward),
                DynamicContainer.dynamicContainer("conv2dInputGrad", inputGrad),
                DynamicContainer.dynamicContainer("conv2dWeightGrad", weightGrad),
                DynamicContainer.dynamicContainer("errors", errors(h)));
    }

    /** Wrong calls: each throws IllegalArgumentException naming the op and the shapes given. */
    private static List<DynamicNode> errors(Harness h) {
        DType f = DType.FLOAT32;
        Conv2dOptions d = Conv2dOptions.DEFAULT;
        List<DynamicNode> cases = new ArrayList<>();
        cases.add(error(h, "conv2d", "channel mismatch", c -> zeros(c, f, 2, 3, 5, 5).conv2d(zeros(c, f, 4, 2, 3, 3)),
                "conv2d", "[2, 3, 5, 5]", "[4, 2, 3, 3]", "3 channels", "expects 2"));
        cases.add(error(h, "conv2d", "a kernel larger than the padded input",
                c -> zeros(c, f, 1, 1, 2, 2).conv2d(zeros(c, f, 1, 1, 5, 5), null, d.padding(1)), "conv2d",
                "kernel 5x5", "padded input 4x4", "[1, 1, 2, 2]"));
        cases.add(error(h, "conv2d", "groups that do not divide the input channels",
                c -> zeros(c, f, 1, 4, 5, 5).conv2d(zeros(c, f, 3, 1, 3, 3), null, d.groups(3)), "conv2d",
                "groups 3", "4 channels", "[1, 4, 5, 5]"));
        cases.add(error(h, "conv2d", "groups that do not divide the output channels",
                c -> zeros(c, f, 1, 4, 5, 5).conv2d(zeros(c, f, 3, 2, 3, 3), null, d.groups(2)), "conv2d",
                "groups 2", "3 output channels", "[3, 2, 3, 3]"));
        cases.add(error(h, "conv2d", "a bias of the wrong size",
                c -> zeros(c, f, 1, 2, 5, 5).conv2d(zeros(c, f, 4, 2, 3, 3), zeros(c, f, 5), d), "conv2d", "bias [5]",
                "expected [4]"));
        cases.add(error(h, "conv2d", "an input of rank 3", c -> zeros(c, f, 2, 5, 5).conv2d(zeros(c, f, 4, 2, 3, 3)),
                "conv2d", "[N, C, H, W]", "[2, 5, 5]"));
        cases.add(error(h, "conv2d", "operands of two dtypes",
                c -> zeros(c, f, 1, 2, 5, 5).conv2d(zeros(c, DType.FLOAT64, 4, 2, 3, 3)), "conv2d", "float32",
                "float64"));
        cases.add(error(h, "conv2d", "padding same with stride 2", c -> d.paddingSame().stride(2), "same",
                "stride 2 x 2"));
        cases.add(error(h, "conv2dInputGrad", "an output gradient of the wrong shape",
                c -> Tensor.conv2dInputGrad(zeros(c, f, 1, 4, 4, 4), zeros(c, f, 4, 2, 3, 3), Shape.of(1, 2, 5, 5), d),
                "conv2dInputGrad", "[1, 4, 4, 4]", "[1, 4, 3, 3]"));
        return cases;
    }

    /** A call that must fail; the body builds its inputs. */
    @FunctionalInterface
    interface Failing {
        Object call(CaseContext c);
    }

    static DynamicNode error(Harness h, String op, String what, Failing call, String... fragments) {
        String name = what + " throws IllegalArgumentException naming " + String.join(", ", fragments);
        return h.test("error", op, name, c -> c.expectThrows(IllegalArgumentException.class, () -> call.call(c),
                fragments));
    }

    static Tensor zeros(CaseContext c, DType dt, int... shape) {
        return Tensor.zeros(c.device(), dt, shape);
    }

    /** How a case's operands lie in memory. */
    private enum Operands {
        CONTIGUOUS(""),
        /** NHWC inputs permuted to NCHW, weights stored [KW, KH, I, O], gradients strided. */
        PERMUTED(", non-contiguous operands"),
        /** Row-major, each starting one element into its storage (as a batch sliced from a larger tensor). */
        OFFSET(", operands at an offset");

        final String label;

        Operands(String label) {
            this.label = label;
        }
    }

    private static String name(String what, DType dt, Geometry g, Operands layout) {
        return String.format("%s %s %s x%s w%s (%s, %s)%s matches the reference", what, dt, g.label(),
                Harness.dims(g.x()), Harness.dims(g.w()), g.options(), g.bias() ? "bias" : "no bias", layout.label);
    }

    /** {@code values} as the case's layout asks; {@code permuted} lays out a permuted one. */
    private static Tensor laidOut(CaseContext c, DType dt, RefArray values, Operands layout,
            BiFunction<CaseContext, RefArray, Tensor> permuted) {
        return switch (layout) {
            case CONTIGUOUS -> c.tensor(dt, values);
            case PERMUTED -> permuted.apply(c, values);
            case OFFSET -> atOffset(c, dt, values);
        };
    }

    /** {@code values} row-major from the second element of a storage whose first holds NaN. */
    private static Tensor atOffset(CaseContext c, DType dt, RefArray values) {
        double[] stored = new double[values.numel() + 1];
        stored[0] = Double.NaN;
        System.arraycopy(values.data(), 0, stored, 1, values.numel());
        try (Tensor all = Tensor.of(c.device(), dt, stored, stored.length);
                Tensor tail = all.narrow(0, 1, values.numel())) {
            return tail.view(values.shape());
        }
    }

    private static DynamicNode forward(Harness h, DType dt, Geometry g, Operands layout) {
        return h.test(CATEGORY, "conv2d", name("conv2d", dt, g, layout), c -> {
            RefArray xv = c.draw(dt, Domain.NORMAL, g.x());
            RefArray wv = c.draw(dt, Domain.NORMAL, g.w());
            RefArray bv = g.bias() ? c.draw(dt, Domain.NORMAL, g.w()[0]) : null;
            Tensor x = laidOut(c, dt, xv, layout, (cc, v) -> nhwc(cc, dt, v));
            Tensor w = laidOut(c, dt, wv, layout, (cc, v) -> transposedWeight(cc, dt, v));
            Tensor b = bv == null ? null : laidOut(c, dt, bv, layout, (cc, v) -> c.strided(dt, v).tensor());
            RefConvolution.Result r = RefConvolution.conv2d(xv, wv, bv, g.reference());
            c.expect(x.conv2d(w, b, g.options()), dt, r.value(), r.scale(), Tolerance.sum(dt));
        });
    }

    private static DynamicNode inputGrad(Harness h, DType dt, Geometry g, Operands layout) {
        return h.test(CATEGORY, "conv2dInputGrad", name("conv2dInputGrad", dt, g, layout), c -> {
            RefArray gv = c.draw(dt, Domain.NORMAL, g.out());
            RefArray wv = c.draw(dt, Domain.NORMAL, g.w());
            Tensor gradOut = laidOut(c, dt, gv, layout, (cc, v) -> cc.strided(dt, v).tensor());
            Tensor w = laidOut(c, dt, wv, layout, (cc, v) -> transposedWeight(cc, dt, v));
            RefConvolution.Result r = RefConvolution.inputGrad(gv, wv, g.x(), g.reference());
            c.expect(Tensor.conv2dInputGrad(gradOut, w, Shape.of(g.x()), g.options()), dt, r.value(), r.scale(),
                    Tolerance.sum(dt));
        });
    }

    private static DynamicNode weightGrad(Harness h, DType dt, Geometry g, Operands layout) {
        return h.test(CATEGORY, "conv2dWeightGrad", name("conv2dWeightGrad", dt, g, layout), c -> {
            RefArray xv = c.draw(dt, Domain.NORMAL, g.x());
            RefArray gv = c.draw(dt, Domain.NORMAL, g.out());
            Tensor x = laidOut(c, dt, xv, layout, (cc, v) -> nhwc(cc, dt, v));
            Tensor gradOut = laidOut(c, dt, gv, layout, (cc, v) -> cc.strided(dt, v).tensor());
            RefConvolution.Result r = RefConvolution.weightGrad(xv, gv, g.w(), g.reference());
            c.expect(Tensor.conv2dWeightGrad(x, gradOut, Shape.of(g.w()), g.options()), dt, r.value(), r.scale(),
                    Tolerance.sum(dt));
        });
    }

    /** {@code values} [N, C, H, W] stored as an NHWC tensor and permuted to NCHW (channels innermost in memory). */
    static Tensor nhwc(CaseContext c, DType dt, RefArray values) {
        try (Tensor stored = c.tensor(dt, values.permute(0, 2, 3, 1))) {
            return stored.permute(0, 3, 1, 2);
        }
    }

    /** {@code values} [O, I, KH, KW] as a view over a storage laid out [KW, KH, I, O]. */
    private static Tensor transposedWeight(CaseContext c, DType dt, RefArray values) {
        try (Tensor stored = c.tensor(dt, values.permute(3, 2, 1, 0))) {
            return stored.permute(3, 2, 1, 0);
        }
    }
}
