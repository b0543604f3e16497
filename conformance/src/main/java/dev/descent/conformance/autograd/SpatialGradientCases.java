package dev.descent.conformance.autograd;

import static dev.descent.conformance.autograd.GradInput.any;

import dev.descent.autograd.Variable;
import dev.descent.core.Conv2dOptions;
import dev.descent.core.Pool2dOptions;
import dev.descent.core.Tensor;
import java.util.List;

/**
 * Convolution and pooling in every form the forward cases cover, small enough for central
 * differences: strides, padding ("same" with an even kernel), dilation, groups, depthwise, 1×1
 * kernels, batch 1, and an input stored NHWC and permuted to NCHW inside the case. The
 * gradgradcheck of each case checks the gradient ops' own rules (double backward).
 */
final class SpatialGradientCases {
    private SpatialGradientCases() {
    }

    static void add(List<GradCase> cases) {
        conv(cases, "3x3 padding 1, bias", new int[] {2, 2, 5, 4}, new int[] {3, 2, 3, 3}, true,
                Conv2dOptions.DEFAULT.padding(1));
        conv(cases, "stride 2, dilation 2", new int[] {1, 2, 7, 6}, new int[] {2, 2, 2, 2}, true,
                Conv2dOptions.DEFAULT.stride(2).dilation(2));
        conv(cases, "stride 3 > kernel 2", new int[] {2, 1, 7, 5}, new int[] {2, 1, 2, 2}, false,
                Conv2dOptions.DEFAULT.stride(3));
        conv(cases, "padding same, even 2x3 kernel", new int[] {1, 2, 4, 5}, new int[] {2, 2, 2, 3}, true,
                Conv2dOptions.DEFAULT.paddingSame());
        conv(cases, "groups 2", new int[] {1, 4, 4, 3}, new int[] {4, 2, 2, 2}, true, Conv2dOptions.DEFAULT.groups(2));
        conv(cases, "depthwise", new int[] {2, 3, 4, 4}, new int[] {3, 1, 3, 3}, true,
                Conv2dOptions.DEFAULT.groups(3).padding(1));
        conv(cases, "1x1 kernel", new int[] {2, 3, 3, 2}, new int[] {2, 3, 1, 1}, true, Conv2dOptions.DEFAULT);
        cases.add(new GradCase("conv2d", "NHWC input [2, 4, 3, 2] permuted to NCHW, 2x2 stride 1",
                List.of(any(2, 4, 3, 2), any(3, 2, 2, 2), any(3)),
                xs -> xs.get(0).permute(0, 3, 1, 2).conv2d(xs.get(1), xs.get(2), Conv2dOptions.DEFAULT)));

        pool(cases, "2x2", new int[] {2, 2, 4, 5}, Pool2dOptions.of(2));
        pool(cases, "3x3 stride 2 padding 1 (overlapping)", new int[] {1, 2, 5, 5}, Pool2dOptions.of(3).stride(2).padding(1));
        pool(cases, "stride 3 > kernel 2", new int[] {1, 2, 6, 7}, Pool2dOptions.of(2).stride(3));
        cases.add(GradCase.unary("avgPool2d", "3x3 padding 1, padding not counted", any(1, 2, 4, 5),
                x -> x.avgPool2d(Pool2dOptions.of(3).stride(2).padding(1).countIncludePad(false))));
        cases.add(GradCase.unary("maxPool2d", "NHWC input permuted to NCHW", any(2, 4, 4, 3),
                x -> x.permute(0, 3, 1, 2).maxPool2d(Pool2dOptions.of(2))));
        cases.add(GradCase.unary("adaptiveAvgPool2d", "[2, 2, 5, 7] to 2x3", any(2, 2, 5, 7),
                x -> x.adaptiveAvgPool2d(2, 3)));
        cases.add(GradCase.unary("adaptiveAvgPool2d", "[1, 3, 4, 4] to 1x1", any(1, 3, 4, 4),
                x -> x.adaptiveAvgPool2d(1, 1)));
        cases.add(GradCase.unary("adaptiveAvgPool2d", "[1, 2, 3, 2] up to 4x5", any(1, 2, 3, 2),
                x -> x.adaptiveAvgPool2d(4, 5)));

        cases.add(new GradCase("batchNorm", "[4, 3, 3, 2] batch statistics, weight and bias",
                List.of(any(4, 3, 3, 2), any(3), any(3)),
                xs -> Variable.batchNorm(xs.get(0), xs.get(1), xs.get(2), null, null, true, 0.1, 1e-5)));
        cases.add(new GradCase("batchNorm", "[5, 3] batch statistics, weight only", List.of(any(5, 3), any(3)),
                xs -> Variable.batchNorm(xs.get(0), xs.get(1), null, null, null, true, 0.1, 1e-5)));
        cases.add(GradCase.unary("batchNorm", "[3, 2, 4] batch statistics, no weight or bias", any(3, 2, 4),
                x -> Variable.batchNorm(x, null, null, null, null, true, 0.1, 1e-5)));
        cases.add(new GradCase("batchNorm", "[2, 3, 2, 2] running statistics", List.of(any(2, 3, 2, 2), any(3), any(3)),
                xs -> {
                    Variable x = xs.get(0);
                    try (Tensor mean = Tensor.of(x.device(), x.dtype(), new double[] {0.3, -0.2, 0.1}, 3);
                         Tensor var = Tensor.of(x.device(), x.dtype(), new double[] {0.8, 1.5, 0.4}, 3)) {
                        return Variable.batchNorm(x, xs.get(1), xs.get(2), mean, var, false, 0.1, 1e-5);
                    }
                }));
    }

    private static void conv(List<GradCase> cases, String label, int[] x, int[] w, boolean bias, Conv2dOptions o) {
        String name = label + " x" + java.util.Arrays.toString(x) + " w" + java.util.Arrays.toString(w);
        if (bias) {
            cases.add(new GradCase("conv2d", name, List.of(any(x), any(w), any(w[0])),
                    xs -> xs.get(0).conv2d(xs.get(1), xs.get(2), o)));
        } else {
            cases.add(GradCase.binary("conv2d", name, any(x), any(w), (a, b) -> a.conv2d(b, null, o)));
        }
    }

    private static void pool(List<GradCase> cases, String label, int[] x, Pool2dOptions o) {
        String name = label + " x" + java.util.Arrays.toString(x);
        cases.add(GradCase.unary("maxPool2d", name, any(x), v -> v.maxPool2d(o)));
        cases.add(GradCase.unary("avgPool2d", name, any(x), v -> v.avgPool2d(o)));
    }
}
