package dev.descent.core;

import dev.descent.core.spi.Conv2dGeometry;
import dev.descent.core.spi.Pool2dGeometry;
import dev.descent.core.spi.StridedView;

/**
 * The convolution and pooling ops of {@link Tensor}: shape checks, output sizes and the backend
 * calls. Backends see only non-empty batches; an empty batch gives an empty result (or a zero
 * weight gradient) here.
 */
final class Convolutions {
    private Convolutions() {
    }

    /** One convolution's sizes, checked: input [n, c, h, w], weight [o, c/groups, kh, kw], output [n, o, oh, ow]. */
    private record Plan(int n, int c, int h, int w, int o, int kh, int kw, int oh, int ow, Conv2dGeometry geometry) {
        Shape output() {
            return Shape.of(n, o, oh, ow);
        }
    }

    private static Plan plan(String op, Shape x, Shape w, Conv2dOptions opts) {
        Check.argument(opts != null, op, "expected options, got null (use Conv2dOptions.DEFAULT)");
        Check.argument(x.rank() == 4, op, "expected input of shape [N, C, H, W], got %s", x);
        Check.argument(w.rank() == 4, op, "expected weight of shape [out, in/groups, kH, kW], got %s", w);
        int c = x.dim(1);
        int o = w.dim(0);
        int kh = w.dim(2);
        int kw = w.dim(3);
        int g = opts.groups();
        Check.argument(c >= 1 && x.dim(2) >= 1 && x.dim(3) >= 1, op,
                "expected an input with at least one channel, row and column, got %s", x);
        Check.argument(o >= 1 && w.dim(1) >= 1 && kh >= 1 && kw >= 1, op, "expected a weight with no size 0, got %s",
                w);
        Check.argument(c % g == 0, op, "groups %d do not divide the %d channels of input %s", g, c, x);
        Check.argument(o % g == 0, op, "groups %d do not divide the %d output channels of weight %s", g, o, w);
        Check.argument(w.dim(1) * g == c, op,
                "input %s has %d channels but weight %s expects %d (%d per group x %d groups)", x, c, w,
                w.dim(1) * g, w.dim(1), g);
        int extentH = opts.dilationH() * (kh - 1) + 1;
        int extentW = opts.dilationW() * (kw - 1) + 1;
        int top = opts.padTop(kh);
        int left = opts.padLeft(kw);
        long paddedH = (long) x.dim(2) + top + opts.padBottom(kh);
        long paddedW = (long) x.dim(3) + left + opts.padRight(kw);
        Check.argument(extentH <= paddedH && extentW <= paddedW, op,
                "the kernel %dx%d (dilation %dx%d, extent %dx%d) exceeds the padded input %dx%d (input %s, weight %s,"
                        + " padding %s)", kh, kw, opts.dilationH(), opts.dilationW(), extentH, extentW, paddedH,
                paddedW, x, w, opts.same() ? "same" : opts.padH() + "x" + opts.padW());
        int oh = (int) ((paddedH - extentH) / opts.strideH() + 1);
        int ow = (int) ((paddedW - extentW) / opts.strideW() + 1);
        Conv2dGeometry geometry = new Conv2dGeometry(opts.strideH(), opts.strideW(), top, left, opts.dilationH(),
                opts.dilationW(), g);
        return new Plan(x.dim(0), c, x.dim(2), x.dim(3), o, kh, kw, oh, ow, geometry);
    }

    private static void floatingPair(String op, Tensor a, Tensor b) {
        a.checkOpen(op);
        b.checkOpen(op);
        Check.floating(op, a);
        Check.sameDType(op, a, b);
        Check.sameDevice(op, a, b);
    }

    static Tensor conv2d(Tensor x, Tensor w, Tensor bias, Conv2dOptions opts) {
        String op = "conv2d";
        floatingPair(op, x, w);
        Plan p = plan(op, x.shape(), w.shape(), opts);
        if (bias != null) {
            floatingPair(op, x, bias);
            Check.argument(bias.rank() == 1 && bias.size(0) == p.o(), op,
                    "bias %s does not match the %d output channels of weight %s: expected [%d]", bias.shape(), p.o(),
                    w.shape(), p.o());
        }
        Tensor out = Tensor.empty(x.device(), x.dtype(), p.output().dims());
        if (p.n() > 0) {
            x.backend().conv2d(x.view(), w.view(), bias == null ? null : bias.view(), p.geometry(), out.view());
        }
        return out;
    }

    static Tensor conv2dInputGrad(Tensor gradOut, Tensor w, Shape inputShape, Conv2dOptions opts) {
        String op = "conv2dInputGrad";
        floatingPair(op, gradOut, w);
        Plan p = plan(op, inputShape, w.shape(), opts);
        checkGradOut(op, gradOut, p);
        Tensor gradIn = Tensor.empty(w.device(), w.dtype(), inputShape.dims());
        if (p.n() > 0) {
            w.backend().conv2dInputGrad(gradOut.view(), w.view(), p.geometry(), gradIn.view());
        }
        return gradIn;
    }

    static Tensor conv2dWeightGrad(Tensor x, Tensor gradOut, Shape weightShape, Conv2dOptions opts) {
        String op = "conv2dWeightGrad";
        floatingPair(op, x, gradOut);
        Plan p = plan(op, x.shape(), weightShape, opts);
        checkGradOut(op, gradOut, p);
        Tensor gradW = Tensor.empty(x.device(), x.dtype(), weightShape.dims());
        if (p.n() > 0) {
            x.backend().conv2dWeightGrad(x.view(), gradOut.view(), p.geometry(), gradW.view());
        } else {
            gradW.zero();
        }
        return gradW;
    }

    private static void checkGradOut(String op, Tensor gradOut, Plan p) {
        Check.argument(gradOut.shape().equals(p.output()), op,
                "the output gradient has shape %s, expected the convolution's output shape %s", gradOut.shape(),
                p.output());
    }

    // ---------------------------------------------------------------- pooling

    /** One pooling's sizes: input [n, c, h, w] and output [n, c, oh, ow]. */
    private record Window(Shape input, int oh, int ow, Pool2dGeometry geometry) {
        Shape output() {
            return Shape.of(input.dim(0), input.dim(1), oh, ow);
        }

        boolean empty() {
            return input.numel() == 0;
        }
    }

    private static Window window(String op, Shape x, Pool2dOptions o) {
        Check.argument(o != null, op, "expected pooling options, got null (e.g. Pool2dOptions.of(2))");
        Check.argument(x.rank() == 4, op, "expected input of shape [N, C, H, W], got %s", x);
        Check.argument(x.dim(2) >= 1 && x.dim(3) >= 1, op, "expected an input with at least one row and column, got %s",
                x);
        long paddedH = (long) x.dim(2) + 2L * o.padH();
        long paddedW = (long) x.dim(3) + 2L * o.padW();
        Check.argument(o.kernelH() <= paddedH && o.kernelW() <= paddedW, op,
                "the window %dx%d exceeds the padded input %dx%d (input %s, padding %dx%d)", o.kernelH(), o.kernelW(),
                paddedH, paddedW, x, o.padH(), o.padW());
        int oh = (int) ((paddedH - o.kernelH()) / o.strideH() + 1);
        int ow = (int) ((paddedW - o.kernelW()) / o.strideW() + 1);
        return new Window(x, oh, ow, new Pool2dGeometry(o.kernelH(), o.kernelW(), o.strideH(), o.strideW(), o.padH(),
                o.padW()));
    }

    static ValuesAndIndices maxPool2d(Tensor x, Pool2dOptions o, boolean withIndices) {
        String op = "maxPool2d";
        x.checkOpen(op);
        Check.floating(op, x);
        Window win = window(op, x.shape(), o);
        Tensor out = Tensor.empty(x.device(), x.dtype(), win.output().dims());
        Tensor indices = withIndices ? Tensor.empty(x.device(), DType.INT64, win.output().dims()) : null;
        if (!win.empty()) {
            x.backend().maxPool2d(x.view(), win.geometry(), out.view(), indices == null ? null : indices.view());
        }
        return new ValuesAndIndices(out, indices);
    }

    static Tensor maxPool2dInputGrad(Tensor gradOut, Tensor indices, Shape inputShape, Pool2dOptions o) {
        String op = "maxPool2dInputGrad";
        gradOut.checkOpen(op);
        indices.checkOpen(op);
        Check.floating(op, gradOut);
        Check.sameDevice(op, gradOut, indices);
        Check.argument(indices.dtype() == DType.INT64, op, "expected int64 indices, got %s", indices.dtype());
        Window win = window(op, inputShape, o);
        Check.argument(gradOut.shape().equals(win.output()) && indices.shape().equals(win.output()), op,
                "the output gradient %s and the indices %s must have the pooling's output shape %s", gradOut.shape(),
                indices.shape(), win.output());
        Tensor gradIn = Tensor.empty(gradOut.device(), gradOut.dtype(), inputShape.dims());
        if (!win.empty()) {
            gradOut.backend().maxPool2dInputGrad(gradOut.view(), indices.view(), win.geometry(), gradIn.view());
        }
        return gradIn;
    }

    static Tensor avgPool2d(Tensor x, Pool2dOptions o) {
        String op = "avgPool2d";
        x.checkOpen(op);
        Check.floating(op, x);
        Window win = window(op, x.shape(), o);
        Tensor out = Tensor.empty(x.device(), x.dtype(), win.output().dims());
        if (!win.empty()) {
            x.backend().avgPool2d(x.view(), win.geometry(), o.countIncludePad(), out.view());
        }
        return out;
    }

    static Tensor avgPool2dInputGrad(Tensor gradOut, Shape inputShape, Pool2dOptions o) {
        String op = "avgPool2dInputGrad";
        gradOut.checkOpen(op);
        Check.floating(op, gradOut);
        Window win = window(op, inputShape, o);
        Check.argument(gradOut.shape().equals(win.output()), op,
                "the output gradient has shape %s, expected the pooling's output shape %s", gradOut.shape(),
                win.output());
        Tensor gradIn = Tensor.empty(gradOut.device(), gradOut.dtype(), inputShape.dims());
        if (!win.empty()) {
            gradOut.backend().avgPool2dInputGrad(gradOut.view(), win.geometry(), o.countIncludePad(), gradIn.view());
        }
        return gradIn;
    }

    // ---------------------------------------------------------------- adaptive average pooling

    /**
     * {@code A · x · Bᵀ} on every [H, W] plane of {@code x [N, C, H, W]}, with {@code a [OH, H]} and
     * {@code b [OW, W]}: two matrix products over all planes at once, so that adaptive pooling and
     * its gradient need no primitive of their own.
     */
    private static Tensor separable(Tensor x, Tensor a, Tensor b) {
        int n = x.size(0);
        int c = x.size(1);
        int h = x.size(2);
        int w = x.size(3);
        int oh = a.size(0);
        int ow = b.size(0);
        try (Tensor rows = x.reshape(n * c * h, w);
             Tensor bt = b.t();
             Tensor alongW = rows.matmul(bt);                      // [N·C·H, OW]
             Tensor planes = alongW.reshape(n * c, h, ow);
             Tensor turned = planes.transpose(1, 2);
             Tensor columns = turned.reshape(n * c * ow, h);       // a copy: [N·C·OW, H]
             Tensor at = a.t();
             Tensor alongH = columns.matmul(at);                   // [N·C·OW, OH]
             Tensor back = alongH.reshape(n, c, ow, oh);
             Tensor result = back.transpose(2, 3)) {
            return result.contiguous();
        }
    }

    /**
     * The averaging matrix {@code [out, in]} of adaptive pooling along one axis: row i averages
     * input positions {@code [⌊i·in/out⌋, ⌈(i+1)·in/out⌉)} (PyTorch's {@code adaptive_avg_pool2d}).
     */
    private static Tensor averaging(Device device, DType dtype, int in, int out) {
        double[] m = new double[out * in];
        for (int i = 0; i < out; i++) {
            int start = (int) ((long) i * in / out);
            int end = (int) (((long) (i + 1) * in + out - 1) / out);
            for (int j = start; j < end; j++) {
                m[i * in + j] = 1.0 / (end - start);
            }
        }
        return Tensor.of(device, dtype, m, out, in);
    }

    private static void checkAdaptive(String op, Shape x, int oh, int ow) {
        Check.argument(x.rank() == 4, op, "expected input of shape [N, C, H, W], got %s", x);
        Check.argument(x.dim(2) >= 1 && x.dim(3) >= 1, op, "expected an input with at least one row and column, got %s",
                x);
        Check.argument(oh >= 1 && ow >= 1, op, "expected an output size of at least 1x1, got %dx%d", oh, ow);
    }

    static Tensor adaptiveAvgPool2d(Tensor x, int oh, int ow) {
        String op = "adaptiveAvgPool2d";
        x.checkOpen(op);
        Check.floating(op, x);
        checkAdaptive(op, x.shape(), oh, ow);
        if (x.numel() == 0) {
            return Tensor.empty(x.device(), x.dtype(), x.size(0), x.size(1), oh, ow);
        }
        Pool2dOptions even = evenWindows(x.shape(), oh, ow);
        if (even != null) {
            return avgPool2d(x, even);
        }
        try (Tensor a = averaging(x.device(), x.dtype(), x.size(2), oh);
             Tensor b = averaging(x.device(), x.dtype(), x.size(3), ow)) {
            return separable(x, a, b);
        }
    }

    /**
     * When oh divides H and ow divides W, adaptive pooling is average pooling with windows of
     * {@code H/oh × W/ow} and the same stride (PyTorch's windows coincide): one backend call and
     * no averaging matrices to upload. Else null.
     */
    private static Pool2dOptions evenWindows(Shape x, int oh, int ow) {
        if (x.dim(2) % oh != 0 || x.dim(3) % ow != 0) {
            return null;
        }
        return Pool2dOptions.of(x.dim(2) / oh, x.dim(3) / ow);
    }

    static Tensor adaptiveAvgPool2dInputGrad(Tensor gradOut, Shape inputShape) {
        String op = "adaptiveAvgPool2dInputGrad";
        gradOut.checkOpen(op);
        Check.floating(op, gradOut);
        Check.argument(gradOut.rank() == 4, op, "expected an output gradient [N, C, OH, OW], got %s", gradOut.shape());
        checkAdaptive(op, inputShape, gradOut.size(2), gradOut.size(3));
        Check.argument(inputShape.dim(0) == gradOut.size(0) && inputShape.dim(1) == gradOut.size(1), op,
                "the input shape %s does not have the batch and channels of the output gradient %s", inputShape,
                gradOut.shape());
        if (inputShape.numel() == 0) {
            return Tensor.empty(gradOut.device(), gradOut.dtype(), inputShape.dims());
        }
        Pool2dOptions even = evenWindows(inputShape, gradOut.size(2), gradOut.size(3));
        if (even != null) {
            return avgPool2dInputGrad(gradOut, inputShape, even);
        }
        try (Tensor a = averaging(gradOut.device(), gradOut.dtype(), inputShape.dim(2), gradOut.size(2));
             Tensor b = averaging(gradOut.device(), gradOut.dtype(), inputShape.dim(3), gradOut.size(3));
             Tensor at = a.t();
             Tensor bt = b.t()) {
            return separable(gradOut, at, bt);
        }
    }
}
